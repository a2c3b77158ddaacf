/**
 * Small, dependency-free SVG charts for benches, the CLI's --curves and schedules:
 * line charts with linear or log axes, and trajectories over a contour map of a 2-d function.
 * Output is a standalone SVG string (browser-safe: no Node imports).
 */

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  color?: string;
  /** Dashed line. */
  dash?: boolean;
  /** Draw a dot at each point (and no line when `line` is false). */
  markers?: boolean;
  line?: boolean;
}

export interface LinePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  series: readonly Series[];
  xLog?: boolean;
  yLog?: boolean;
  width?: number;
  height?: number;
  xRange?: [number, number];
  yRange?: [number, number];
  /**
   * Where the legend goes (default 'top-right'): a corner where the curves are not, or 'outside',
   * a column right of the plot area (the chart widens by its width) that covers nothing, or 'auto':
   * the first corner (top-right, top-left, bottom-right, bottom-left) whose box covers no point or
   * line of the data, else 'outside'.
   */
  legend?: LegendPlace;
}

export type LegendPlace = 'top-right' | 'bottom-right' | 'top-left' | 'bottom-left' | 'outside' | 'auto';
type Corner = Exclude<LegendPlace, 'outside' | 'auto'>;

export const PALETTE = [
  '#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22',
];

const M = { left: 70, right: 20, top: 36, bottom: 52 };

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

interface Axis {
  map(v: number): number;
  ticks: number[];
}

function axis(lo: number, hi: number, log: boolean, p0: number, p1: number): Axis {
  if (log) {
    const l0 = Math.log10(lo), l1 = Math.log10(hi);
    const span = l1 - l0 || 1;
    const ticks: number[] = [];
    const every = Math.max(1, Math.ceil((l1 - l0) / 10)); // at most about ten labelled decades
    for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
      const v = 10 ** e;
      if (e % every === 0 && v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
    if (l1 - l0 < 2.5) {
      // Few decades: add 2× and 5× ticks so the axis stays readable.
      for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
        for (const m of [2, 5]) {
          const v = m * 10 ** e;
          if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
        }
      }
      ticks.sort((a, b) => a - b);
    }
    if (ticks.length < 2) ticks.push(lo, hi);
    return { map: (v) => p0 + ((Math.log10(v) - l0) / span) * (p1 - p0), ticks };
  }
  const span = hi - lo || 1;
  const step = niceStep(span / 6);
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return { map: (v) => p0 + ((v - lo) / span) * (p1 - p0), ticks };
}

function niceStep(raw: number): number {
  const e = 10 ** Math.floor(Math.log10(raw));
  const f = raw / e;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * e;
}

/** The data's range, widened by 4% of it on each side so that no marker sits on the frame. */
function extent(vals: number[], log: boolean): [number, number] {
  const v = vals.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (!v.length) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...v), hi = Math.max(...v);
  if (lo === hi) {
    if (log) { lo /= 2; hi *= 2; } else { lo -= 0.5; hi += 0.5; }
  }
  if (log) {
    const pad = 10 ** (0.04 * Math.log10(hi / lo));
    return [lo / pad, hi * pad];
  }
  const pad = 0.04 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** The SVG around a chart; `pw` is the width of the plotting part (titles centre over it). */
function frame(
  w: number, h: number, title: string | undefined, xLabel: string | undefined, yLabel: string | undefined,
  body: string, pw = w,
): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"` +
      ' font-family="sans-serif" font-size="12">',
    `<rect width="${w}" height="${h}" fill="white"/>`,
    title
      ? `<text x="${pw / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`
      : '',
    body,
    xLabel ? `<text x="${(M.left + pw - M.right) / 2}" y="${h - 10}" text-anchor="middle">${esc(xLabel)}</text>` : '',
    yLabel
      ? `<text transform="translate(16 ${(M.top + h - M.bottom) / 2}) rotate(-90)" text-anchor="middle">` +
        `${esc(yLabel)}</text>`
      : '',
    '</svg>',
  ].join('\n');
}

