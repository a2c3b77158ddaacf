/**
 * The profiler's report: per-dispatch GPU times of a training step, their bytes and FLOPs, the
 * achieved GB/s and GFLOP/s as fractions of this adapter's measured roofline, the host side of
 * the step, the gap between the dispatches' sum and the wall time, and memory. Pure data and
 * formatting (a key-averages table like torch.profiler's, JSON, Chrome's trace-event format);
 * the measuring is done by the backend (src/backend/profile.ts).
 */

/** How a dispatch was timed: GPU timestamps around its own pass, or wall clock around its own submission. */
export type TimingMethod = 'timestamp' | 'alone';

/** One dispatch of a step, as measured (medians over the profiled steps). */
export interface DispatchTiming {
  /** Position in the step. */
  index: number;
  /** The op of the graph (after fusion), e.g. 'matmul', 'optim.adam'. */
  op: string;
  /** The kernel entry point (`family.entry`): the variant. */
  kernel: string;
  /** Input shapes → output shapes, e.g. '[64,784]·[512,784] → [64,512]'. */
  shapes: string;
  workgroups: readonly [number, number, number];
  /** Override constants of the pipeline (workgroup size, rows per thread, ...). */
  overrides: Readonly<Record<string, number>>;
  /** GPU milliseconds (median over steps). */
  ms: number;
  /** Start within the step's GPU time line (ms from the first dispatch's start). */
  startMs: number;
  /** Bytes moved (reads + writes) and floating-point operations, as declared by the kernel's lowering or estimated from
   * its bindings. */
  bytes: number;
  flops: number;
  cost: 'declared' | 'bindings';
  method: TimingMethod;
}

/** This adapter's measured roofline. */
export interface Roofline {
  /** GB/s of a buffer-to-buffer copy (bytes read + written per second). */
  copyGBs: number;
  /** GB/s of a vec4 copy kernel (bytes read + written). */
  copyKernelGBs: number;
  /** The bandwidth fractions are taken against: the larger of the two. */
  bandwidthGBs: number;
  /** GFLOP/s of a register-only FMA kernel. */
  peakGflops: number;
}

/** Host side of one step (medians, ms): encoding the command buffer, submitting it, waiting for it. */
export interface HostTiming {
  /** program.run() and the wait for the device, end to end. */
  wallMs: number;
  encodeMs: number;
  submitMs: number;
  waitMs: number;
  /** The rest of the wall time on the host: validating and uploading the feeds, hooks, backpressure. */
  otherMs: number;
}

export interface MemoryStats {
  /** Most bytes of storage buffers alive at once on this backend since it started. */
  peakBufferBytes: number;
  /** Bytes of storage buffers alive now. */
  liveBufferBytes: number;
  /** This program's workspace arena (intermediates in slots reused by liveness). */
  workspaceBytes: number;
}

/** A row of the key-averages table: the dispatches of one kernel on one shape. */
export interface KeyAverage {
  kernel: string;
  op: string;
  shapes: string;
  calls: number;
  totalMs: number;
  avgMs: number;
  /** Share of the step's summed dispatch time. */
  fraction: number;
  bytes: number;
  flops: number;
  gbs: number;
  gflops: number;
  /** Achieved GB/s over the roofline's bandwidth, GFLOP/s over its peak. */
  bandwidthFraction: number;
  peakFraction: number;
  method: TimingMethod;
}

export interface ProfileData {
  adapter: string;
  /** Steps profiled (each figure is a median over them). */
  steps: number;
  method: TimingMethod;
  dispatches: DispatchTiming[];
  host: HostTiming;
  roofline: Roofline;
  memory: MemoryStats;
  /** Variants the device profile chose, by family and shape class (what tuning picked). */
  variants: Record<string, string>;
  /** Host events of the profiled steps for the trace (ms since the profile started). */
  events: { name: string; startMs: number; ms: number; step: number }[];
  /** Where each profiled step's GPU work began on the same clock (its submission). */
  gpuStartMs: number[];
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** A profiled step: its dispatches, their key averages, the table, JSON and a Chrome trace. */
export class StepProfile {
  constructor(readonly data: ProfileData) {}

  /** Summed GPU time of the dispatches (ms). */
  get dispatchMs(): number {
    return sum(this.data.dispatches.map((d) => d.ms));
  }

  /** Wall time of a step minus its dispatches' sum: submission, barriers, waiting, host work. */
  get gapMs(): number {
    return this.data.host.wallMs - this.dispatchMs;
  }

