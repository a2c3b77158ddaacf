/** Training curves as one SVG: loss (train per log interval, test per epoch) above accuracy. */
import { linePlot, type Series } from '../plot/svg.js';
import type { History } from '../train/types.js';

export function curvesSvg(h: History, stepsPerEpoch: number, title: string): string {
  const ep = (step: number) => step / stepsPerEpoch;
  const train = (pick: (e: History['log'][number]) => number): Series => ({ name: 'train',
    x: h.log.map((e) => ep(e.step)), y: h.log.map(pick) });
  const test = (pick: (e: History['epochs'][number]) => number | null): Series[] => {
    const es = h.epochs.filter((e) => pick(e) !== null);
    return es.length ? [{ name: 'test', x: es.map((e) => e.epoch), y: es.map((e) => pick(e)!), markers: true }] : [];
  };
  const w = 640, hgt = 320;
  const loss = linePlot({ title: `${title}: loss`, xLabel: 'epoch', yLabel: 'cross-entropy', width: w, height: hgt,
    yLog: true,
    series: [train((e) => e.loss), ...test((e) => e.testLoss)] });
  const acc = linePlot({ title: `${title}: accuracy`, xLabel: 'epoch', yLabel: 'accuracy', width: w, height: hgt,
    legend: 'bottom-right',
    series: [train((e) => e.accuracy), ...test((e) => e.testAccuracy)] });
  const inner = (svg: string) => svg.replace(/^<\?xml[^>]*>\s*/, '');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${2 * hgt}" viewBox="0 0 ${w} ${2 * hgt}">\n` +
    `<g>${inner(loss)}</g>\n<g transform="translate(0,${hgt})">${inner(acc)}</g>\n</svg>\n`;
}