function axesSvg(xa: Axis, ya: Axis, w: number, h: number): string {
  const x0 = M.left, x1 = w - M.right, y0 = h - M.bottom, y1 = M.top;
  const out: string[] = [
    `<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#333"/>`,
  ];
  for (const t of xa.ticks) {
    const x = xa.map(t);
    out.push(`<line x1="${x}" y1="${y1}" x2="${x}" y2="${y0}" stroke="#eee"/>` +
      `<text x="${x}" y="${y0 + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ya.ticks) {
    const y = ya.map(t);
    out.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eee"/>` +
      `<text x="${x0 - 6}" y="${y + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  return out.join('\n');
}

function seriesSvg(series: readonly Series[], xa: Axis, ya: Axis, xLog: boolean, yLog: boolean, clip: string): string {
  const out: string[] = [];
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts: string[] = [];
    for (let k = 0; k < Math.min(s.x.length, s.y.length); k++) {
      const x = s.x[k], y = s.y[k];
      if (!Number.isFinite(x) || !Number.isFinite(y) || (xLog && x <= 0) || (yLog && y <= 0)) continue;
      pts.push(`${xa.map(x).toFixed(2)},${ya.map(y).toFixed(2)}`);
    }
    if (s.line !== false && pts.length > 1) {
      const dash = s.dash ? ' stroke-dasharray="6 4"' : '';
      out.push(`<polyline clip-path="url(#${clip})" fill="none" stroke="${color}" stroke-width="1.8"${dash}` +
        ` points="${pts.join(' ')}"/>`);
    }
    if (s.markers || pts.length === 1) {
      for (const p of pts) {
        const [x, y] = p.split(',');
        out.push(`<circle clip-path="url(#${clip})" cx="${x}" cy="${y}" r="3" fill="${color}"/>`);
      }
    }
  });
  return out.join('\n');
}

/** Legend box width for these names (12 px sans-serif: about 7 px a character). */
function legendWidth(series: readonly Series[]): number {
  return Math.max(80, ...series.map((s) => Math.ceil(40 + 7.2 * s.name.length)));
}

/** The series a legend lists: those with a name and at least one point, with their index. */
function legendSeries(all: readonly Series[]): { s: Series; i: number }[] {
  return all.map((s, i) => ({ s, i })).filter(({ s }) => s.name && Math.min(s.x.length, s.y.length) > 0);
}

/** The legend box of these series at `place` in the plot area [x0, x1] × [y1, y0] (rect: top + 2 … + bh). */
function legendBox(series: readonly Series[], place: Exclude<LegendPlace, 'auto'>, x0: number, x1: number, y1: number,
  y0: number): { left: number; top: number; bw: number; bh: number } {
  const bw = legendWidth(series), bh = series.length * 16 + 6;
  const left = place === 'outside' ? x1 + 10 : place.endsWith('left') ? x0 + 6 : x1 - bw - 6;
  const top = place.startsWith('bottom') ? y0 - bh - 6 : y1 + 2;
  return { left, top, bw, bh };
}

/**
 * The place for an 'auto' legend: the first corner whose box (with a 4-pixel margin) holds no data
 * point and no point of a line sampled every 2 pixels; null when every corner covers data.
 */
function freeCorner(series: readonly Series[], xa: Axis, ya: Axis, xLog: boolean, yLog: boolean,
  x0: number, x1: number, y1: number, y0: number): Corner | null {
  const named = legendSeries(series).map(({ s }) => s);
  if (!named.length) return 'top-right';
  const pts: [number, number][] = [];
  for (const s of series) {
    let prev: [number, number] | null = null;
    for (let k = 0; k < Math.min(s.x.length, s.y.length); k++) {
      const x = s.x[k], y = s.y[k];
      if (!Number.isFinite(x) || !Number.isFinite(y) || (xLog && x <= 0) || (yLog && y <= 0)) continue;
      const p: [number, number] = [xa.map(x), ya.map(y)];
      if (prev && s.line !== false) {
        const steps = Math.min(2000, Math.ceil(Math.hypot(p[0] - prev[0], p[1] - prev[1]) / 2));
        for (let j = 1; j < steps; j++) {
          const t = j / steps;
          pts.push([prev[0] + t * (p[0] - prev[0]), prev[1] + t * (p[1] - prev[1])]);
        }
      }
      pts.push(p);
      prev = p;
    }
  }
  const corners: Corner[] = ['top-right', 'top-left', 'bottom-right', 'bottom-left'];
  return corners.find((c) => {
    const { left, top, bw, bh } = legendBox(named, c, x0, x1, y1, y0);
    return !pts.some(([x, y]) => x >= left - 4 && x <= left + bw + 4 && y >= top + 2 - 4 && y <= top + 2 + bh + 4);
  }) ?? null;
}

/**
 * The legend of the series that have a name and at least one point, placed in a corner of the
 * plot area [x0, x1] × [y1, y0] (or right of it for 'outside').
 */
function legendSvg(
  all: readonly Series[], place: Exclude<LegendPlace, 'auto'>, x0: number, x1: number, y1: number, y0: number,
): string {
  const series = legendSeries(all);
  if (!series.length) return '';
  const { left, top, bw, bh } = legendBox(series.map(({ s }) => s), place, x0, x1, y1, y0);
  const out: string[] = [];
  series.forEach(({ s, i }, k) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const y = top + 16 + k * 16;
    const x = left + 6;
    const swatch = s.line === false
      ? `<circle cx="${x + 11}" cy="${y - 4}" r="3.5" fill="${color}"/>`
      : `<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${color}" stroke-width="2.5"` +
        `${s.dash ? ' stroke-dasharray="6 4"' : ''}/>`;
    out.push(`${swatch}<text x="${x + 28}" y="${y}">${esc(s.name)}</text>`);
  });
  return `<g><rect x="${left}" y="${top + 2}" width="${bw}" height="${bh}" fill="white" fill-opacity="0.85"` +
    ` stroke="#ccc"/>${out.join('')}</g>`;
}

