/** The type of the backward-rule table: one vector-Jacobian product per differentiable op. */
import type { AttrsOf, DiffOpName } from '../../ops/index.js';
import type { Node, Tensor } from '../tensor.js';

/**
 * Gradients of a scalar objective w.r.t. each input of `out`, given `g` = its gradient w.r.t.
 * `out`. Written in IR ops, so gradients can be differentiated again. null = no gradient flows.
 */
export type Vjp<A extends object> = (out: Node<A>, g: Tensor) => (Tensor | null)[];
export type VjpTable = { readonly [N in DiffOpName]: Vjp<AttrsOf<N>> };
