/** Shape helpers shared by op builders: axis normalisation, graph checks; broadcasting is in src/ops. */
import { ShapeError } from '../../errors.js';
import { tensorArg, type Tensor } from '../tensor.js';

export { broadcastShapes, sameShape, requireF32 } from '../../ops/index.js';

/** A possibly negative axis turned into 0..rank-1, or a ShapeError. */
export function normAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Every argument is a Tensor (else an ArgumentError naming it), all of one graph. */
export function sameGraph(op: string, ...ts: Tensor[]): void {
  ts.forEach((t, i) => tensorArg(op, `argument ${i + 1}`, t));
  for (const t of ts) {
    if (t.graph !== ts[0].graph) throw new ShapeError(`${op}: tensors come from different graphs`);
  }
}
