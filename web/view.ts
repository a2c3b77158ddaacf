/** The page's live charts, drawn with the library's SVG line plot. */
import * as slope from '../src/browser.js';

/** [step, value] series. */
export interface Charts {
  loss: [number, number][];
  trainAcc: [number, number][];
  testLoss: [number, number][];
  testAcc: [number, number][];
}

export function resetCharts(c: Charts): void {
  for (const k of Object.keys(c) as (keyof Charts)[]) c[k].length = 0;
}

function series(name: string, color: string, pts: [number, number][], markers = false): slope.Series {
  return { name, color, x: pts.map((p) => p[0]), y: pts.map((p) => p[1]), markers };
}

/** A log-axis range with some room above and below the data. */
function paddedLogRange(values: number[]): [number, number] | undefined {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (!v.length) return undefined;
  return [Math.min(...v) / 1.25, Math.max(...v) * 1.25];
}

export function drawCharts(c: Charts): void {
  const size = { width: 520, height: 260, xLabel: 'step' };
  document.getElementById('loss-chart')!.innerHTML = slope.linePlot({
    ...size, title: 'loss (cross-entropy)', yLog: true, yRange: paddedLogRange([...c.loss, ...c.testLoss].map((p) => p[1])),
    series: [series('training', '#3559d1', c.loss), series('test set', '#16794a', c.testLoss, true)],
  });
  document.getElementById('acc-chart')!.innerHTML = slope.linePlot({
    ...size, title: 'accuracy', yRange: [0, 1], legend: 'bottom-right',
    series: [series('training', '#3559d1', c.trainAcc), series('test set', '#16794a', c.testAcc, true)],
  });
}
