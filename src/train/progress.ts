/**
 * Terminal progress: on a terminal one line redrawn in place (epoch, a bar, step, loss,
 * accuracy, steps/s, ETA); otherwise one plain line per log interval. Works with any sink that
 * has write(): process.stdout in Node, a page element's logger in a browser.
 */
import type { EpochEntry, LogEntry, ProgressSink } from './types.js';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(2, '0'), ss = String(r).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${m}:${ss}`;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

export class ProgressBar {
  private open = false;
  private lastPlain = -Infinity;

  /** Plain lines (not a terminal) are printed at most every `plainEverySeconds`. */
  constructor(private sink: ProgressSink, private epochs: number, private stepsPerEpoch: number,
    private plainEverySeconds = 10) {}

  /** A log interval: redraw the line (terminal) or print a line. */
  update(e: LogEntry, stepInEpoch: number, remainingSteps: number): void {
    const eta = formatDuration(remainingSteps / Math.max(e.stepsPerSecond, 1e-9));
    const head = `epoch ${e.epoch}/${this.epochs}`;
    const tail =
      `${stepInEpoch}/${this.stepsPerEpoch} loss ${e.loss.toFixed(4)} acc ${pct(e.accuracy)} ` +
        `${e.stepsPerSecond.toFixed(1)} steps/s ETA ${eta}`;
    if (this.sink.isTTY) {
      const width = Math.max(10, Math.min(30, (this.sink.columns ?? 100) - head.length - tail.length - 5));
      const done = Math.round((width * stepInEpoch) / Math.max(1, this.stepsPerEpoch));
      this.sink.write(`\r\x1b[K${head} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${tail}`);
      this.open = true;
    } else if (e.seconds - this.lastPlain >= this.plainEverySeconds) {
      this.lastPlain = e.seconds;
      this.sink.write(`${head} step ${tail}\n`);
    }
  }

  epochEnd(e: EpochEntry): void {
    this.close();
    const test = e.testLoss === null ? '' : `, test loss ${e.testLoss.toFixed(4)} acc ${pct(e.testAccuracy!)}`;
    this.sink.write(`epoch ${e.epoch}/${this.epochs}: train loss ${e.trainLoss.toFixed(4)} acc ` +
      `${pct(e.trainAccuracy)}${test} (${formatDuration(e.seconds)})\n`);
  }

  /** End an in-place line (before other output). */
  close(): void {
    if (this.open) this.sink.write('\n');
    this.open = false;
  }
}
