/**
 * A contour map of a two-parameter loss with paths and arrows drawn over it, from the library's
 * contourPlot. The contour lines are drawn once per surface (from loss values the engine computed
 * on the plot's own grid); the paths are a second, transparent SVG of the same geometry on top,
 * redrawn cheaply as an experiment moves. Clicks are mapped back to (w₁, w₂).
 */
import { slope } from './common.js';

export interface MapOptions {
  title: string;
  xRange: [number, number];
  yRange: [number, number];
  /** Cells per side of the grid (the engine evaluates (grid+1)² points). */
  grid: number;
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
  legend?: 'top-right' | 'bottom-right' | 'top-left' | 'bottom-left';
}

export class ContourMap {
  private base = document.createElement('div');
  private overlay = document.createElement('div');

  constructor(readonly el: HTMLElement, public o: MapOptions) {
    el.classList.add('map');
    this.overlay.className = 'overlay';
    el.replaceChildren(this.base, this.overlay);
  }

  private common() {
    return {
      xRange: this.o.xRange, yRange: this.o.yRange, width: this.o.width ?? 560, height: this.o.height ?? 460,
      xLabel: this.o.xLabel ?? 'w₁', yLabel: this.o.yLabel ?? 'w₂', legend: this.o.legend,
    };
  }

  /**
   * The contour lines of `values` (the loss at the grid points, row by row: see SurfaceGrid) as
   * SVG, for show(). Tracing the contours takes tens of milliseconds: pages do it while they
   * start, not while the reader waits.
   */
  render(values: Float64Array, title = this.o.title, o: Pick<MapOptions, 'xRange' | 'yRange'> = this.o): string {
    const n = this.o.grid, [x0, x1] = o.xRange, [y0, y1] = o.yRange;
    if (values.length !== (n + 1) * (n + 1)) throw new Error(`internal: ${values.length} values for a ${n}-cell grid`);
    const at = (x: number, y: number) => values[Math.round(((y - y0) / (y1 - y0)) * n) * (n + 1) + Math.round(((x - x0) / (x1 - x0)) * n)];
    return slope.contourPlot({ ...this.common(), xRange: o.xRange, yRange: o.yRange, title, f: at, grid: n, levels: levels(values, 16) });
  }

  /** Show contours made by render() for the ranges `o` (the paths' geometry follows). */
  show(svg: string, o: Pick<MapOptions, 'xRange' | 'yRange'> = this.o): void {
    this.o = { ...this.o, xRange: o.xRange, yRange: o.yRange };
    this.base.innerHTML = svg;
  }

  /** Paths over the contours (lines, markers), redrawn on every call. */
  setPaths(paths: readonly slope.Series[]): void {
    const svg = slope.contourPlot({ ...this.common(), f: () => 0, grid: 1, levels: [], paths });
    // Transparent background, so that the contours below show through.
    this.overlay.innerHTML = svg.replace(/<rect width="\d+" height="\d+" fill="white"\/>/, '');
  }

  /** (w₁, w₂) under a click, or null outside the plot area. */
  private toData(ev: MouseEvent): [number, number] | null {
    const svg = this.overlay.querySelector('svg');
    const frame = svg?.querySelector<SVGRectElement>('rect[stroke="#333"]');
    const ctm = svg?.getScreenCTM();
    if (!svg || !frame || !ctm) return null;
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    const fx = frame.x.baseVal.value, fy = frame.y.baseVal.value, fw = frame.width.baseVal.value, fh = frame.height.baseVal.value;
    const u = (p.x - fx) / fw, v = (p.y - fy) / fh;
    if (u < 0 || u > 1 || v < 0 || v > 1) return null;
    const [x0, x1] = this.o.xRange, [y0, y1] = this.o.yRange;
    return [x0 + u * (x1 - x0), y1 - v * (y1 - y0)];
  }

  onClick(cb: (w1: number, w2: number) => void): void {
    this.overlay.addEventListener('click', (ev) => {
      const p = this.toData(ev);
      if (p) cb(p[0], p[1]);
    });
  }

  /** The page coordinates of (w₁, w₂) (for tests that click on the map). */
  clientPoint(w1: number, w2: number): { x: number; y: number } | null {
    const svg = this.overlay.querySelector('svg');
    const frame = svg?.querySelector<SVGRectElement>('rect[stroke="#333"]');
    const ctm = svg?.getScreenCTM();
    if (!svg || !frame || !ctm) return null;
    const [x0, x1] = this.o.xRange, [y0, y1] = this.o.yRange;
    const fx = frame.x.baseVal.value, fy = frame.y.baseVal.value, fw = frame.width.baseVal.value, fh = frame.height.baseVal.value;
    const p = new DOMPoint(fx + ((w1 - x0) / (x1 - x0)) * fw, fy + (1 - (w2 - y0) / (y1 - y0)) * fh).matrixTransform(ctm);
    return { x: p.x, y: p.y };
  }
}

/** k contour levels spaced geometrically above the lowest value, up to the highest. */
function levels(values: Float64Array, k: number): number[] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi > lo)) return [lo];
  return Array.from({ length: k }, (_, i) => lo + (hi - lo) * 10 ** (-4 + (4 * (i + 1)) / k));
}

/** A segment from p along d (scaled to `len` in data units), as a path. */
export function arrow(name: string, color: string, p: readonly number[], d: readonly number[], len: number, dash = false): slope.Series {
  const n = Math.hypot(d[0], d[1]) || 1;
  return { name, color, dash, x: [p[0], p[0] + (len * d[0]) / n], y: [p[1], p[1] + (len * d[1]) / n] };
}
