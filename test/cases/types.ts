/**
 * A kernel test case: one check of one kernel family, run against whatever engine the harness
 * gives it (Node with Dawn, or a browser). `run` throws on failure. Cases import only the
 * public API and browser-safe test utilities, so the same table runs in headless Chromium.
 */
import type { Engine } from '../../src/index.js';

export interface KernelCase {
  family: string;
  name: string;
  run(engine: Engine): Promise<void>;
}
