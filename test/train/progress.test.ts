/** Progress output: one redrawn line on a terminal, throttled plain lines otherwise; durations. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';

const { ProgressBar, formatDuration } = slope;

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { write: (x: string) => { out.push(x); }, isTTY, columns: 100 } };
}

const entry = (step: number, seconds: number): slope.LogEntry => ({ step, epoch: 1, loss: 0.5 + step / 1000, accuracy: 0.875, samples: 64, lr: 1e-3, stepsPerSecond: 10, seconds });

test('on a terminal the line is redrawn in place with bar, step, loss, accuracy, rate and ETA', () => {
  const { out, s } = sink(true);
  const bar = new ProgressBar(s, 3, 100);
  bar.update(entry(50, 1), 50, 250);
  assert.match(out[0], /^\r\x1b\[Kepoch 1\/3 \[#+\.+\] 50\/100 loss 0\.5500 acc 87\.50% 10\.0 steps\/s ETA 0:25$/);
  bar.epochEnd({ epoch: 1, step: 100, trainLoss: 0.4, trainAccuracy: 0.9, testLoss: 0.45, testAccuracy: 0.88, lr: 1e-3, seconds: 75 });
  assert.is(out[1], '\n', 'the in-place line is ended first');
  assert.is(out[2], 'epoch 1/3: train loss 0.4000 acc 90.00%, test loss 0.4500 acc 88.00% (1:15)\n');
});

test('without a terminal: plain lines, at most one per interval', () => {
  const { out, s } = sink(false);
  const bar = new ProgressBar(s, 1, 100, 10);
  bar.update(entry(10, 1), 10, 90);
  bar.update(entry(20, 5), 20, 80);
  bar.update(entry(30, 12), 30, 70);
  assert.is(out.length, 2);
  assert.ok(out.every((l) => l.endsWith('\n') && !l.includes('\r')));
  assert.match(out[1], /^epoch 1\/1 step 30\/100 loss 0\.5300/);
});

test('durations', () => {
  assert.is(formatDuration(0), '0:00');
  assert.is(formatDuration(61.4), '1:01');
  assert.is(formatDuration(3725), '1:02:05');
  assert.is(formatDuration(Infinity), '--:--');
});

test.run();
