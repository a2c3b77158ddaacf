/** Errors for data files: each names the file and what is wrong with it. */
import { SlopeError } from '../errors.js';

/** A data file (IDX, CSV, gzip) is malformed, truncated or inconsistent. */
export class DataFormatError extends SlopeError {
  override readonly code = 'DATA_FORMAT';
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}
