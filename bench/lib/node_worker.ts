/**
 * A browser-style global `Worker` on node:worker_threads, enough for libraries that start module
 * workers from blob URLs and talk through onmessage/postMessage (jax-js's WebAssembly worker
 * pool). Benches only: installNodeWorker() defines globalThis.Worker.
 */
import { resolveObjectURL } from 'node:buffer';
import { Worker as ThreadWorker } from 'node:worker_threads';

// Inside the thread: the browser worker's globals over parentPort.
const PRELUDE = `
const { parentPort } = require('node:worker_threads');
globalThis.self = globalThis;
globalThis.postMessage = (d) => parentPort.postMessage(d);
parentPort.on('message', (d) => { if (typeof self.onmessage === 'function') self.onmessage({ data: d }); });
`;

class NodeWorker {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { message: string }) => void) | null = null;
  private thread: ThreadWorker | null = null;
  private queued: unknown[] = [];
  private dead = false;

  constructor(url: string | URL) {
    const blob = resolveObjectURL(String(url));
    if (!blob) throw new Error(`Worker: ${String(url)} is not a blob URL of this process`);
    // The source arrives asynchronously; messages posted meanwhile wait in a queue.
    void blob.text().then((src) => {
      if (this.dead) return;
      const t = new ThreadWorker(PRELUDE + src, { eval: true });
      t.unref();
      t.on('message', (d: unknown) => this.onmessage?.({ data: d }));
      t.on('error', (e: Error) => this.onerror?.({ message: e.message }));
      this.thread = t;
      for (const m of this.queued) t.postMessage(m);
      this.queued = [];
    });
  }

  postMessage(m: unknown): void {
    if (this.thread) this.thread.postMessage(m);
    else this.queued.push(m);
  }

  terminate(): void {
    this.dead = true;
    void this.thread?.terminate();
  }
}

export function installNodeWorker(): void {
  (globalThis as unknown as { Worker: unknown }).Worker = NodeWorker;
}
