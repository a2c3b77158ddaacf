/**
 * IDX files (the MNIST format), raw or gzip-compressed, from bytes: works in Node and browsers.
 * Layout: magic = 0x00 0x00 type ndims; then ndims big-endian uint32 dimensions; then the data,
 * row-major, big-endian. Types: 0x08 ubyte, 0x09 sbyte, 0x0B int16, 0x0C int32, 0x0D float32,
 * 0x0E float64. Everything the header declares is checked against the bytes present (or, for
 * gzip, against a cap) before any array sized from the header is allocated.
 */
import { DataFormatError } from './errors.js';

export const IDX_TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'ubyte', size: 1 },
  0x09: { name: 'sbyte', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

/** Largest IDX payload accepted unless the caller says otherwise (1 GiB). */
export const DEFAULT_MAX_IDX_BYTES = 2 ** 30;

export interface IdxHeader {
  type: number;
  typeName: string;
  dims: number[];
  /** 4 + 4·ndims. */
  headerBytes: number;
  /** Bytes of data the header declares. */
  dataBytes: number;
}

export interface IdxExpect {
  /** Required type name, e.g. 'ubyte'. */
  type?: string;
  /** Required number of dimensions. */
  ndims?: number;
  /** Required first dimension (the sample count of a companion file). */
  count?: number;
  /** What the file should hold, for messages ('images', 'labels'). */
  role?: string;
}

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  header: IdxHeader;
  data: IdxData;
}

const hex = (b: Uint8Array, n = 4) => '0x' + [...b.subarray(0, n)].map((v) => v.toString(16).padStart(2, '0')).join('');

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parse and validate the header. `available` is the byte count present (null while inflating:
 * then `max` caps the declared size instead). Throws DataFormatError naming the file.
 */
