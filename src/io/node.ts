/**
 * Node-only checkpoint files: atomic writes (a temporary file next to the target, flushed,
 * then renamed over it; on any error the temporary file is removed and the old file is
 * untouched) and size-checked reads. A writer killed mid-write (kill -9) leaves its temporary
 * file behind; the next write of the same target removes those whose process no longer runs.
 */
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CheckpointError, OutputError } from './errors.js';

/** The file-system calls used, replaceable in tests to simulate failures. */
export interface AtomicFs {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  unlink: typeof fsp.unlink;
}

const realFs: AtomicFs = { open: fsp.open, rename: fsp.rename, unlink: fsp.unlink };

/** Temporary files this process is writing now (never stale, whatever their pid says). */
const writing = new Set<string>();

/** `.<name>.<pid>.<8 hex>.tmp` beside the target. */
function tempName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Remove the temporary files of `file` left by writers that no longer run: those of another
 * process id that is not running, and those of this process id that this process is not
 * writing (a previous process that had the same id). Returns the paths removed.
 */
export async function removeStaleTemps(file: string, fs: Pick<AtomicFs, 'unlink'> = realFs): Promise<string[]> {
  const dir = dirname(file);
  const base = basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^\\.${base}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = re.exec(n);
    const path = join(dir, n);
    if (!m || writing.has(path)) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && running(pid)) continue;
    await fs.unlink(path).then(() => removed.push(path), () => {});
  }
  return removed;
}

/**
 * Check before a long run that `file` can be written later: it is not a directory or a device,
 * its directory exists, and a file can be created there (one is, and removed). `what` names the
 * output in the message ('--curves').
 */
export async function checkOutputPath(file: string, what: string): Promise<void> {
  const fail = (why: string): never => { throw new OutputError(`${what} '${file}' cannot be written: ${why}`); };
  const err = (e: unknown) => (e as NodeJS.ErrnoException).code;
  const st = await fsp.stat(file).catch((e) => (err(e) === 'ENOENT'
    || err(e) === 'ENOTDIR' ? null : fail((e as Error).message)));
  if (st && !st.isFile()) fail(st.isDirectory() ? 'it is a directory' : 'it is not a regular file');
  const dir = dirname(file);
  const ds = await fsp.stat(dir).catch((e) => fail(err(e) === 'ENOENT'
    ? `the directory '${dir}' does not exist` : (e as Error).message));
  if (!ds.isDirectory()) fail(`'${dir}' is not a directory`);
  const probe = tempName(file);
  try {
    await (await fsp.open(probe, 'wx', 0o644)).close();
  } catch (e) {
    fail((e as Error).message);
  }
  await fsp.unlink(probe).catch(() => {});
}

/** Write `data` to `file` atomically: readers see the old file or the new one, never a mix. */
export async function writeFileAtomic(file: string, data: Uint8Array, fs: AtomicFs = realFs): Promise<void> {
  await removeStaleTemps(file, fs);
  const tmp = tempName(file);
  writing.add(tmp);
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
    throw new CheckpointError(`writing '${file}' failed (${(e as Error).message}); the previous file, if any, is ` +
      `untouched`);
  } finally {
    writing.delete(tmp);
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
    throw new CheckpointError(`cannot read checkpoint '${file}': ` +
      `${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!st.isFile()) throw new CheckpointError(`checkpoint '${file}' is not a file`);
  if (st.size > max) throw new CheckpointError(`checkpoint '${file}' has ${st.size} bytes, above the limit of ${max}`);
  const b = await fsp.readFile(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
