/** Atomic checkpoint writes: a failure at any point leaves the old file byte-identical and no temp file. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fsp from 'node:fs/promises';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { rejects } from '../util/rejects.js';

const { writeFileAtomic, readCheckpointFile, CheckpointError } = slope;

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'slope-atomic-'));
}

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from(new Rng(seed).ints(n, 256));
}

test('writes, then replaces, the file', async () => {
  const d = dir();
  const f = join(d, 'ckpt.safetensors');
  await writeFileAtomic(f, bytes(1000, 1));
  assert.equal(Array.from(readFileSync(f)), Array.from(bytes(1000, 1)));
  await writeFileAtomic(f, bytes(30, 2));
  assert.equal(Array.from(await readCheckpointFile(f)), Array.from(bytes(30, 2)));
  assert.equal(readdirSync(d), ['ckpt.safetensors']);
});

/** A file system whose handle fails on the k-th write, or whose rename fails. */
function failing(where: 'write' | 'sync' | 'rename'): slope.AtomicFs {
  return {
    open: (async (...args: Parameters<typeof fsp.open>) => {
      const fh = await fsp.open(...args);
      let writes = 0;
      return new Proxy(fh, {
        get(t, k) {
          if (k === 'write') {
            return async (...a: unknown[]) => {
              if (where === 'write' && writes++ >= 0) {
                await (t.write as (...x: unknown[]) => Promise<unknown>)(...a.slice(0, 1), 0, 5); // half written
                throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
              }
              return (t.write as (...x: unknown[]) => Promise<unknown>).apply(t, a);
            };
          }
          if (k === 'sync' && where === 'sync') return async () => { throw new Error('EIO: i/o error'); };
          const v = Reflect.get(t, k);
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
    }) as typeof fsp.open,
    rename: (async (a: string, b: string) => {
      if (where === 'rename') throw new Error('EXDEV: cross-device link');
      return fsp.rename(a, b);
    }) as typeof fsp.rename,
    unlink: fsp.unlink,
  };
}

for (const where of ['write', 'sync', 'rename'] as const) {
  test(`a failure at ${where} leaves the old checkpoint untouched and removes the temp file`, async () => {
    const d = dir();
    const f = join(d, 'model.safetensors');
    const old = bytes(5000, 3);
    writeFileSync(f, old);
    await rejects(writeFileAtomic(f, bytes(9000, 4), failing(where)), CheckpointError, /previous file, if any, is untouched/);
    assert.equal(Array.from(readFileSync(f)), Array.from(old));
    assert.equal(readdirSync(d), ['model.safetensors']);
  });
}

test('an unwritable location and a missing file are CheckpointErrors', async () => {
  const d = dir();
  await rejects(writeFileAtomic(join(d, 'no', 'such', 'dir', 'c.safetensors'), bytes(10, 5)), CheckpointError);
  await rejects(readCheckpointFile(join(d, 'missing.safetensors')), CheckpointError, /no such file/);
});

/** A process id that no longer runs: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('temporary files of writers killed mid-write are removed at the next save; live writers\' are kept', async () => {
  const d = dir();
  const f = join(d, 'run.safetensors');
  const dead = `.run.safetensors.${deadPid()}.0badf00d.tmp`;
  const previousSelf = `.run.safetensors.${process.pid}.12345678.tmp`; // same id, but this process is not writing it
  const live = `.run.safetensors.${process.ppid}.cafe0123.tmp`; // the parent runs: it may be writing
  const otherTarget = `.other.safetensors.${deadPid()}.0badf00d.tmp`;
  for (const n of [dead, previousSelf, live, otherTarget]) writeFileSync(join(d, n), bytes(100, 9));
  await writeFileAtomic(f, bytes(10, 1));
  assert.equal(readdirSync(d).sort(), [live, otherTarget, 'run.safetensors'].sort());
  assert.equal(await slope.removeStaleTemps(join(d, 'other.safetensors')), [join(d, otherTarget)]);
});

test('checkOutputPath: a creatable file passes and leaves nothing; a directory, a missing directory or a non-directory parent is an OutputError', async () => {
  const d = dir();
  await slope.checkOutputPath(join(d, 'new.svg'), '--curves');
  writeFileSync(join(d, 'existing.svg'), 'x');
  await slope.checkOutputPath(join(d, 'existing.svg'), '--curves');
  assert.equal(readdirSync(d), ['existing.svg']);
  for (const [path, re] of [
    [d, /--curves '.*' cannot be written: it is a directory/],
    [join(d, 'no', 'x.svg'), /the directory '.*no' does not exist/],
    [join(d, 'existing.svg', 'x.svg'), /'.*existing\.svg' is not a directory/],
  ] as [string, RegExp][]) {
    try {
      await slope.checkOutputPath(path, '--curves');
      assert.unreachable('no error');
    } catch (e) {
      assert.ok(e instanceof slope.OutputError, String(e));
      assert.match((e as Error).message, re);
    }
  }
});

test.run();
