/**
 * What a model's inputs are, stored with the model in a checkpoint (metadata key 'input', JSON):
 * the shape of one sample, the class names, where the data's columns or images came from, and
 * the feature standardization fitted on the training data, so that evaluation, prediction and
 * export apply the same transform and check their inputs. Checked field by field on reading:
 * nothing in it is trusted before it is validated.
 */
import { CheckpointMismatchError } from './errors.js';
import { decodeSafetensors } from './safetensors.js';

/** Per-feature x̃ = (x − mean) / std, std 0 meaning a constant feature (divided by 1). */
export interface StoredStandardizer {
  mean: number[];
  std: number[];
  /** Training samples the statistics came from. */
  count: number;
}

export interface InputSpec {
  /** Shape of one sample: [features] for tables, [C, H, W] for images. */
  shape: number[];
  numClasses: number;
  /** Class names in label order (CSV label names, image folder names), or null for plain indices. */
  classNames: string[] | null;
  /** Where the features come from. */
  kind: 'csv' | 'images' | 'idx' | 'builtin';
  /** csv: the header's cells (label included), or null for a file without a header. */
  columns?: string[] | null;
  /** csv: index of the label column in a row. */
  labelColumn?: number;
  /** images: every image was resized to [H, W] (null: used at its own size). */
  resize?: [number, number] | null;
  /** Standardization fitted on the training samples, or null. */
  standardize: StoredStandardizer | null;
}

export const INPUT_KINDS = ['csv', 'images', 'idx', 'builtin'] as const;

const isInt = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
const numbers = (v: unknown, n: number) =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Validate a parsed 'input' record; errors name the field. */
export function checkInputSpec(v: unknown): InputSpec {
  const bad = (why: string): never => { throw new CheckpointMismatchError(`metadata 'input': ${why}`); };
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad('not an object');
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.shape) || !o.shape.length || !o.shape.every((d) => isInt(d, 1))) {
    bad(`shape ${JSON.stringify(o.shape)} is not a list of positive integers`);
  }
  const shape = o.shape as number[];
  const features = shape.reduce((a, d) => a * d, 1);
  if (!Number.isSafeInteger(features)) bad(`shape ${JSON.stringify(shape)} is too large`);
  if (!isInt(o.numClasses, 1)) bad(`numClasses ${JSON.stringify(o.numClasses)} is not a positive integer`);
  const numClasses = o.numClasses as number;
  if (o.classNames !== null && !(strings(o.classNames) && (o.classNames as string[]).length === numClasses)) {
    bad(`classNames must be null or ${numClasses} strings`);
  }
  const show = JSON.stringify;
  const kinds = INPUT_KINDS as readonly unknown[];
  if (!kinds.includes(o.kind)) bad(`kind ${show(o.kind)} is not one of ${INPUT_KINDS.join(', ')}`);
  if (o.columns != null && !strings(o.columns)) bad('columns must be null or strings');
  const lc = o.labelColumn;
  if (lc !== undefined && !isInt(lc, 0)) bad(`labelColumn ${show(lc)} is not a non-negative integer`);
  const hw = o.resize as unknown[] | null | undefined;
  const pair = Array.isArray(hw) && hw.length === 2 && hw.every((d) => isInt(d, 1));
  if (hw != null && !pair) bad('resize must be null or [H, W]');
  const st = o.standardize as Record<string, unknown> | null | undefined;
  if (st != null) {
    if (typeof st !== 'object' || !numbers(st.mean, features) || !numbers(st.std, features)) {
      bad(`standardize needs ${features} finite means and standard deviations`);
    }
    if ((st.std as number[]).some((s) => s < 0)) bad('standardize: a standard deviation is negative');
    if (!isInt(st.count, 1)) bad('standardize: count is not a positive integer');
  }
  return {
    shape, numClasses, classNames: (o.classNames as string[] | null) ?? null, kind: o.kind as InputSpec['kind'],
    ...(o.columns !== undefined ? { columns: o.columns as string[] | null } : {}),
    ...(o.labelColumn !== undefined ? { labelColumn: o.labelColumn as number } : {}),
    ...(o.resize !== undefined ? { resize: o.resize as [number, number] | null } : {}),
    standardize: st ? { mean: st.mean as number[], std: st.std as number[], count: st.count as number } : null,
  };
}

/** Parse the 'input' metadata value (JSON text). */
export function parseInputSpec(json: string): InputSpec {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new CheckpointMismatchError("metadata 'input' is not valid JSON");
  }
  return checkInputSpec(v);
}

/** The input record of a checkpoint's bytes, or null when it has none (written before it existed). */
export function readInputSpec(bytes: Uint8Array): InputSpec | null {
  const meta = decodeSafetensors(bytes).metadata;
  return meta.input === undefined ? null : parseInputSpec(meta.input);
}
