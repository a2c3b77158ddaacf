/**
 * expectClose: the one comparison helper. Passes when the norm-wise relative error is under
 * tol.rel and each element is within atol + rtol·|ref|; NaN matches only NaN and ±Inf only the
 * same infinity. On failure it throws with the label, the counts, the worst errors and the first
 * mismatching pairs.
 */
import type { Tol } from '../tolerances.js';

export type Arr = ArrayLike<number>;

export function relError(got: Arr, ref: Arr): number {
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!Number.isFinite(ref[i])) continue;
    num += (got[i] - ref[i]) ** 2;
    den += ref[i] ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

export function expectClose(got: Arr, ref: Arr, tol: Pick<Tol, 'rel' | 'atol' | 'rtol'>, label: string): void {
  if (got.length !== ref.length) throw new Error(`${label}: length ${got.length} vs reference ${ref.length}`);
  let bad = 0, maxAbs = 0, maxRel = 0, first = -1;
  const pairs: string[] = [];
  for (let i = 0; i < ref.length; i++) {
    const g = got[i], r = ref[i];
    let ok: boolean;
    if (Number.isNaN(r)) ok = Number.isNaN(g);
    else if (!Number.isFinite(r)) ok = g === r;
    else if (!Number.isFinite(g)) ok = false;
    else {
      const d = Math.abs(g - r);
      maxAbs = Math.max(maxAbs, d);
      if (r !== 0) maxRel = Math.max(maxRel, d / Math.abs(r));
      ok = d <= tol.atol + tol.rtol * Math.abs(r);
    }
    if (!ok) {
      bad++;
      if (first < 0) first = i;
      if (pairs.length < 5) pairs.push(`[${i}] got ${g} want ${r}`);
    }
  }
  const rel = relError(got, ref);
  if (bad || !(rel <= tol.rel)) {
    throw new Error(
      `${label}: ${bad}/${ref.length} elements out of tolerance, ‖Δ‖/‖ref‖ = ${rel.toExponential(2)} (limit ${tol.rel}), ` +
      `max abs ${maxAbs.toExponential(2)}, max rel ${maxRel.toExponential(2)}, first bad index ${first}\n  ${pairs.join('\n  ')}`,
    );
  }
}
