/**
 * gather (rows of an f32 or i32 table, optionally with per-sample image shifts and flips) and gather_bytes
 * (packed uint8 rows → byte·scale + offset) against the float64 reference: tables of one row,
 * batches straddling the workgroup, 28×28 images, rows of odd length, and indices out of range at
 * both ends (-1 and N: the row reads as zeros).
 */
import { packBytes } from '../../src/index.js';
import { TOL } from '../tolerances.js';
import type { Rng } from '../util/rng.js';
import type { OpInput } from '../util/runop.js';
import { check, checkOp, kcase } from './common.js';
import type { KernelCase } from './types.js';

const F = 'gather';

/** Indices in [-1, N]: both ends out of range now and then. */
function indices(r: Rng, B: number, N: number): Int32Array {
  const a = new Int32Array(B);
  for (let i = 0; i < B; i++) a[i] = r.next() < 0.1 ? (r.next() < 0.5 ? -1 : N) : Math.floor(r.next() * N);
  return a;
}

/** (dy, dx) per sample in [-max, max], or with flips (dy, dx, flip). */
function shifts(r: Rng, B: number, max: number, flip = false): Int32Array {
  const cols = flip ? 3 : 2;
  const a = new Int32Array(cols * B);
  for (let i = 0; i < a.length; i++) a[i] = i % cols === 2 ? +(r.next() < 0.5) : Math.floor(r.next() * (2 * max + 1)) - max;
  return a;
}

const GEOMS = [
  { N: 1, B: 1, H: 1, W: 1, planes: 1 },
  { N: 7, B: 3, H: 5, W: 7, planes: 2 },
  { N: 13, B: 65, H: 4, W: 4, planes: 1 },
  { N: 40, B: 257, H: 28, W: 28, planes: 1 },
  { N: 5, B: 9, H: 1, W: 257, planes: 1 },
];

export const cases: KernelCase[] = [
  kcase(F, 'gather rows (f32 and i32, with and without shifts): exact', async (e, r) => {
    for (const c of GEOMS) {
      const D = c.planes * c.H * c.W;
      const idx = indices(r, c.B, c.N);
      const sh = { shift: shifts(r, c.B, 3), flip: shifts(r, c.B, 3, true) };
      for (const dtype of ['f32', 'i32'] as const) {
        const table = dtype === 'f32' ? r.normal(c.N * D) : r.ints(c.N * D, 1000);
        for (const shifted of [false, 'shift', 'flip'] as const) {
          const inputs: OpInput[] = [{ data: table, shape: [c.N, D] }, { data: idx, shape: [c.B] }];
          if (shifted) inputs.push({ data: sh[shifted], shape: [c.B, shifted === 'flip' ? 3 : 2] });
          const attrs = shifted ? { height: c.H, width: c.W } : {};
          const label = `gather ${dtype} N=${c.N} B=${c.B} D=${D} shift=${shifted}`;
          const [got] = await checkOp(e, { op: 'gather', inputs, outShapes: [[c.B, D]], attrs, outDtypes: [dtype], tol: TOL.exact, label });
          check((got instanceof Int32Array) === (dtype === 'i32'), `${label}: read back as ${got.constructor.name}`);
        }
      }
    }
  }),

  kcase(F, 'gather_bytes (packed uint8 → byte·scale + offset)', async (e, r) => {
    for (const c of GEOMS) {
      const D = c.planes * c.H * c.W;
      const bytes = new Uint8Array(c.N * D);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r.next() * 256);
      const { table, words } = packBytes(bytes, c.N, D);
      const idx = indices(r, c.B, c.N);
      const sh = { shift: shifts(r, c.B, 2), flip: shifts(r, c.B, 2, true) };
      const scale = 1 / 255, offset = -0.4242;
      for (const shifted of [false, 'shift', 'flip'] as const) {
        const inputs: OpInput[] = [{ data: table, shape: [c.N, words] }, { data: idx, shape: [c.B] }];
        if (shifted) inputs.push({ data: sh[shifted], shape: [c.B, shifted === 'flip' ? 3 : 2] });
        const attrs = { features: D, scale, offset, ...(shifted ? { height: c.H, width: c.W } : {}) };
        await checkOp(e, { op: 'gather_bytes', inputs, outShapes: [[c.B, D]], attrs, tol: TOL.elementwise, label: `gather_bytes N=${c.N} B=${c.B} D=${D} shift=${shifted}` });
      }
    }
  }),
];
