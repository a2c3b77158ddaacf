/**
 * An output file written piece by piece and committed atomically: the pieces go to a temporary
 * file next to the target; commit() flushes it and renames it over the target, abort() removes
 * it. Until commit, the target is untouched (absent, or its old contents): a failure half-way
 * leaves nothing behind.
 */
import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CheckpointError } from './errors.js';

export class AtomicWriter {
  private constructor(readonly file: string, private readonly tmp: string, private fh: fsp.FileHandle | null) {}

  /** Open the temporary file now, so that an unwritable target fails before any work. */
  static async open(file: string): Promise<AtomicWriter> {
    const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      return new AtomicWriter(file, tmp, await fsp.open(tmp, 'wx', 0o644));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (e as Error).message;
      throw new CheckpointError(`cannot write '${file}': ${why}`);
    }
  }

  async write(text: string): Promise<void> {
    if (!this.fh) throw new CheckpointError(`'${this.file}' is already committed or aborted`);
    try {
      await this.fh.write(text);
    } catch (e) {
      await this.abort();
      throw new CheckpointError(`writing '${this.file}' failed (${(e as Error).message}); nothing was written`);
    }
  }

  async commit(): Promise<void> {
    const fh = this.fh;
    if (!fh) throw new CheckpointError(`'${this.file}' is already committed or aborted`);
    try {
      await fh.sync();
      await fh.close();
      this.fh = null;
      await fsp.rename(this.tmp, this.file);
    } catch (e) {
      await this.abort();
      throw new CheckpointError(`writing '${this.file}' failed (${(e as Error).message}); nothing was written`);
    }
  }

  /** Drop what was written (safe to call more than once). */
  async abort(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close().catch(() => {});
    await fsp.unlink(this.tmp).catch(() => {});
  }
}
