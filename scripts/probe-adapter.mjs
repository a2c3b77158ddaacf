#!/usr/bin/env node
// Prints the WebGPU adapter Dawn finds (through the `webgpu` package) and exits 0, or says that
// there is none and exits 1. Used by scripts/setup to decide whether a software driver is needed.
import { create } from 'webgpu';

process.env.XDG_RUNTIME_DIR ??= '/tmp';
const gpu = create([]);
const adapter = await gpu.requestAdapter().catch(() => null);
if (!adapter) {
  console.log('no WebGPU adapter');
  process.exit(1);
}
const i = adapter.info ?? {};
console.log([i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'an unnamed adapter');
process.exit(0);
