/** Types shared by the references. Inputs are read as numbers (f64); outputs round on store. */
export type In = ArrayLike<number>;
export type Out = { [i: number]: number; readonly length: number };

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
