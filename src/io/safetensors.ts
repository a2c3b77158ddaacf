/**
 * The safetensors format (huggingface/safetensors), written and read without executing
 * anything: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (an object from
 * tensor name to {dtype, shape, data_offsets: [begin, end)} plus an optional "__metadata__"
 * map of strings to strings; we pad it with spaces to a multiple of 8 bytes), then the byte
 * buffer: little-endian, row-major tensors that cover it exactly, with no gaps or overlaps.
 * Reading validates every claim of the header against the bytes present before copying any.
 */
import { SlopeError } from '../errors.js';
import { JsonNonInteger, parseStrictJson } from './json.js';

/** A header value as written: a number written '16.0' shows as 16.0, not 16. */
const shown = (v: unknown): string => (Array.isArray(v) ? `[${v.map(shown).join(', ')}]` : v instanceof JsonNonInteger
  ? v.text : String(JSON.stringify(v)));

export type SafetensorsErrorKind =
  | 'HeaderTooSmall' | 'InvalidHeaderLength' | 'HeaderTooLarge' | 'InvalidHeader' | 'InvalidHeaderStart'
  | 'InvalidOffset' | 'MetadataIncompleteBuffer' | 'TensorInvalidInfo' | 'ValidationOverflow'
  | 'DuplicateName' | 'UnknownDtype' | 'InvalidMetadata' | 'UnsupportedFormat';

/** A malformed or unsupported safetensors file; `kind` names the check that failed (as upstream). */
export class SafetensorsError extends SlopeError {
  override readonly code = 'SAFETENSORS';
  constructor(readonly kind: SafetensorsErrorKind, message: string) {
    super(`${kind}: ${message}`);
  }
}

/** Element sizes of the safetensors dtypes. */
export const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8,
    U64: 8, F64: 8,
};

/** Header cap (as upstream): 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

export type TensorData =
  | Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array
  | BigInt64Array;

export interface TensorEntry {
  dtype: string;
  shape: number[];
  /** Raw little-endian bytes: a view into one copy of the file's data (tensorValues copies again, aligned). */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

const DTYPE_OF = new Map<unknown, string>([
  [Float32Array, 'F32'], [Float64Array, 'F64'], [Int32Array, 'I32'], [Uint8Array, 'U8'], [Int8Array, 'I8'],
  [Int16Array, 'I16'], [Uint16Array, 'U16'], [Uint32Array, 'U32'], [BigInt64Array, 'I64'],
]);

export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: TensorData;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Serialize tensors (in the given order) and string metadata. */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata: Record<string,
  string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) {
    for (const [k,
      v] of Object.entries(metadata)) if (typeof v !== 'string') throw new SafetensorsError('InvalidMetadata',
        `metadata '${k}' must be a string`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const t of tensors) {
    const dtype = DTYPE_OF.get(t.data.constructor);
    if (!dtype) throw new SafetensorsError('UnknownDtype',
      `tensor '${t.name}': unsupported array type ${t.data.constructor.name}`);
    if (t.name === '__metadata__' || t.name in header) throw new SafetensorsError('DuplicateName',
      `tensor name '${t.name}' is used twice (or is reserved)`);
    const n = t.shape.reduce((a, d) => a * d, 1);
    if (n !== t.data.length) throw new SafetensorsError('TensorInvalidInfo',
      `tensor '${t.name}': ${t.data.length} values for shape [${t.shape}]`);
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let o = 8 + json.length;
  for (const t of tensors) {
    out.set(littleEndianBytes(t.data), o);
    o += t.data.byteLength;
  }
  return out;
}

function littleEndianBytes(a: TensorData): Uint8Array {
  const raw = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LITTLE_ENDIAN || a.BYTES_PER_ELEMENT === 1) return raw;
  const out = new Uint8Array(raw.length);
  const s = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < raw.length; i += s) for (let k = 0; k < s; k++) out[i + k] = raw[i + s - 1 - k];
  return out;
}

