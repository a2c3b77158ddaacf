/** The input record stored with a model: round trip through a checkpoint, and every field checked on reading. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCheckpoint, decodeCheckpoint, type TrainState } from '../../src/io/checkpoint.js';
import { checkInputSpec, readInputSpec, type InputSpec } from '../../src/io/input.js';
import { encodeSafetensors } from '../../src/io/safetensors.js';
import { CheckpointMismatchError } from '../../src/io/errors.js';

const input: InputSpec = {
  shape: [3], numClasses: 2, classNames: ['no', 'yes'], kind: 'csv', columns: ['a', 'b', 'c', 'y'], labelColumn: 3,
  standardize: { mean: [0.1, 1e5 + 1 / 3, -2], std: [1, 0, 1e-7], count: 10 },
};
const state: TrainState = {
  params: [['w', Float32Array.of(1, 2, 3)]], buffers: [], optimizer: null,
  progress: { step: 1, epoch: 0, batch: 1, seed: 0, rng: 0 }, schedule: null, config: { model: 'linear' }, input,
};
const expected = { tensors: new Map([['w', { shape: [3], dtype: 'f32' as const, kind: 'param' as const }]]) };

test('the input record round-trips exactly (float64 statistics) and is absent from older checkpoints', () => {
  const bytes = encodeCheckpoint(state, new Map([['w', [3]]]));
  assert.equal(decodeCheckpoint(bytes, expected).input, input);
  assert.equal(readInputSpec(bytes), input);
  const old = encodeCheckpoint({ ...state, input: null }, new Map([['w', [3]]]));
  assert.is(decodeCheckpoint(old, expected).input, null);
  assert.is(readInputSpec(old), null);
});

test('a malformed input record is refused, naming the field', () => {
  const cases: [unknown, RegExp][] = [
    [[], /not an object/],
    [{ ...input, shape: [3.5] }, /shape \[3.5\] is not a list of positive integers/],
    [{ ...input, numClasses: 0 }, /numClasses 0/],
    [{ ...input, classNames: ['only one'] }, /classNames must be null or 2 strings/],
    [{ ...input, kind: 'parquet' }, /kind "parquet" is not one of csv, images, idx, builtin/],
    [{ ...input, standardize: { ...input.standardize, mean: [1, 2] } }, /standardize needs 3 finite means/],
    [{ ...input, standardize: { ...input.standardize, std: [1, -1, 1] } }, /negative/],
    [{ ...input, standardize: { ...input.standardize, mean: [1, null, 2] } }, /finite means/],
    [{ ...input, resize: [28] }, /resize must be null or \[H, W\]/],
  ];
  for (const [v, re] of cases) {
    assert.throws(() => checkInputSpec(v), (e: Error) => e instanceof CheckpointMismatchError && re.test(e.message), JSON.stringify(v));
  }
  const bad = encodeSafetensors([], { input: '{' });
  assert.throws(() => readInputSpec(bad), /metadata 'input' is not valid JSON/);
});

test.run();
