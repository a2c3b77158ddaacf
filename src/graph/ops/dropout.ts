/**
 * Dropout in training mode (PyTorch's F.dropout with training=True): y = x · keep / (1 − p).
 * The masks come from the graph input 'dropout_rng' (int32 (seed, step), fed each step; the
 * trainer feeds the run's seed and its step), so a run is reproducible and a resumed run draws
 * the same masks. Eval mode is the identity: modules build no node for it.
 */
import { ArgumentError } from '../../errors.js';
import { DROPOUT_RNG, OPS } from '../../ops/index.js';
import { Tensor, build, type Graph } from '../tensor.js';
import { sameGraph } from './shape.js';

/** The graph's (seed, step) input that every dropout node reads, made on first use. */
export function dropoutRng(g: Graph): Tensor {
  const found = g.nodes.find((t) => t.op === OPS.input && t.ref === DROPOUT_RNG);
  return found ?? g.input(DROPOUT_RNG, [2], 'i32');
}

/**
 * y = dropout(x) with probability p of zeroing each element. `stream` tells the layers of one
 * graph apart; by default the number of dropout nodes already in the graph (its order).
 */
export function dropout(x: Tensor, p = 0.5, stream?: number): Tensor {
  sameGraph('dropout', x);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new ArgumentError(`dropout: p must be a probability in [0, 1], got ${p}`);
  const s = stream ?? x.graph.nodes.filter((t) => t.op === OPS.dropout).length;
  return build(OPS.dropout, [x, dropoutRng(x.graph)], { p, stream: s });
}