let clipCounter = 0;

/** The clip path of the plot area of a w × h chart. */
function clipDef(id: string, w: number, h: number): string {
  return `<defs><clipPath id="${id}"><rect x="${M.left}" y="${M.top}" width="${w - M.left - M.right}"` +
    ` height="${h - M.top - M.bottom}"/></clipPath></defs>`;
}

/** A line chart of several series. */
export function linePlot(o: LinePlotOptions): string {
  const pw = o.width ?? 720, h = o.height ?? 440;
  const xs = o.series.flatMap((s) => [...s.x]);
  const ys = o.series.flatMap((s) => [...s.y]);
  const [xlo, xhi] = o.xRange ?? extent(xs, !!o.xLog);
  const [ylo, yhi] = o.yRange ?? extent(ys, !!o.yLog);
  const xa = axis(xlo, xhi, !!o.xLog, M.left, pw - M.right);
  const ya = axis(ylo, yhi, !!o.yLog, h - M.bottom, M.top);
  const asked = o.legend ?? 'top-right';
  const place = asked !== 'auto' ? asked
    : freeCorner(o.series, xa, ya, !!o.xLog, !!o.yLog, M.left, pw - M.right, M.top, h - M.bottom) ?? 'outside';
  const named = legendSeries(o.series).map(({ s }) => s);
  const extra = place === 'outside' && named.length ? legendWidth(named) + 20 : 0;
  const w = pw + extra;
  const clip = `c${clipCounter++}`;
  const body = [
    clipDef(clip, pw, h),
    axesSvg(xa, ya, pw, h),
    seriesSvg(o.series, xa, ya, !!o.xLog, !!o.yLog, clip),
    legendSvg(o.series, place, M.left, pw - M.right, M.top, h - M.bottom),
  ].join('\n');
  return frame(w, h, o.title, o.xLabel, o.yLabel, body, pw);
}

export interface ContourPlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** The surface. */
  f: (x: number, y: number) => number;
  xRange: [number, number];
  yRange: [number, number];
  /** Contour levels (default: 12 levels spaced geometrically above the minimum on the grid). */
  levels?: number[];
  /** Paths drawn over the contours (e.g. optimizer trajectories). */
  paths?: readonly Series[];
  width?: number;
  height?: number;
  /** Grid resolution (cells per side). */
  grid?: number;
  /** Legend place (default 'top-right'); 'auto' looks only at the paths (the contours cover the whole map). */
  legend?: LegendPlace;
}

