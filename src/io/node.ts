/**
 * Node-only checkpoint files: atomic writes (a temporary file next to the target, flushed,
 * then renamed over it; on any error the temporary file is removed and the old file is
 * untouched) and size-checked reads.
 */
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CheckpointError } from './errors.js';

/** The file-system calls used, replaceable in tests to simulate failures. */
export interface AtomicFs {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
}

const realFs: AtomicFs = { open: fsp.open, rename: fsp.rename, unlink: fsp.unlink };

/** Write `data` to `file` atomically: readers see the old file or the new one, never a mix. */
export async function writeFileAtomic(file: string, data: Uint8Array, fs: AtomicFs = realFs): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fh: fsp.FileHandle | null = null;
  try {
    fh = await fs.open(tmp, 'wx', 0o644);
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await fh.write(data, off, Math.min(1 << 24, data.length - off));
      off += bytesWritten;
    }
    await fh.sync();
    await fh.close();
    fh = null;
    await fs.rename(tmp, file);
  } catch (e) {
    if (fh) await fh.close().catch(() => {});
    await fs.unlink(tmp).catch(() => {});
    throw new CheckpointError(`writing '${file}' failed (${(e as Error).message}); the previous file, if any, is untouched`);
  }
}

/** Largest checkpoint read (4 GiB). */
export const MAX_CHECKPOINT_BYTES = 2 ** 32;

/** Read a checkpoint file after checking that it is a file of a sane size. */
export async function readCheckpointFile(file: string, max = MAX_CHECKPOINT_BYTES): Promise<Uint8Array> {
  let st;
  try {
    st = await fsp.stat(file);
  } catch (e) {
    throw new CheckpointError(`cannot read checkpoint '${file}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!st.isFile()) throw new CheckpointError(`checkpoint '${file}' is not a file`);
  if (st.size > max) throw new CheckpointError(`checkpoint '${file}' has ${st.size} bytes, above the limit of ${max}`);
  const b = await fsp.readFile(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