export function parseIdxHeader(bytes: Uint8Array, file: string, expect: IdxExpect = {},
  max = DEFAULT_MAX_IDX_BYTES): IdxHeader {
  if (bytes.length < 4) throw new DataFormatError(file,
    `truncated IDX header: ${bytes.length} bytes, the magic number alone needs 4`);
  if (isGzip(bytes)) throw new DataFormatError(file,
    `bad magic ${hex(bytes)}: the file is still gzip-compressed (decompress it, or load it with a gzip-aware reader)`);
  const [z0, z1, type, nd] = bytes;
  const t = IDX_TYPES[type];
  if (z0 !== 0 || z1 !== 0 || !t) {
    throw new DataFormatError(file,
      `bad magic ${hex(bytes)}: an IDX file starts 0x00 0x00, a type byte (0x08, 0x09, 0x0b–0x0e) and the number of ` +
        `dimensions${expect.role ? ` (expected MNIST ${expect.role})` : ''}`);
  }
  if (nd < 1 || nd > 4) throw new DataFormatError(file,
    `IDX header declares ${nd} dimensions (byte 3); 1 to 4 are supported`);
  const headerBytes = 4 + 4 * nd;
  if (bytes.length < headerBytes) throw new DataFormatError(file,
    `truncated IDX header: ${bytes.length} bytes, ${nd} dimensions need ${headerBytes}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(dv.getUint32(4 + 4 * i, false));
  let elems = 1;
  for (const d of dims) elems *= d;
  const dataBytes = elems * t.size;
  const h: IdxHeader = { type, typeName: t.name, dims, headerBytes, dataBytes };
  checkExpect(h, file, expect);
  if (!Number.isSafeInteger(dataBytes) || headerBytes + dataBytes > max) {
    throw new DataFormatError(file,
      `IDX header declares ${dims.join(' × ')} ${t.name} values (${dataBytes} bytes), above the limit of ${max} bytes`);
  }
  return h;
}

function checkExpect(h: IdxHeader, file: string, e: IdxExpect): void {
  const role = e.role ? `MNIST ${e.role} ` : '';
  if (e.type && h.typeName !== e.type) throw new DataFormatError(file,
    `${role}must hold ${e.type} values, the header says ${h.typeName}`);
  if (e.ndims !== undefined && h.dims.length !== e.ndims) {
    throw new DataFormatError(file,
      `${role}must have ${e.ndims} dimension${e.ndims === 1 ? '' : 's'}, the header declares ${h.dims.length} ` +
        `(${h.dims.join(' × ')})`);
  }
  if (e.count !== undefined && h.dims[0] !== e.count) {
    throw new DataFormatError(file,
      `holds ${h.dims[0]} ${e.role ?? 'items'}, but its companion file holds ${e.count}: the counts must agree`);
  }
}

/** Parse a raw (uncompressed) IDX file. Big-endian values are converted to native arrays. */
export function parseIdx(bytes: Uint8Array, file: string, expect: IdxExpect = {},
  max = DEFAULT_MAX_IDX_BYTES): IdxArray {
  const header = parseIdxHeader(bytes, file, expect, max);
  const want = header.headerBytes + header.dataBytes;
  if (bytes.length < want) throw new DataFormatError(file,
    `truncated: the header declares ${want} bytes (${header.dims.join(' × ')} ${header.typeName}), the file has ` +
      `${bytes.length}`);
  if (bytes.length > want) throw new DataFormatError(file,
    `${bytes.length - want} unexpected trailing bytes: the header declares ${want} bytes, the file has ` +
      `${bytes.length}`);
  return { header, data: decode(bytes.subarray(header.headerBytes), header) };
}

function decode(body: Uint8Array, h: IdxHeader): IdxData {
  const n = h.dataBytes / IDX_TYPES[h.type].size;
  if (h.type === 0x08) return body;
  if (h.type === 0x09) return new Int8Array(body.buffer, body.byteOffset, n);
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out = h.type === 0x0b ? new Int16Array(n) : h.type === 0x0c ? new Int32Array(n) : h.type === 0x0d
    ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (h.type === 0x0b) out[i] = dv.getInt16(2 * i, false);
    else if (h.type === 0x0c) out[i] = dv.getInt32(4 * i, false);
    else if (h.type === 0x0d) out[i] = dv.getFloat32(4 * i, false);
    else out[i] = dv.getFloat64(8 * i, false);
  }
  return out;
}

/** A gzip decompressor: compressed bytes in, decompressed chunks out. */
export type Inflater = (gz: Uint8Array) => AsyncIterable<Uint8Array>;

/** The web-standard decompressor (DecompressionStream: browsers, and Node ≥ 18). */
export const webInflate: Inflater = async function* (gz) {
  const DS = (globalThis as { DecompressionStream?: new (f: string) => TransformStream<Uint8Array,
    Uint8Array> }).DecompressionStream;
  if (!DS) throw new Error('DecompressionStream is not available here; pass an inflater');
  const stream = new Blob([gz as BlobPart]).stream().pipeThrough(new DS('gzip'));
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
};

/**
 * Decompress a gzip IDX file with its size capped by its own header: the output buffer is
 * allocated once the header is known (and checked against `max`), and decompression stops as
 * soon as the output would exceed the declared size, so a decompression bomb fails fast.
 */
export async function inflateIdx(gz: Uint8Array, file: string, inflate: Inflater = webInflate, expect: IdxExpect = {},
  max = DEFAULT_MAX_IDX_BYTES): Promise<IdxArray> {
  let head: Uint8Array = new Uint8Array(0);
  let out: Uint8Array | null = null;
  let header: IdxHeader | null = null;
  let got = 0;
  try {
    for await (const chunk of inflate(gz)) {
      if (!out) {
        head = concat(head, chunk);
        header = tryHeader(head, file, expect, max);
        if (!header) continue;
        out = new Uint8Array(header.headerBytes + header.dataBytes);
        got = Math.min(head.length, out.length);
        out.set(head.subarray(0, got));
        if (head.length > out.length) throw tooLong(file, out.length);
      } else {
        if (got + chunk.length > out.length) throw tooLong(file, out.length);
        out.set(chunk, got);
        got += chunk.length;
      }
    }
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    throw new DataFormatError(file, `gzip decompression failed: ${(e as Error).message}`);
  }
  if (!out || !header) return parseIdx(head, file, expect, max); // too short for a header: parseIdx says why
  if (got < out.length) throw new DataFormatError(file,
    `truncated: the header declares ${out.length} bytes, the decompressed file has ${got}`);
  return { header, data: decode(out.subarray(header.headerBytes), header) };
}

function tryHeader(head: Uint8Array, file: string, expect: IdxExpect, max: number): IdxHeader | null {
  if (head.length < 4) return null;
  const nd = head[3];
  if (head[0] === 0 && head[1] === 0 && IDX_TYPES[head[2]] && nd >= 1 && nd <= 4 && head.length < 4 + 4 * nd)
    return null;
  return parseIdxHeader(head, file, expect, max);
}

function tooLong(file: string, declared: number): DataFormatError {
  return new DataFormatError(file,
    `decompresses to more than the ${declared} bytes its IDX header declares (trailing data, or a decompression ` +
      `bomb); stopped`);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

/** Parse raw or gzip IDX bytes (gzip detected from its magic bytes). */
export async function readIdx(bytes: Uint8Array, file: string, expect: IdxExpect = {},
  opts: { inflate?: Inflater; max?: number } = {}): Promise<IdxArray> {
  if (isGzip(bytes)) return inflateIdx(bytes, file, opts.inflate, expect, opts.max);
  return parseIdx(bytes, file, expect, opts.max);
}