/** Contour lines of f (marching squares) with trajectories on top. */
export function contourPlot(o: ContourPlotOptions): string {
  const w = o.width ?? 720, h = o.height ?? 520;
  const n = o.grid ?? 120;
  const [x0, x1] = o.xRange, [y0, y1] = o.yRange;
  const xa = axis(x0, x1, false, M.left, w - M.right);
  const ya = axis(y0, y1, false, h - M.bottom, M.top);
  const vals: number[][] = [];
  let lo = Infinity, hi = -Infinity;
  for (let j = 0; j <= n; j++) {
    const row: number[] = [];
    for (let i = 0; i <= n; i++) {
      const v = o.f(x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * j) / n);
      row.push(v);
      if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
    vals.push(row);
  }
  const levels = o.levels ?? geometricLevels(lo, hi, 12);
  const segs: string[] = [];
  const px = (i: number) => xa.map(x0 + ((x1 - x0) * i) / n);
  const py = (j: number) => ya.map(y0 + ((y1 - y0) * j) / n);
  levels.forEach((lv, li) => {
    const shade = Math.round(120 + (100 * li) / Math.max(1, levels.length - 1));
    const color = `rgb(${shade},${shade},${Math.min(255, shade + 40)})`;
    const d: string[] = [];
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const c = [vals[j][i], vals[j][i + 1], vals[j + 1][i + 1], vals[j + 1][i]];
        const pts: [number, number][] = [];
        const corners: [number, number][] = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
        for (let e = 0; e < 4; e++) {
          const a = c[e], b = c[(e + 1) % 4];
          if ((a < lv) !== (b < lv) && Number.isFinite(a) && Number.isFinite(b)) {
            const t = (lv - a) / (b - a);
            const [ia, ja] = corners[e], [ib, jb] = corners[(e + 1) % 4];
            pts.push([px(ia + t * (ib - ia)), py(ja + t * (jb - ja))]);
          }
        }
        for (let k = 0; k + 1 < pts.length; k += 2) {
          const [[ax, ay], [bx, by]] = [pts[k], pts[k + 1]];
          d.push(`M${ax.toFixed(1)} ${ay.toFixed(1)}L${bx.toFixed(1)} ${by.toFixed(1)}`);
        }
      }
    }
    if (d.length) segs.push(`<path d="${d.join('')}" stroke="${color}" stroke-width="1" fill="none"/>`);
  });
  const clip = `c${clipCounter++}`;
  const paths = o.paths ?? [];
  const place = o.legend !== 'auto' ? o.legend ?? 'top-right'
    : freeCorner(paths, xa, ya, false, false, M.left, w - M.right, M.top, h - M.bottom) ?? 'outside';
  const named = legendSeries(paths).map(({ s }) => s);
  const extra = place === 'outside' && named.length ? legendWidth(named) + 20 : 0;
  const body = [
    clipDef(clip, w, h),
    axesSvg(xa, ya, w, h),
    `<g clip-path="url(#${clip})">${segs.join('\n')}</g>`,
    seriesSvg(paths, xa, ya, false, false, clip),
    legendSvg(paths, place, M.left, w - M.right, M.top, h - M.bottom),
  ].join('\n');
  return frame(w + extra, h, o.title, o.xLabel, o.yLabel, body, w);
}

function geometricLevels(lo: number, hi: number, k: number): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) return [lo];
  const base = hi - lo;
  const out: number[] = [];
  for (let i = 1; i <= k; i++) out.push(lo + base * 10 ** (-4 + (4 * i) / k));
  return out;
}

/** A plain-text table (for bench output and markdown docs). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmtCell(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => '| ' + r.map((c, i) => String(c ?? '').padEnd(widths[i])).join(' | ') + ' |';
  return [line(headers), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...cells.map(line)].join('\n');
}

function fmtCell(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : v.toPrecision(4);
}
