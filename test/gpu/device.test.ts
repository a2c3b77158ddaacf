/**
 * The device seam: no adapter, shader compile errors, device loss, out-of-memory and limit
 * errors, and disposal. Each failure must surface as a typed error that says what and where.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { gpu, gpuTest, lacks, testOn } from '../util/suite.js';
import { rejects } from '../util/rejects.js';
import { Gpu } from '../../src/gpu/device.js';
import type { WebGpuBackend } from '../../src/backend/webgpu.js';
import { kernel } from '../../src/kernels/spec.js';
import { OPS } from '../../src/ops/index.js';
import { view } from '../../src/backend/types.js';
import { ELEMENTWISE } from '../../src/kernels/elementwise.js';

const o = slope.ops;
const gpuOf = (e: slope.Engine) => (e.backend as WebGpuBackend).gpu;

test('no adapter: NoAdapterError that says why and how to get one', async () => {
  const none = { requestAdapter: async () => null } as unknown as GPU;
  await rejects(slope.init({ gpu: none }), slope.NoAdapterError, [/No WebGPU adapter/, /lavapipe|scripts\/setup/]);
  const broken = { requestAdapter: async () => { throw new Error('driver exploded'); } } as unknown as GPU;
  await rejects(slope.init({ gpu: broken }), slope.NoAdapterError, /driver exploded/);
  await rejects(() => Gpu.create(undefined), slope.NoAdapterError, /not available/);
});

const BROKEN_WGSL = `// a deliberately broken kernel
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> p: vec4u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let x: f32 = id.x;
  out[id.x] = x;
}
`;

test('an adapter that refuses a device: NoAdapterError with its reason, not a raw OperationError', async () => {
  const adapter = {
    limits: {}, features: new Set<string>(), info: { vendor: 'test' },
    requestDevice: async () => { throw new DOMException('adapter is "consumed"', 'OperationError'); },
  };
  const fake = { requestAdapter: async () => adapter } as unknown as GPU;
  await rejects(() => Gpu.create(fake), slope.NoAdapterError, /refused to create a device: adapter is "consumed"/);
});

gpuTest('an invalid WGSL kernel gives ShaderCompileError with line:col and the source line; nothing is cached', async () => {
  const e = await gpu();
  try {
    const key = { name: 'test.broken', source: BROKEN_WGSL, entry: 'main', bindings: ['read_write', 'uniform'] as const };
    const sce = await rejects(() => gpuOf(e).pipeline(key), slope.ShaderCompileError);
    assert.is(sce.kernel, 'test.broken');
    assert.match(sce.messages[0], /^test\.broken:7:\d+: /);
    assert.ok(sce.messages[0].includes('let x: f32 = id.x;'), sce.messages[0]);
    // The same key with valid source compiles: the broken pipeline was not cached.
    const fixed = BROKEN_WGSL.replace('let x: f32 = id.x;', 'let x = f32(id.x);');
    await gpuOf(e).pipeline({ ...key, source: fixed });
  } finally {
    e.dispose();
  }
});

gpuTest('a compile error in a registered kernel surfaces from compile() as ShaderCompileError', async () => {
  const e = await gpu();
  try {
    const spec = kernel('test', BROKEN_WGSL, 'main', ['read', 'read_write'], [['n', 'u32'], ['a', 'u32'], ['b', 'u32'], ['c', 'u32']]);
    const b = e.backend as WebGpuBackend;
    const x = view(await b.alloc('x', 4), 0, [4], 'f32', 'x');
    const y = view(await b.alloc('y', 4), 0, [4], 'f32', 'y');
    // A copy lowered onto the broken kernel instead of its own.
    const broken = () => [{ kernel: spec, buffers: [x, y], params: { n: 1, a: 0, b: 0, c: 0 }, workgroups: 1 }];
    const call = { op: OPS.copy, inputs: [x], outputs: [y], attrs: {} };
    await rejects(() => b.prepareWith(call, broken), slope.ShaderCompileError, /test\.main:7:\d+/);
    // The failed prepare left no error scope open (one would swallow every later validation
    // error): the scope stack is empty, so popping rejects.
    const popped = await rejects(() => gpuOf(e).device.popErrorScope(), Error);
    assert.is(popped.name, 'OperationError', popped.message);
  } finally {
    e.dispose();
  }
});

gpuTest('a validation error outside any scope is caught by the uncapturederror listener and fails the next step', async () => {
  const e = await gpu();
  try {
    const g = new slope.Graph();
    const x = g.input('x', [4]);
    const prog = await e.compile(g, { outputs: { y: o.relu(x) } });
    await prog.run({ x: [1, -2, 3, -4] });
    await e.sync();
    // An invalid buffer (MAP_READ may only be combined with COPY_DST), made behind the engine's back.
    gpuOf(e).device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 }); // MAP_READ | STORAGE
    await gpuOf(e).device.queue.onSubmittedWorkDone();
    await new Promise((r) => setTimeout(r, 50));
    await rejects(prog.run({ x: [1, 2, 3, 4] }), slope.GpuValidationError, /WebGPU reported an error during a previous step/);
    // Reported once: the following step runs.
    await prog.run({ x: [1, 2, 3, 4] });
    assert.equal(Array.from(await prog.read('y')), [1, 2, 3, 4]);
  } finally {
    e.dispose();
  }
});

gpuTest('device loss (destroy) rejects run, read and pending reads with DeviceLostError', async () => {
  const e = await gpu();
  const g = new slope.Graph();
  const x = g.input('x', [1000]);
  const w = new slope.Parameter('w', [1000], 1);
  const p = await e.compile(g, { outputs: { y: o.relu(o.mul(x, g.param(w))) } });
  await p.run({ x: new Float32Array(1000).fill(2) });
  const pending = p.read('y');
  gpuOf(e).device.destroy();
  await rejects(pending, slope.DeviceLostError, [], 'pending read');
  await rejects(() => p.run({ x: new Float32Array(1000) }), slope.DeviceLostError, /lost/, 'run');
  await rejects(() => p.read('y'), slope.DeviceLostError, [], 'read');
  await rejects(() => e.read(w), slope.DeviceLostError, [], 'engine read');
  await rejects(() => e.sync(), slope.DeviceLostError, [], 'sync');
  e.dispose();
});

gpuTest('a tensor above maxBufferSize: OutOfMemoryError naming the tensor and its size, before any allocation', async () => {
  const e = await gpu();
  try {
    const max = gpuOf(e).limits.maxBufferSize;
    const n = Math.floor(max / 4) + 1;
    const g = new slope.Graph();
    const x = g.input('huge', [n]);
    const oom = await rejects(() => e.compile(g, { outputs: { y: o.relu(x) } }), slope.OutOfMemoryError, [/input 'huge'/, /GiB|MiB/, /maxBufferSize/]);
    assert.is(oom.tensor, "input 'huge'");
    assert.ok(oom.bytes > max);
  } finally {
    e.dispose();
  }
});

/** A real device whose error scopes report an injected out-of-memory error when armed. */
function oomInjectingGpu(real: GPU) {
  const state = { armed: false, pops: 0 };
  const bindAll = <T extends object>(t: T, over: Record<string, unknown>): T => new Proxy(t, {
    get(target, k) {
      if (typeof k === 'string' && k in over) return over[k];
      const v = Reflect.get(target, k);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const gpu = {
    requestAdapter: async (o?: GPURequestAdapterOptions) => {
      const ad = await real.requestAdapter(o);
      if (!ad) return null;
      return bindAll(ad, {
        requestDevice: async (d?: GPUDeviceDescriptor) => {
          const dev = await ad.requestDevice(d);
          return bindAll(dev, {
            popErrorScope: async () => {
              const err = await dev.popErrorScope();
              // createBuffer pops the validation scope, then the out-of-memory scope.
              if (state.armed && ++state.pops === 2) return { message: 'injected: out of memory' };
              return err;
            },
          });
        },
      });
    },
  } as unknown as GPU;
  return { gpu, state };
}

gpuTest('an allocation the device refuses (out-of-memory scope): OutOfMemoryError naming the tensor and size', async () => {
  const { nodeGpu } = await import('../../src/gpu/node.js');
  const { gpu, state } = oomInjectingGpu(nodeGpu());
  const e = await slope.init({ gpu });
  try {
    const g = new slope.Graph();
    const x = g.input('activations', [1000, 250]);
    state.armed = true;
    const oom = await rejects(() => e.compile(g, { outputs: { y: o.relu(x) } }), slope.OutOfMemoryError, [/input 'activations' \(976\.6 KiB\)/, /injected/]);
    assert.is(oom.tensor, "input 'activations'");
    assert.is(oom.bytes, 1_000_000);
    // The failed program released what it had allocated; the engine still works.
    state.armed = false;
    const p = await e.compile(g, { outputs: { y: o.relu(x) } });
    await p.run({ activations: new Float32Array(250_000).fill(-1) });
    assert.is((await p.read('y'))[0], 0);
  } finally {
    e.dispose();
  }
});

// A binding one element too large needs a buffer that large: not on an adapter whose largest
// buffer is no larger than its largest binding.
const bindingAboveLimit = (lim: { maxStorageBufferBindingSize: number; maxBufferSize: number }) =>
  (Math.floor(lim.maxStorageBufferBindingSize / 4) + 1) * 4;
const noOversizedBinding = lacks((p) => bindingAboveLimit(p.limits) > p.limits.maxBufferSize
  ? `maxBufferSize (${p.limits.maxBufferSize}) leaves no room for a binding above maxStorageBufferBindingSize` : null);

testOn('webgpu', test, noOversizedBinding)('a binding above maxStorageBufferBindingSize: LimitError naming the tensor and size', async () => {
  const e = await gpu();
  try {
    const lim = gpuOf(e).limits;
    const n = bindingAboveLimit(lim) / 4;
    const b = e.backend;
    const x = view(await b.alloc('activations', n), 0, [n], 'f32', 'activations');
    const y = view(await b.alloc('y', 4), 0, [1], 'f32', 'y');
    await rejects(() => b.prepare({ op: OPS.reduce, inputs: [x], outputs: [y], attrs: { kind: 'sum', axis: 0, keepdims: false } }),
      slope.LimitError, [/activations/, /maxStorageBufferBindingSize/, /MiB/]);
    b.release(x.storage);
  } finally {
    e.dispose();
  }
});

gpuTest('a dispatch too large to fold: LimitError naming the kernel', async () => {
  const e = await gpu();
  try {
    const spec = ELEMENTWISE.unary;
    const max = gpuOf(e).limits.maxComputeWorkgroupsPerDimension;
    const b = e.backend as WebGpuBackend;
    const x = view(await b.alloc('x', 4), 0, [4], 'f32', 'x');
    const y = view(await b.alloc('y', 4), 0, [4], 'f32', 'y');
    const huge = () => [{ kernel: spec, buffers: [x, y], params: { n: 1, alpha: 0, beta: 0, pad: 0 }, workgroups: max * max + 1 }];
    const call = { op: OPS.copy, inputs: [x], outputs: [y], attrs: {} };
    await rejects(() => b.prepareWith(call, huge), slope.LimitError, /elementwise\.unary/);
  } finally {
    e.dispose();
  }
});

gpuTest('program.dispose() destroys every buffer its compile created (storage, parameters, scratch)', async () => {
  const e = await gpu();
  try {
    const device = gpuOf(e).device;
    const made: GPUBuffer[] = [];
    const destroyed = new Set<GPUBuffer>();
    const create = device.createBuffer.bind(device);
    device.createBuffer = (d: GPUBufferDescriptor) => {
      const b = create(d);
      const destroy = b.destroy.bind(b);
      b.destroy = () => { destroyed.add(b); destroy(); };
      made.push(b);
      return b;
    };
    const g = new slope.Graph();
    const x = g.input('x', [33, 20]);
    const w = g.input('w', [20, 7]);
    const prog = await e.compile(g, { outputs: { y: o.softmax(o.relu(o.matmul(x, w))), s: o.sum(x, 0) } });
    await prog.run({ x: new Float32Array(660).fill(0.5), w: new Float32Array(140).fill(0.25) });
    await prog.read('y');
    device.createBuffer = create;
    const before = made.length;
    assert.ok(before > 0, 'compile created buffers');
    prog.dispose();
    // Readback staging buffers are the engine's, not the program's.
    const left = made.filter((b) => !destroyed.has(b) && !(b.usage & 0x0001));
    assert.is(left.length, 0, `not destroyed: ${left.map((b) => b.label).join(', ')}`);
  } finally {
    e.dispose();
  }
});

gpuTest('dispose releases everything, is idempotent, and later use says so', async () => {
  const e = await gpu();
  const g = new slope.Graph();
  const w = new slope.Parameter('w', [3], 1);
  const p = await e.compile(g, { outputs: { y: o.scale(g.param(w), 2) } });
  await p.run();
  e.dispose();
  e.dispose();
  await rejects(() => e.read(w), slope.SlopeError, /disposed/);
});

test.run();
