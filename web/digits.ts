/**
 * The built-in digits in the browser: the gzip'd MNIST-format (IDX) pair that scripts/serve.mjs
 * writes from the `mnist` package, read with the library's IDX reader (DecompressionStream for
 * gzip) and split as the Node loader splits them: within each class, every fifth digit is held
 * out for testing (splitDigits' rule, which holdOut(…, 0.2) applies to the class-ordered file).
 */
import * as slope from '../src/browser.js';

export const DIGIT_FILES = { images: 'data/digits-images-idx3-ubyte.gz', labels: 'data/digits-labels-idx1-ubyte.gz' } as const;

async function fetchBytes(url: string, onBytes?: (n: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status} (serve the page with npm run web)`);
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    got += value.length;
    onBytes?.(got);
  }
  const out = new Uint8Array(got);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** The 10,000 digits as one dataset (bytes, scale 1/255), class by class. */
export async function loadDigits(base = '', onBytes?: (n: number) => void): Promise<slope.Dataset> {
  const [images, labels] = await Promise.all([fetchBytes(base + DIGIT_FILES.images, onBytes), fetchBytes(base + DIGIT_FILES.labels)]);
  return slope.mnistFromIdx(
    { bytes: images, file: DIGIT_FILES.images }, { bytes: labels, file: DIGIT_FILES.labels },
    { name: 'digits', classNames: slope.DIGIT_CLASSES, inflate: slope.webInflate },
  );
}

/** The documented split of the built-in digits (8,004 for training, 1,996 for testing). */
export function splitBuiltin(all: slope.Dataset): slope.Split {
  return slope.holdOut(all, 0.2);
}

/** Pixels of sample i as bytes (for drawing). */
export function imageBytes(ds: slope.Dataset, i: number): Uint8Array {
  const D = ds.features;
  if (ds.bytes) return ds.bytes.data.subarray(i * D, (i + 1) * D);
  return Uint8Array.from(ds.x.subarray(i * D, (i + 1) * D), (v) => Math.round(Math.max(0, Math.min(1, v)) * 255));
}
