/** Backward rules of the data ops (gather) and the metrics: none flows. */
import { ArgumentError } from '../../errors.js';
import type { VjpTable } from './types.js';

const noGradient = (op: string) => () => {
  throw new ArgumentError(`${op}: the table is data; gradients with respect to it are not implemented`);
};

export const DATA_VJPS = {
  gather: noGradient('gather'),
  gather_bytes: noGradient('gatherBytes'),
  argmax: () => [null],
  correct: () => [null, null],
  class_metrics: () => [null, null, null, null],
} satisfies Partial<VjpTable>;