/** Parse and validate a safetensors file. */
export function decodeSafetensors(bytes: Uint8Array, opts: { maxHeaderBytes?: number } = {}): SafetensorsFile {
  refuseOtherFormats(bytes);
  if (bytes.length < 8) throw new SafetensorsError('HeaderTooSmall',
    `the file has ${bytes.length} bytes; the header length alone needs 8`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  const max = BigInt(opts.maxHeaderBytes ?? MAX_HEADER_BYTES);
  if (n > max) throw new SafetensorsError('HeaderTooLarge', `the header claims ${n} bytes, above the limit of ${max}`);
  if (8n + n > BigInt(bytes.length)) throw new SafetensorsError('InvalidHeaderLength',
    `the header claims ${n} bytes but the file has only ${bytes.length - 8} after the length`);
  const hn = Number(n);
  const headerBytes = bytes.subarray(8, 8 + hn);
  if (headerBytes[0] !== 0x7b) throw new SafetensorsError('InvalidHeaderStart', `the header must start with '{'`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError('InvalidHeader', 'the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = parseStrictJson(text.replace(/ +$/, ''), { integersOnly: true });
  } catch (e) {
    const m = (e as Error).message;
    throw new SafetensorsError(/duplicate key/.test(m) ? 'DuplicateName' : 'InvalidHeader',
      `the header is not valid JSON: ${m}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new SafetensorsError('InvalidHeader', 'the header must be a JSON object');
  const buffer = bytes.subarray(8 + hn);
  const { entries, metadata } = readEntries(header as Record<string, unknown>);
  return { tensors: checkLayout(entries, buffer), metadata };
}

/**
 * Pickle (PyTorch .pt / .pth) and zip files are refused: loading them can execute code. A file
 * whose first 8 bytes are a header length that fits and whose header starts with '{' is a
 * safetensors file, whatever those bytes look like (a header of 896 bytes starts 0x80 0x03, as
 * a pickle does).
 */
function refuseOtherFormats(b: Uint8Array): void {
  if (b.length >= 9 && b[8] === 0x7b) {
    const n = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (8n + n <= BigInt(b.length)) return;
  }
  const pickle = b.length >= 2 && b[0] === 0x80 && b[1] >= 2 && b[1] <= 5;
  const zip = b.length >= 2 && b[0] === 0x50 && b[1] === 0x4b;
  if (pickle || zip) {
    throw new SafetensorsError('UnsupportedFormat',
      `this is a ${pickle ? 'pickle' : 'zip (PyTorch .pt)'} file: pickle/PyTorch .pt files are not loaded because ` +
        `they can execute code; convert to safetensors`);
  }
}

interface RawEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function readEntries(header: Record<string, unknown>): { entries: RawEntry[]; metadata: Record<string, string> } {
  const metadata: Record<string, string> = {};
  const entries: RawEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info))
        throw new SafetensorsError('InvalidMetadata', '__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw new SafetensorsError('InvalidMetadata',
          `__metadata__ '${k}' must be a string, got ${shown(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const bad = (why: string): never => { throw new SafetensorsError('InvalidHeader',
      `tensor ${JSON.stringify(name)}: ${why}`); };
    if (typeof info !== 'object' || info === null) bad('must be an object with dtype, shape and data_offsets');
    const { dtype, shape, data_offsets: off } = info as Record<string, unknown>;
    if (typeof dtype !== 'string') bad('dtype must be a string');
    if (!((dtype as string) in DTYPE_BYTES)) throw new SafetensorsError('UnknownDtype',
      `tensor ${JSON.stringify(name)}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d)
      && d >= 0)) bad(`shape must be a list of non-negative integers, got ${shown(shape)}`);
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d)
      && d >= 0)) bad(`data_offsets must be two non-negative integers, got ${shown(off)}`);
    entries.push({ name, dtype: dtype as string, shape: shape as number[], begin: (off as number[])[0],
      end: (off as number[])[1] });
  }
  return { entries, metadata };
}

function checkLayout(entries: RawEntry[], buffer: Uint8Array): Map<string, TensorEntry> {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  const out = new Map<string, TensorEntry>();
  const data = buffer.slice(); // one copy for all tensors (a file may hold millions)
  for (const e of sorted) {
    const q = JSON.stringify(e.name);
    if (e.begin !== at) {
      throw new SafetensorsError('InvalidOffset',
        `tensor ${q} starts at byte ${e.begin}, but the previous tensor ends at ${at} ` +
          `(${e.begin < at ? 'overlap' : at === 0 ? 'the buffer must start at 0' : 'gap'})`);
    }
    if (e.end < e.begin) throw new SafetensorsError('InvalidOffset',
      `tensor ${q} ends (${e.end}) before it starts (${e.begin})`);
    let elems = 1;
    for (const d of e.shape) {
      elems *= d;
      if (!Number.isSafeInteger(elems)) throw new SafetensorsError('ValidationOverflow',
        `tensor ${q}: the element count of shape [${e.shape}] overflows`);
    }
    const need = elems * DTYPE_BYTES[e.dtype];
    if (!Number.isSafeInteger(need)) throw new SafetensorsError('ValidationOverflow',
      `tensor ${q}: the byte size of shape [${e.shape}] overflows`);
    if (need !== e.end - e.begin) {
      throw new SafetensorsError('TensorInvalidInfo',
        `tensor ${q}: shape [${e.shape}] of ${e.dtype} needs ${need} bytes, its offsets cover ${e.end - e.begin}`);
    }
    if (e.end > buffer.length) {
      throw new SafetensorsError('MetadataIncompleteBuffer',
        `tensor ${q} ends at byte ${e.end}, past the ${buffer.length}-byte buffer (missing bytes)`);
    }
    at = e.end;
    out.set(e.name, { dtype: e.dtype, shape: e.shape, bytes: data.subarray(e.begin, e.end) });
  }
  if (at !== buffer.length) {
    throw new SafetensorsError('MetadataIncompleteBuffer',
      `the tensors cover ${at} bytes, the buffer holds ${buffer.length} (${buffer.length - at} bytes not indexed)`);
  }
  return out;
}

/** The values of a tensor as a typed array of its dtype (F32, F64, I32, U8, I8, I16, U16, U32, I64). */
export function tensorValues(t: TensorEntry): TensorData {
  const b = LITTLE_ENDIAN ? t.bytes : littleEndianSwap(t);
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  switch (t.dtype) {
    case 'F32': return new Float32Array(buf);
    case 'F64': return new Float64Array(buf);
    case 'I32': return new Int32Array(buf);
    case 'U8': case 'BOOL': return new Uint8Array(buf);
    case 'I8': return new Int8Array(buf);
    case 'I16': return new Int16Array(buf);
    case 'U16': return new Uint16Array(buf);
    case 'U32': return new Uint32Array(buf);
    case 'I64': return new BigInt64Array(buf);
    default: throw new SafetensorsError('UnknownDtype', `reading ${t.dtype} tensors is not supported`);
  }
}

function littleEndianSwap(t: TensorEntry): Uint8Array {
  const s = DTYPE_BYTES[t.dtype];
  const out = new Uint8Array(t.bytes.length);
  for (let i = 0; i < out.length; i += s) for (let k = 0; k < s; k++) out[i + k] = t.bytes[i + s - 1 - k];
  return out;
}
