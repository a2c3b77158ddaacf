/**
 * Helpers for the tests of the site's chapter pages (web/*.html with web/pages/*.ts): open a
 * page and wait for its programs to compile, read the numbers it shows, wait for its
 * experiments to finish, the long tasks it had after its first compile, and a screenshot per
 * page under dist/test-output/ (never docs/: scripts/web_figures.mjs copies chosen ones there).
 */
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { LongTask, PageState } from '../../web/lecture/common.js';

export const OUT_DIR = 'dist/test-output';
/** The budget of one main-thread task after the first compile (the RAIL "long task" line). */
export const LONG_TASK_MS = 50;

declare global {
  interface Window {
    __page: PageState;
  }
}

export interface OpenOptions {
  /** Take navigator.gpu away before the page's scripts run. */
  noWebGpu?: boolean;
  width?: number;
  height?: number;
}

/** Open `file` of the site and wait until it is ready (or, without WebGPU, showing its banner). */
export async function openChapter(browser: Browser, base: string, file: string, opts: OpenOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1400, height: opts.height ?? 1000 } });
  page.on('pageerror', (e) => console.log(`  page error (${file}): ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') console.log(`  console error (${file}): ${m.text()}`); });
  if (opts.noWebGpu) await page.addInitScript(() => { delete (Navigator.prototype as { gpu?: unknown }).gpu; });
  await page.goto(base + file);
  if (opts.noWebGpu) {
    await page.waitForSelector('#nogpu:not([hidden])', { timeout: 60_000 });
    return page;
  }
  await ready(page, file);
  return page;
}

export async function ready(page: Page, what: string): Promise<void> {
  await page.waitForFunction(() => window.__page?.ready || window.__page?.error, null, { timeout: 180_000, polling: 100 });
  const error = await page.evaluate(() => window.__page.error);
  assert.not.ok(error, `${what} failed to start: ${error}`);
}

/** A number as the pages print it (− for minus, exponents as 1.2e-5). */
export function parseShown(text: string | null): number {
  return Number((text ?? '').trim().replace(/−/g, '-'));
}

export async function shown(page: Page, id: string): Promise<number> {
  return parseShown(await page.textContent(`#${id}`));
}

/** Wait until `name` has counted at least `n` steps (or runs) and nothing runs any more. */
export async function settled(page: Page, name: string, n: number, timeout = 120_000): Promise<void> {
  await page.waitForFunction(([k, m]) => ((window.__page.counts[k as string] ?? 0) >= (m as number) && !window.__page.running.length) || window.__page.error,
    [name, n] as const, { timeout, polling: 100 });
  const error = await page.evaluate(() => window.__page.error);
  assert.not.ok(error, `the page failed: ${error}`);
}

/** Wait until nothing runs. */
export async function idle(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => !window.__page.running.length || window.__page.error, null, { timeout, polling: 100 });
}

/** The long tasks the page had after its first compile. */
export async function longTasksAfterCompile(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => window.__page.longTasks.filter((t) => t.start >= (window.__page.firstCompile ?? Infinity)));
}

/** One main-thread task from a trace: its wall time and the time the thread ran (ms). */
export interface TracedTask {
  wall: number;
  cpu: number;
}

/**
 * A trace of the page's main thread (Chrome DevTools Protocol tracing), for the time each task
 * ran on the CPU. The Long Tasks API reports wall time, which on a machine shared by more
 * processes than it has cores counts the time others ran too; the thread time does not.
 */
export class MainThreadTrace {
  private events: { name: string; ph: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } }[] = [];
  private constructor(private cdp: CDPSession) {
    cdp.on('Tracing.dataCollected', (e) => { this.events.push(...(e.value as unknown as typeof this.events)); });
  }

  static async start(page: Page): Promise<MainThreadTrace> {
    const t = new MainThreadTrace(await page.context().newCDPSession(page));
    await t.cdp.send('Tracing.start', { categories: 'toplevel,devtools.timeline,__metadata', transferMode: 'ReportEvents' });
    return t;
  }

  async stop(): Promise<TracedTask[]> {
    const done = new Promise((resolve) => this.cdp.once('Tracing.tracingComplete', resolve));
    await this.cdp.send('Tracing.end');
    await done;
    await this.cdp.detach();
    const mains = new Set(this.events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    return this.events.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`))
      .map((e) => ({ wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? e.dur ?? 0) / 1000 }));
  }
}

/** True when this machine runs more processes than it has cores (the 1-minute load average). */
export function contended(): boolean {
  return loadavg()[0] > cpus().length;
}

/**
 * The page's responsiveness after its first compile, for the test's output: the long tasks the
 * page itself saw (PerformanceObserver 'longtask', wall time) and, from `trace`, the CPU time of
 * the longest main-thread task. Fails on a task whose CPU time is over LONG_TASK_MS, and — where
 * the machine is not oversubscribed, so that wall time means the page's own work — on a long task.
 */
export async function checkResponsive(page: Page, what: string, trace: TracedTask[]): Promise<string> {
  const all = await page.evaluate(() => window.__page.longTasks);
  const after = await longTasksAfterCompile(page);
  const worstWall = Math.max(0, ...after.map((t) => t.duration));
  const worstCpu = trace.reduce((a, t) => (t.cpu > a.cpu ? t : a), { wall: 0, cpu: 0 });
  const busy = contended();
  const line = `${what}: long tasks (wall) ${all.length - after.length} before the first compile, ${after.length} after` +
    (after.length ? ` (longest ${worstWall.toFixed(0)} ms)` : '') +
    `; longest main-thread task after it ${worstCpu.cpu.toFixed(1)} ms CPU (${worstCpu.wall.toFixed(1)} ms wall) of ${trace.length}` +
    (busy ? `; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores` : '');
  assert.ok(trace.length > 0, `${what}: the trace holds no main-thread task (tracing did not work)`);
  assert.ok(worstCpu.cpu <= LONG_TASK_MS, `${line}: a task ran ${worstCpu.cpu.toFixed(0)} ms on the main thread`);
  if (!busy) assert.ok(worstWall <= LONG_TASK_MS, `${line}: ${after.map((t) => `${t.duration.toFixed(0)} ms at ${t.start.toFixed(0)}`).join(', ')}`);
  return line;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUT_DIR, { recursive: true });
  const path = `${OUT_DIR}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
