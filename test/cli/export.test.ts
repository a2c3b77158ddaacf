/**
 * slope export --format torch: the Python file rebuilds the same nn.Sequential, loads the
 * checkpoint strictly with torch and the standard library, applies the stored standardization,
 * and gives slope's logits within float32 tolerance. Runs Python only where a python3 with torch
 * is installed (Debian: apt-get install python3-torch); otherwise it says so and checks the text.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { main } from '../../src/cli/main.js';
import { init } from '../../src/engine.js';
import { loadModel, predict } from '../../src/train/predict.js';
import { Rng } from '../util/rng.js';
import { skip } from '../util/skip.js';
import { idxBytes } from '../data/idx_fixtures.js';

async function slope(...argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  const code = await main(argv, { out: (l) => out.push(l), err: { write: (s: string) => { err += s; }, isTTY: false } });
  return { code, out, err };
}

/** A python3 that imports torch: $SLOPE_PYTHON, python3 on the PATH, or Debian's /usr/bin/python3. */
function torchPython(): string | null {
  for (const py of [process.env.SLOPE_PYTHON, 'python3', '/usr/bin/python3']) {
    if (py && spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60000 }).status === 0) return py;
  }
  return null;
}
const python = torchPython();

const dir = mkdtempSync(join(tmpdir(), 'slope-export-'));
const csv = join(dir, 'data.csv');
{
  const r = new Rng(5);
  const lines = ['a,b,c,d,cls'];
  for (let i = 0; i < 120; i++) {
    const c = i % 3;
    lines.push([...r.normal(4, 1)].map((v, k) => ((v + (k === c ? 2 : 0)) * 10 ** k).toFixed(4)).join(',') + `,${['x', 'y', 'z'][c]}`);
  }
  writeFileSync(csv, lines.join('\n') + '\n');
}
const run = ['--dataset', `csv:${csv}`, '--batch-size', '16', '--lr', '0.01', '--epochs', '3', '--backend', 'cpu', '--quiet'];

const models: [string, string[], RegExp[]][] = [
  ['batch-gelu', ['--model', 'mlp:8,6', '--norm', 'batch', '--activation', 'gelu'],
    [/nn\.Linear\(4, 8, bias=True\),\n\s+nn\.BatchNorm1d\(8, eps=0\.00001, momentum=0\.1, affine=True, track_running_stats=True\),\n\s+nn\.GELU\(approximate='none'\),\n\s+nn\.Linear\(8, 6, bias=True\)/, /nn\.Linear\(6, 3, bias=True\),\n\s+\)/]],
  ['layer-tanh', ['--model', 'mlp:5', '--norm', 'layer', '--activation', 'tanh'], [/nn\.Flatten\(\),\n\s+nn\.Linear\(4, 5, bias=True\),\n\s+nn\.LayerNorm\(\[5\], eps=0\.00001, elementwise_affine=True\),\n\s+nn\.Tanh\(\),\n\s+nn\.Linear\(5, 3, bias=True\)/]],
  ['raw-linear', ['--model', 'linear', '--standardize', 'false'], [/nn\.Flatten\(\),\n\s+nn\.Linear\(4, 3, bias=True\),\n\s+\)/]],
];

const x = new Float32Array(readFileSync(csv, 'utf8').trim().split('\n').slice(1).flatMap((l) => l.split(',').slice(0, 4).map(Number)));
const xs = join(dir, 'x.json');
writeFileSync(xs, JSON.stringify(Array.from(x)));
/** slope's logits per model (on the samples in file xs, of shape [-1, ...shape]), for one Python run at the end. */
const expected: { module: string; logits: Float32Array; xs: string; shape: number[] }[] = [];

