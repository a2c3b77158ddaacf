/** CSV datasets: headers, label columns, class names, and the errors for bad files. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { slope } from '../util/engine.js';
import { Rng } from '../util/rng.js';
import { throws } from '../util/rejects.js';

const { parseCsv, DataFormatError } = slope;

test('numeric features and integer labels, header detected, last column by default', () => {
  const r = new Rng(4);
  const rows = Array.from({ length: 9 }, () => [...r.normal(3)].map((v) => +v.toFixed(4)));
  const labels = Array.from({ length: 9 }, () => Math.floor(r.next() * 4));
  const text = 'a,b,c,label\r\n' + rows.map((row, i) => [...row, labels[i]].join(',')).join('\r\n') + '\r\n\r\n';
  const ds = parseCsv(text, 'data.csv');
  assert.is(ds.length, 9);
  assert.equal(ds.sampleShape, [3]);
  assert.is(ds.numClasses, Math.max(...labels) + 1);
  assert.equal(Array.from(ds.y), labels);
  assert.equal(Array.from(ds.x), rows.flat().map(Math.fround));
});

test('label column by name or index; string labels become sorted class names', () => {
  const text = 'species,len,width\nsetosa,1.5,0.2\nvirginica,5.1,2.0\nversicolor,4.0,"1.3"\nsetosa,1.4,0.3\n';
  const ds = parseCsv(text, 'iris.csv', { label: 'species' });
  assert.equal(ds.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.equal(Array.from(ds.y), [0, 2, 1, 0]);
  assert.equal(Array.from(ds.x), [1.5, 0.2, 5.1, 2.0, 4.0, 1.3, 1.4, 0.3].map(Math.fround));
  const noHeader = parseCsv('1,2,0\n3,4,1\n', 'n.csv', { label: 0 });
  assert.equal(Array.from(noHeader.y), [1, 3]);
  assert.equal(Array.from(noHeader.x), [2, 0, 4, 1]);
  const semi = parseCsv('x;y\n1.5;1\n2.5;0\n', 's.csv', { delimiter: ';' });
  assert.equal(Array.from(semi.y), [1, 0]);
});

test('ragged rows, non-numeric and empty cells name the file, line and column', () => {
  throws(() => parseCsv('a,b,label\n1,2,0\n3,0\n', 'r.csv'), DataFormatError, /r.csv: line 3: 2 cells, expected 3 \(as in line 1\)/);
  throws(() => parseCsv('a,b,label\n1,2,0\n3,abc,1\n', 'n.csv'), DataFormatError, /n.csv: line 3, column 2 \('b'\): 'abc' is not a finite number/);
  throws(() => parseCsv('1,2,0\n3,,1\n', 'e.csv'), DataFormatError, /e.csv: line 2, column 2 \('column 2'\): empty cell/);
  throws(() => parseCsv('a,b,label\n1,Infinity,0\n', 'i.csv'), DataFormatError, /'Infinity' is not a finite number/);
  throws(() => parseCsv('a,b,label\n1,2,\n', 'l.csv'), DataFormatError, /empty label/);
  throws(() => parseCsv('', 'empty.csv'), DataFormatError, /no rows/);
  throws(() => parseCsv('a,b,label\n', 'h.csv'), DataFormatError, /header but no data rows/);
  throws(() => parseCsv('a,b\n1,2\n', 'x.csv', { label: 'c' }), DataFormatError, /no column named 'c'/);
  throws(() => parseCsv('1,2\n"3,4\n', 'q.csv'), DataFormatError, /line 2: a quoted cell is not closed/);
});

test('holdOut keeps every k-th sample of each class for testing', () => {
  const text = 'v,label\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 2}`).join('\n');
  const { train, test: held } = slope.holdOut(parseCsv(text, 'h.csv'), 0.2);
  assert.is(train.length + held.length, 50);
  assert.is(held.length, 10);
  assert.equal(Array.from(held.x), [8, 9, 18, 19, 28, 29, 38, 39, 48, 49]);
});

test.run();
