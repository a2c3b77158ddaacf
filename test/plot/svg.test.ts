/**
 * The SVG charts' legend placement: 'auto' picks the first corner whose box covers no point or line
 * of the data (top-right, top-left, bottom-right, bottom-left), and goes outside the plot when all
 * four are taken; 'outside' widens the chart; unnamed series are left out of the legend.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';

const { linePlot } = slope;

/** The legend's box (x, y, width, height), or null when there is none. */
function legendBox(svg: string): [number, number, number, number] | null {
  const m = /<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)" fill="white" fill-opacity/.exec(svg);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] : null;
}
const width = (svg: string) => Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
const line = (name: string, x: number[], y: number[]) => ({ name, x, y });

test("legend 'auto': a rising line leaves the top-left corner free", () => {
  const svg = linePlot({ series: [line('rising', [0, 1], [0, 1])], legend: 'auto' });
  const [x, y] = legendBox(svg)!;
  assert.ok(x < 200 && y < 100, `box at ${x}, ${y}`);
  assert.is(width(svg), 720);
});

test("legend 'auto': a falling line leaves the top-right corner free", () => {
  const [x, y] = legendBox(linePlot({ series: [line('falling', [0, 1], [1, 0])], legend: 'auto' }))!;
  assert.ok(x > 400 && y < 100, `box at ${x}, ${y}`);
});

test("legend 'auto': a line along the top edge sends the legend to a bottom corner", () => {
  const series = [line('top', [0, 0.5, 1], [1, 1, 1]), line('low', [0, 1], [0, 0.5])];
  const [, y] = legendBox(linePlot({ series, legend: 'auto' }))!;
  assert.ok(y > 200, `box at y ${y}`);
});

test("legend 'auto': data in every corner puts the legend outside, and the chart widens", () => {
  const pts = { name: 'corners', x: [0, 1, 0, 1, 0.5], y: [0, 0, 1, 1, 0.5], markers: true, line: false };
  const svg = linePlot({ series: [pts], legend: 'auto', width: 500 });
  const [x] = legendBox(svg)!;
  assert.ok(x > 500 - 20, `box at x ${x}`);
  assert.ok(width(svg) > 500);
});

test('legend: unnamed series are left out; no named series, no legend and no widening', () => {
  const svg = linePlot({ series: [line('', [0, 1], [0, 1])], legend: 'outside', width: 500 });
  assert.is(legendBox(svg), null);
  assert.is(width(svg), 500);
  const two = linePlot({ series: [line('a', [0, 1], [0, 1]), line('', [0, 1], [1, 0])] });
  assert.is((two.match(/<text x="[\d.]+" y="[\d.]+">/g) ?? []).length, 1);
});

test("contour legend 'auto': a path through every corner puts the legend outside the map", () => {
  const zigzag = { name: 'zigzag', x: [-1, 1, -1, 1], y: [1, 1, -1, -1] };
  const f = (x: number, y: number) => x * x + y * y;
  const svg = slope.contourPlot({ f, xRange: [-1, 1], yRange: [-1, 1], width: 500, paths: [zigzag], legend: 'auto' });
  assert.ok(legendBox(svg)![0] > 500 - 20);
  assert.ok(width(svg) > 500);
});

test.run();