// 8×8 grayscale images of 3 classes (a bright row band per class) as MNIST-format files (10 classes), for CNNs.
const idx = join(dir, 'idx');
mkdirSync(idx);
const images: number[] = [];
for (const [prefix, n] of [['train', 48], ['t10k', 12]] as const) {
  const r = new Rng(n);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const px = labels.flatMap((c) => Array.from({ length: 64 }, (_, k) => ((k >> 3) % 3 === c ? 180 : 30) + Math.floor(r.next() * 60)));
  if (prefix === 't10k') images.push(...px.map((v) => v / 255));
  writeFileSync(join(idx, `${prefix}-images-idx3-ubyte`), idxBytes(0x08, [n, 8, 8], px));
  writeFileSync(join(idx, `${prefix}-labels-idx1-ubyte`), idxBytes(0x08, [n], labels));
}
const imagesFile = join(dir, 'images.json');
writeFileSync(imagesFile, JSON.stringify(images));
const cnnRun = ['--dataset', `idx:${idx}`, '--batch-size', '12', '--lr', '0.01', '--epochs', '2', '--backend', 'cpu', '--quiet'];
const cnns: [string, string[], RegExp[]][] = [
  ['cnn-batch', ['--model', 'cnn:4,6/5', '--norm', 'batch', '--dropout', '0.25'], [new RegExp([
    "nn\\.Conv2d\\(1, 4, kernel_size=\\(3, 3\\), stride=\\(1, 1\\), padding='same', dilation=\\(1, 1\\), groups=1, bias=True\\)",
    'nn\\.BatchNorm2d\\(4, eps=0\\.00001, momentum=0\\.1, affine=True, track_running_stats=True\\)', 'nn\\.ReLU\\(\\)',
    'nn\\.MaxPool2d\\(\\(2, 2\\), stride=\\(2, 2\\), padding=\\(0, 0\\), dilation=\\(1, 1\\), ceil_mode=False\\)',
  ].join(',\\n\\s+')), /nn\.Flatten\(\),\n\s+nn\.Dropout\(p=0\.25\),\n\s+nn\.Linear\(24, 5, bias=True\)/]],
  ['cnn-group-gap', ['--model', 'cnn:4,gap', '--norm', 'group:2'],
    [/nn\.GroupNorm\(2, 4, eps=0\.00001, affine=True\),\n\s+nn\.ReLU\(\),\n\s+nn\.MaxPool2d[^\n]*\n\s+nn\.AdaptiveAvgPool2d\(1\),\n\s+nn\.Flatten\(\),\n\s+nn\.Linear\(4, 10, bias=True\)/]],
];

for (const [name, flags, texts] of models) {
  test(`export ${name}: the Python file builds the same layers`, async () => {
    const ck = join(dir, `${name}.st`);
    const t = await slope('train', ...run, ...flags, '--checkpoint', ck);
    assert.is(t.code, 0, t.err);
    const module = name.replace(/-/g, '_');
    const py = join(dir, `${module}.py`);
    const r = await slope('export', '--checkpoint', ck, '--format', 'torch', '--out', py);
    assert.is(r.code, 0, r.err);
    assert.match(r.out[0], /wrote .*\.py: a torch\.nn\.Sequential/);
    const text = readFileSync(py, 'utf8');
    for (const re of texts) assert.match(text, re);
    assert.match(text, /CHECKPOINT = os\.path\.join\(os\.path\.dirname\(os\.path\.abspath\(__file__\)\), "[\w-]+\.st"\)/, 'the checkpoint beside the module');
    // slope's logits for the whole table, on the float64 cpu backend.
    const engine = await init({ backend: 'cpu' });
    try {
      const m = loadModel(engine, new Uint8Array(readFileSync(ck)));
      expected.push({ module, logits: (await predict(engine, m.model, x, { sampleShape: [4], standardizer: m.input!.standardize })).logits, xs, shape: [4] });
    } finally {
      engine.dispose();
    }
  });
}

