/** Row-wise softmax and log-softmax over the last axis, and their backward ops. */
import { defineOp, sameAsFirst, type NoAttrs, type TensorMeta } from './schema.js';

const rule = (op: string) => (ins: readonly TensorMeta[], _at: NoAttrs) => sameAsFirst(op)(ins);

export const softmax = defineOp({ name: 'softmax', kind: 'kernel', family: 'softmax', infer: rule('softmax') });
export const logSoftmax = defineOp({ name: 'log_softmax', kind: 'kernel', family: 'softmax',
  infer: rule('logSoftmax') });
/** y ⊙ (g − Σ g⊙y): inputs [y, g]. */
export const softmaxBackward = defineOp({ name: 'softmax_backward', kind: 'kernel', family: 'softmax',
  infer: rule('softmax backward') });
/** g − exp(y)·Σ g: inputs [y, g]. */
export const logSoftmaxBackward = defineOp({
  name: 'log_softmax_backward', kind: 'kernel', family: 'softmax', infer: rule('logSoftmax backward'),
});

export const SOFTMAX_OPS = {
  softmax, log_softmax: logSoftmax, softmax_backward: softmaxBackward, log_softmax_backward: logSoftmaxBackward,
};
