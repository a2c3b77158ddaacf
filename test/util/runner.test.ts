/**
 * The test fixture layer itself: rejects() and throws() fail on every wrong outcome; a skip is
 * counted by uvu and its reason printed; scripts/test.mjs counts tests (not files), lists the
 * reasons, and fails where a test was skipped for want of an adapter this machine has.
 *
 * The runner checks run this same file as a fixture (SLOPE_RUNNER_FIXTURE names the scenario)
 * under scripts/test.mjs, so they need no files of their own.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rejects, throws } from './rejects.js';
import { adapter, gpuTest, skip, testOn } from './suite.js';

const fixture = process.env.SLOPE_RUNNER_FIXTURE;

class OtherError extends Error {}

/** Runs `fn` and requires an assertion failure from it (a helper that should have failed). */
async function mustFail(what: string, fn: () => unknown): Promise<void> {
  let failed = false;
  try {
    await fn();
  } catch (e) {
    failed = (e as Error).name === 'Assertion';
  }
  assert.ok(failed, `${what}: the helper should have failed`);
}

/** This file under scripts/test.mjs with the fixture `scenario`; the runner's exit status and output. */
function runFixture(scenario: string, env: Record<string, string> = {}) {
  const self = fileURLToPath(import.meta.url).replace(/^.*\/dist\/test\//, '');
  const r = spawnSync(process.execPath, ['scripts/test.mjs', self], {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, SLOPE_RUNNER_FIXTURE: scenario, ...env },
  });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  return { status: r.status, out, last: out.trim().split('\n').pop() };
}

if (fixture) {
  // Fixture mode: what scripts/test.mjs reads back.
  test('a passing test', () => {});
  if (fixture === 'failing') test('a failing test', () => { throw new Error('fails on purpose'); });
  gpuTest('a GPU test', () => {});
  testOn('cpu', test, 'the fixture lacks a feature on purpose')('a feature skip', () => {});
  if (fixture === 'no-adapter') skip(test, 'a test skipped for want of an adapter', 'no-adapter', 'no WebGPU adapter (fixture)');
} else {
  test('rejects: passes on the right class and message, returns the error', async () => {
    const e = await rejects(Promise.reject(new RangeError('out of range: 7')), RangeError, /range: \d/);
    assert.is(e.message, 'out of range: 7');
    await rejects(async () => { throw new RangeError('a b c'); }, Error, ['a', /b/, 'c']);
    await rejects(() => { throw new RangeError('thrown before any promise'); }, RangeError);
  });

  test('rejects fails when the promise resolves, on another class, and on a message that does not match', async () => {
    await mustFail('resolved', () => rejects(Promise.resolve(1), Error));
    await mustFail('another class', () => rejects(Promise.reject(new OtherError('x')), RangeError));
    await mustFail('a non-Error rejection', () => rejects(Promise.reject('just a string'), Error));
    await mustFail('message', () => rejects(Promise.reject(new RangeError('abc')), RangeError, /xyz/));
    await mustFail('one of several patterns', () => rejects(Promise.reject(new RangeError('abc')), RangeError, ['abc', 'd']));
  });

  test('throws: the same checks for a call', async () => {
    assert.is(throws(() => { throw new TypeError('bad'); }, TypeError, 'bad').name, 'TypeError');
    await mustFail('nothing thrown', () => throws(() => 1, Error));
    await mustFail('another class', () => throws(() => { throw new OtherError('x'); }, TypeError));
    await mustFail('message', () => throws(() => { throw new TypeError('abc'); }, TypeError, /xyz/));
  });

  test('the runner counts tests and lists skip reasons; a skip for want of an adapter is fine where there is none', () => {
    const r = runFixture('plain', { SLOPE_TEST_NO_ADAPTER: '1' });
    assert.is(r.last, '1 passed, 0 failed, 2 skipped', r.out);
    assert.is(r.status, 0, r.out);
    assert.match(r.out, /1 \(no-adapter\): no WebGPU adapter \(SLOPE_TEST_NO_ADAPTER is set\)/);
    assert.match(r.out, /1 \(feature\): the fixture lacks a feature on purpose/);
  });

  test('the runner fails on a failing test and counts it', () => {
    const r = runFixture('failing', { SLOPE_TEST_NO_ADAPTER: '1' });
    assert.is(r.last, '1 passed, 1 failed, 2 skipped', r.out);
    assert.is(r.status, 1, r.out);
  });

  test('the runner fails when a test was skipped for want of an adapter this machine has', () => {
    const r = runFixture('no-adapter');
    const gpuRan = adapter ? 1 : 0;
    assert.is(r.last, `${1 + gpuRan} passed, 0 failed, ${3 - gpuRan} skipped`, r.out);
    if (adapter) {
      assert.is(r.status, 1, r.out);
      assert.match(r.out, /FAIL: this machine has a WebGPU adapter/);
    } else {
      assert.is(r.status, 0, r.out);
    }
  });
}

test.run();