for (const [name, flags, texts] of cnns) {
  test(`export ${name}: the Python file builds the same conv layers`, async () => {
    const ck = join(dir, `${name}.st`);
    const t = await slope('train', ...cnnRun, ...flags, '--checkpoint', ck);
    assert.is(t.code, 0, t.err);
    const module = name.replace(/-/g, '_');
    const py = join(dir, `${module}.py`);
    const r = await slope('export', '--checkpoint', ck, '--format', 'torch', '--out', py);
    assert.is(r.code, 0, r.err);
    const text = readFileSync(py, 'utf8');
    for (const re of texts) assert.match(text, re);
    assert.match(text, /INPUT_SHAPE = \[1,8,8\]/);
    const engine = await init({ backend: 'cpu' });
    try {
      const m = loadModel(engine, new Uint8Array(readFileSync(ck)));
      const p = await predict(engine, m.model, Float32Array.from(images), { sampleShape: [1, 8, 8] });
      expected.push({ module, logits: p.logits, xs: imagesFile, shape: [1, 8, 8] });
    } finally {
      engine.dispose();
    }
  });
}

const inTorch = 'the exported models in PyTorch: strict load, eval mode, class names, and slope\'s logits within float32 tolerance';
if (!python) skip(test, inTorch, 'feature', 'no python3 with torch here (Debian: apt-get install python3-torch python3-numpy)');
else test(inTorch, () => {
  if (!python) return;
  const script = [
    'import importlib, json, sys, torch',
    `sys.path.insert(0, ${JSON.stringify(dir)})`,
    'out = {}',
    `for name, xs, shape in ${JSON.stringify(expected.map((e) => [e.module, e.xs, e.shape]))}:`,
    '    x = torch.tensor(json.load(open(xs)), dtype=torch.float32).reshape(-1, *shape)',
    '    net = importlib.import_module(name).load()',
    '    with torch.no_grad():',
    '        f32 = net(x).reshape(-1).tolist()',
    '        f64 = net.double()(x.double()).reshape(-1).tolist()',
    '    out[name] = {"logits": f32, "logits64": f64, "names": net.class_names, "training": net.training}',
    'print(json.dumps(out))',
  ].join('\n');
  const p = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 300000 });
  assert.is(p.status, 0, p.stderr);
  const res = JSON.parse(p.stdout.trim().split('\n').pop()!);
  for (const { module, logits } of expected) {
    const r = res[module];
    if (!module.startsWith('cnn')) assert.equal(r.names, ['x', 'y', 'z'], module);
    assert.is(r.training, false, module);
    assert.is(r.logits.length, logits.length, module);
    // torch in float32 against slope's float64 reference (rounded to float32): float32 tolerance;
    // torch in float64: any difference in a formula (e.g. GELU's form) would show far above 1e-6.
    // Differences are measured against the largest logit: max |torch − slope| / max |slope|.
    const scale = logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const worst = (got: number[]) => got.reduce((w, v, i) => Math.max(w, Math.abs(v - logits[i])), 0) / scale;
    console.log(`  ${module}: torch vs slope logits, max difference / max logit: float32 ${worst(r.logits).toExponential(1)}, float64 ${worst(r.logits64).toExponential(1)}`);
    assert.ok(worst(r.logits) < 1e-5, `${module}: largest difference in float32 ${worst(r.logits)} of the largest logit`);
    assert.ok(worst(r.logits64) < 1e-6, `${module}: largest difference in float64 ${worst(r.logits64)} of the largest logit`);
  }
});

test('export refuses what it cannot do: usage errors exit 2, a bad checkpoint exits 1 and writes nothing', async () => {
  const out = join(dir, 'none.py');
  let r = await slope('export', '--checkpoint', join(dir, 'raw-linear.st'), '--format', 'onnx', '--out', out);
  assert.is(r.code, 2);
  r = await slope('export', '--checkpoint', join(dir, 'raw-linear.st'));
  assert.is(r.code, 2);
  assert.match(r.err, /export needs --out/);
  const bad = join(dir, 'bad.st');
  writeFileSync(bad, 'not a checkpoint');
  r = await slope('export', '--checkpoint', bad, '--out', out);
  assert.is(r.code, 1);
  assert.match(r.err, /^slope: \w+Error: .*\n$/);
  assert.not.ok(existsSync(out));
});

test.run();
