/**
 * Node side of the browser tests: finds Chromium, starts `scripts/serve.mjs` on a free port and
 * launches headless Chromium with WebGPU through playwright-core. Never downloads a browser.
 *
 * Headless Chromium on a machine without a GPU gets a WebGPU adapter on SwiftShader (Vulkan on
 * the CPU) with only `--enable-unsafe-webgpu`; the page must be a secure context, which
 * http://127.0.0.1 is (about:blank and data: URLs have no navigator.gpu).
 */
import { existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { chromium, type Browser } from 'playwright-core';
import type { Test } from 'uvu';
import { SIMULATED_NO_ADAPTER, skip } from '../util/skip.js';

export const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking',
  '--disable-component-update', '--no-first-run',
];

/** The Chromium executable, or null (the browser tests then skip). */
export function findChromium(): string | null {
  for (const p of CHROMIUM_CANDIDATES) if (p && existsSync(p)) return p;
  return null;
}

export const NO_CHROMIUM = `no Chromium installed (looked for ${CHROMIUM_CANDIDATES.filter(Boolean).join(', ')}; ` +
  'install Debian\'s `chromium` package or set CHROMIUM_PATH)';

/**
 * Registers `name` as a test on `t` where Chromium (and, if `webgpu`, an adapter) is there,
 * else as a reported skip. The adapter is Chromium's own (SwiftShader without a GPU), so only
 * SLOPE_TEST_NO_ADAPTER takes it away here.
 */
export function browserTest(t: Test, webgpu: boolean): (name: string, fn: () => unknown) => void {
  return (name, fn) => {
    if (!findChromium()) skip(t, name, 'no-browser', NO_CHROMIUM);
    else if (webgpu && SIMULATED_NO_ADAPTER) skip(t, name, 'no-adapter', SIMULATED_NO_ADAPTER);
    else t(name, async () => { await fn(); });
  };
}

export interface Server {
  url: string;
  stop(): void;
}

/** Start scripts/serve.mjs on a free port; resolves with its URL. */
export function startServer(): Promise<Server> {
  if (!existsSync('dist/web/suite.js') || !existsSync('dist/web/app.js')) {
    throw new Error('dist/web/ is not built: run node scripts/build.mjs first');
  }
  const child: ChildProcess = spawn(process.execPath, ['scripts/serve.mjs', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`serve.mjs did not start in 60 s: ${stderr}`)); }, 60_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.mjs exited with ${code}: ${stderr}`)); });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /slope web: (\S+)/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: m[1], stop: () => child.kill() });
    });
  });
}

export function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** One test file's Chromium and page server (fields set once its first test starts). */
export interface BrowserSession {
  readonly browser: Browser;
  readonly server: Server;
}

/**
 * Starts the page server and Chromium before the first test on `t` and closes both after the
 * last; registers nothing where Chromium is missing (browserTest then reports the skips).
 */
export function browserSession(t: Test): BrowserSession {
  const s = {} as { browser: Browser; server: Server };
  const executable = findChromium();
  if (executable) {
    t.before(async () => {
      s.server = await startServer();
      s.browser = await launch(executable);
    });
    t.after(async () => {
      await s.browser?.close();
      s.server?.stop();
    });
  }
  return s;
}

/** Seconds since t0, for messages. */
export function secs(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}
