/** `slope inspect`: what a safetensors file holds (a slope checkpoint or plain weights), without a GPU. */
import { decodeSafetensors, DTYPE_BYTES } from '../io/safetensors.js';
import { readCheckpointFile } from '../io/node.js';
import { UsageError, type Parsed } from './args.js';
import type { Out } from './train.js';

/** Metadata values that are JSON (slope writes progress, config, optimizer, schedule so) are shown parsed. */
function parsed(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export async function inspectCommand(p: Parsed, io: Out): Promise<void> {
  const file = p.flags.checkpoint as string | undefined;
  if (!file) throw new UsageError('inspect needs --checkpoint FILE', 'inspect');
  const st = decodeSafetensors(await readCheckpointFile(file));
  const tensors = [...st.tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape,
    elements: t.shape.reduce((a, d) => a * d, 1) }));
  const metadata = Object.fromEntries(Object.entries(st.metadata).map(([k, v]) => [k, parsed(v)]));
  const elements = tensors.reduce((a, t) => a + t.elements, 0);
  const bytes = tensors.reduce((a, t) => a + t.elements * (DTYPE_BYTES[t.dtype] ?? 0), 0);
  if (p.flags.json) {
    io.out(JSON.stringify({ file, tensors, metadata, elements, bytes }));
    return;
  }
  io.out(`${file}: ${tensors.length.toLocaleString('en-US')} tensors, ${elements.toLocaleString('en-US')} elements, ` +
    `${bytes.toLocaleString('en-US')} bytes of data`);
  for (const [k,
    v] of Object.entries(metadata)) io.out(`  ${k.padEnd(10)} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const w = tensors.reduce((a, t) => Math.max(a, t.name.length), 4); // no spread: files may hold millions of tensors
  for (const t of tensors) io.out(`  ${t.name.padEnd(w)}  ${t.dtype.padEnd(4)} [${t.shape.join(', ')}]`);
}
