/**
 * Skips that show. skip() registers a test as skipped on its uvu suite — counted on uvu's
 * "Skipped" line — and records why; at exit the process prints one line per reason,
 *
 *   # skip(<kind>) <count>: <reason> (e.g. "<a test's name>")
 *
 * which scripts/test.mjs collects into the run's summary. Kinds:
 *   no-adapter  no WebGPU adapter here (on a machine that has one, the run fails);
 *   feature     the adapter lacks something a test needs (a variant's subgroups, a limit);
 *   no-browser  no Chromium for the browser tests.
 *
 * SLOPE_TEST_NO_ADAPTER=1 makes every test that needs an adapter (in Node or in the browser)
 * report it missing, to check that path on a machine that has one.
 */
import type { Test } from 'uvu';

export type SkipKind = 'no-adapter' | 'feature' | 'no-browser';

/** Set when SLOPE_TEST_NO_ADAPTER simulates a machine without a WebGPU adapter. */
export const SIMULATED_NO_ADAPTER: string | null = process.env.SLOPE_TEST_NO_ADAPTER
  ? 'no WebGPU adapter (SLOPE_TEST_NO_ADAPTER is set)' : null;

const skips = new Map<string, { kind: SkipKind; reason: string; tests: string[] }>();

process.on('exit', () => {
  for (const { kind, reason, tests } of skips.values()) {
    console.log(`# skip(${kind}) ${tests.length}: ${reason} (e.g. "${tests[0]}")`);
  }
});

/** Register `name` on `t` as skipped (counted by uvu) and record why. */
export function skip(t: Test, name: string, kind: SkipKind, reason: string): void {
  t.skip(name);
  const key = `${kind}\n${reason}`;
  if (!skips.has(key)) skips.set(key, { kind, reason, tests: [] });
  skips.get(key)!.tests.push(name);
}