  /** Dispatches grouped by kernel and shapes, most time first (torch.profiler's
   * key_averages(group_by_input_shape=True)). */
  keyAverages(): KeyAverage[] {
    const total = this.dispatchMs;
    const { bandwidthGBs, peakGflops } = this.data.roofline;
    const groups = new Map<string, DispatchTiming[]>();
    for (const d of this.data.dispatches) {
      const k = `${d.kernel}|${d.op}|${d.shapes}`;
      groups.set(k, [...(groups.get(k) ?? []), d]);
    }
    const rows: KeyAverage[] = [];
    for (const ds of groups.values()) {
      const totalMs = sum(ds.map((d) => d.ms));
      const bytes = sum(ds.map((d) => d.bytes));
      const flops = sum(ds.map((d) => d.flops));
      const secs = Math.max(totalMs, 1e-6) / 1e3;
      const gbs = bytes / secs / 1e9;
      const gflops = flops / secs / 1e9;
      rows.push({
        kernel: ds[0].kernel, op: ds[0].op, shapes: ds[0].shapes, calls: ds.length, totalMs, avgMs: totalMs / ds.length,
        fraction: total > 0 ? totalMs / total : 0, bytes, flops, gbs, gflops,
        bandwidthFraction: bandwidthGBs > 0 ? gbs / bandwidthGBs : 0,
          peakFraction: peakGflops > 0 ? gflops / peakGflops : 0,
        method: ds[0].method,
      });
    }
    return rows.sort((a, b) => b.totalMs - a.totalMs);
  }

  /** The key-averages table and the step's summary, as text. */
  table(): string {
    const d = this.data;
    const rows = this.keyAverages();
    const head = ['kernel', 'op', 'shapes', 'calls', 'GPU ms', '%', 'GB/s', '%BW', 'GFLOP/s', '%peak'];
    const cells = rows.map((r) => [
      r.kernel, r.op, r.shapes, String(r.calls), r.totalMs.toFixed(3), pct(r.fraction),
      r.bytes ? r.gbs.toFixed(2) : '', r.bytes ? pct(r.bandwidthFraction) : '',
      r.flops ? r.gflops.toFixed(2) : '', r.flops ? pct(r.peakFraction) : '',
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const left = new Set([0, 1, 2]);
    const line = (c: string[]) => c.map((s,
      i) => (left.has(i) ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
    const h = d.host;
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
    const how = d.method === 'timestamp'
      ? 'GPU timestamps around each dispatch in a pass of its own'
      : 'wall clock around each dispatch submitted alone, less an empty submission';
    return [
      `profile of one step on ${d.adapter}: medians of ${d.steps} steps; dispatches timed by ${how}`,
      line(head),
      line(widths.map((w) => '-'.repeat(w))),
      ...cells.map(line),
      '',
      `dispatches: ${d.dispatches.length}, summed ${this.dispatchMs.toFixed(3)} ms; step wall time ` +
        `${h.wallMs.toFixed(3)} ms; ` +
        `gap ${this.gapMs.toFixed(3)} ms (${pct(h.wallMs > 0 ? this.gapMs / h.wallMs : 0)} of the wall time)`,
      `host: encode ${h.encodeMs.toFixed(3)} ms, submit ${h.submitMs.toFixed(3)} ms, wait ${h.waitMs.toFixed(3)} ms, ` +
        `other (feeds, hooks) ${h.otherMs.toFixed(3)} ms`,
      `roofline: copy ${d.roofline.copyGBs.toFixed(2)} GB/s (buffer copy), ${d.roofline.copyKernelGBs.toFixed(2)} ` +
        `GB/s (copy kernel); ` +
        `peak ${d.roofline.peakGflops.toFixed(1)} GFLOP/s (register-only FMA kernel)`,
      `memory: peak buffers ${mb(d.memory.peakBufferBytes)}, live ${mb(d.memory.liveBufferBytes)}, ` +
        `this program's workspace arena ${mb(d.memory.workspaceBytes)}`,
      ...(Object.keys(d.variants).length
        ? [`variants: ${Object.entries(d.variants).map(([k, v]) => `${k} → ${v}`).join(', ')}`] : []),
    ].join('\n');
  }

  toJSON(): object {
    return {
      ...this.data, events: undefined, gpuStartMs: undefined,
      dispatchMs: this.dispatchMs, gapMs: this.gapMs, keyAverages: this.keyAverages(),
    };
  }

  /**
   * Chrome's trace-event format (opens in Perfetto and chrome://tracing): the host's encode,
   * submit and wait of each profiled step on one track, its dispatches on another, from the
   * submission on (dispatch times are the medians, laid end to end as measured).
   */
  trace(): object {
    const d = this.data;
    const us = (ms: number) => Math.round(ms * 1000 * 1000) / 1000;
    const ev: object[] = [
      { name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: `slope on ${d.adapter}` } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'host' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 2, args: { name: `GPU (${d.method})` } },
    ];
    for (const e of d.events) ev.push({ name: e.name, cat: 'host', ph: 'X', pid: 1, tid: 1, ts: us(e.startMs),
      dur: us(e.ms), args: { step: e.step } });
    d.gpuStartMs.forEach((t0, step) => {
      for (const x of d.dispatches) {
        ev.push({
          name: x.kernel, cat: x.op, ph: 'X', pid: 1, tid: 2, ts: us(t0 + x.startMs), dur: us(x.ms),
          args: { step, op: x.op, shapes: x.shapes, workgroups: x.workgroups.join('×'), bytes: x.bytes, flops: x.flops,
            ...x.overrides },
        });
      }
    });
    return { traceEvents: ev, displayTimeUnit: 'ms',
      otherData: { adapter: d.adapter, roofline: d.roofline, method: d.method } };
  }
}

function pct(f: number): string {
  return `${(100 * f).toFixed(1)}%`;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
