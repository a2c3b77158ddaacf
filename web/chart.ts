/** A small live line chart on a canvas: several series, linear or log y axis, a legend. */
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  logY?: boolean;
  /** Fixed y range (e.g. [0, 1] for accuracy); auto when absent. */
  yRange?: [number, number];
}

const PAD = { left: 48, right: 12, top: 26, bottom: 30 };

function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const first = Math.ceil(lo / step - 1e-9);
  const count = Math.min(50, Math.floor(hi / step + 1e-9) - first + 1);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Number(((first + i) * step).toPrecision(12)));
  return out;
}

/** Ticks for a log axis, as log10 values: 1, 2, 5 × 10^k inside [lo, hi] (decades when many). */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const mults = hi - lo > 3 ? [1] : [1, 2, 5];
  for (let k = Math.floor(lo); k <= Math.ceil(hi) && out.length < 50; k++) {
    for (const m of mults) {
      const t = k + Math.log10(m);
      if (t >= lo && t <= hi) out.push(t);
    }
  }
  return out.length >= 2 ? out : niceTicks(lo, hi);
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

export class LineChart {
  private ctx: CanvasRenderingContext2D;

  constructor(private canvas: HTMLCanvasElement, private opts: ChartOptions) {
    this.ctx = canvas.getContext('2d')!;
  }

  draw(series: Series[]): void {
    const { canvas, ctx, opts } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
    if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.fillText(opts.title, PAD.left, 14);
    const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!opts.logY || y > 0));
    if (!all.length) return;
    const ty = (y: number) => (opts.logY ? Math.log10(y) : y);
    let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
    let [y0, y1] = opts.yRange ?? [Math.min(...all.map((p) => ty(p[1]))), Math.max(...all.map((p) => ty(p[1])))];
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
    if (!opts.yRange) { const m = (y1 - y0) * 0.05; y0 -= m; y1 += m; }
    const pw = w - PAD.left - PAD.right, ph = h - PAD.top - PAD.bottom;
    const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * pw;
    const sy = (y: number) => PAD.top + (1 - (ty(y) - y0) / (y1 - y0)) * ph;
    this.axes(x0, x1, y0, y1, sx, pw, ph);
    series.forEach((s, i) => this.line(s, series.length - i, sx, sy, opts.logY));
  }

  private axes(x0: number, x1: number, y0: number, y1: number, sx: (x: number) => number, pw: number, ph: number): void {
    const { ctx, opts } = this;
    ctx.strokeStyle = '#ddd';
    ctx.fillStyle = '#666';
    ctx.lineWidth = 1;
    for (const t of opts.logY ? logTicks(y0, y1) : niceTicks(y0, y1)) {
      const py = PAD.top + (1 - (t - y0) / (y1 - y0)) * ph;
      ctx.beginPath(); ctx.moveTo(PAD.left, py); ctx.lineTo(PAD.left + pw, py); ctx.stroke();
      ctx.fillText(opts.logY ? fmt(10 ** t) : fmt(t), 4, py + 4);
    }
    for (const t of niceTicks(x0, x1, 6)) {
      const px = sx(t);
      ctx.fillText(fmt(t), px - 8, PAD.top + ph + 14);
    }
    ctx.fillText(opts.xLabel, PAD.left + pw - ctx.measureText(opts.xLabel).width, PAD.top + ph + 27);
    ctx.strokeStyle = '#999';
    ctx.strokeRect(PAD.left, PAD.top, pw, ph);
  }

  private line(s: Series, slot: number, sx: (x: number) => number, sy: (y: number) => number, logY?: boolean): void {
    const { ctx } = this;
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.6;
    ctx.setLineDash(s.dashed ? [5, 3] : []);
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y) || (logY && y <= 0)) { pen = false; continue; }
      if (pen) ctx.lineTo(sx(x), sy(y)); else ctx.moveTo(sx(x), sy(y));
      pen = true;
    }
    ctx.stroke();
    if (s.points.length === 1) {
      const [x, y] = s.points[0];
      ctx.fillStyle = s.color;
      ctx.fillRect(sx(x) - 2, sy(y) - 2, 4, 4);
    }
    ctx.setLineDash([]);
    // Legend: right-aligned in the title row, one entry per series.
    const lx = this.canvas.clientWidth - PAD.right - 120 * slot;
    ctx.fillStyle = s.color;
    ctx.fillRect(lx, 9, 12, 3);
    ctx.fillStyle = '#333';
    ctx.fillText(s.name, lx + 16, 14);
  }
}
