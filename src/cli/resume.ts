/**
 * What `slope train --resume FILE` may change. A checkpoint's config holds the options that
 * define its run; flags not given take those values. Given flags may change only how long and
 * how fast the run continues and where its outputs go: --epochs, --steps, --lr, --schedule (a
 * schedule is a function of the step count, so a new one continues from the current step),
 * --log-every, --checkpoint, --curves, --quiet, --json, --backend (the checkpoint's by default),
 * and --batch-size at an epoch
 * boundary. Any other difference (model, data, seed, optimizer, augmentation, label smoothing,
 * or the batch size inside an epoch) is refused, naming the flag and both values.
 */
import { decodeSafetensors } from '../io/safetensors.js';
import { readCheckpointFile } from '../io/node.js';
import { CheckpointMismatchError } from '../io/errors.js';
import { checkpointConfig, type Progress } from '../io/checkpoint.js';
import type { CommandSpec, Parsed, ParsedFlags } from './args.js';

/** Options that define a run; saved in checkpoints and used as defaults on --resume. */
export const RUN_FLAGS = ['dataset', 'model', 'norm', 'activation', 'dropout', 'optimizer', 'lr', 'momentum',
  'weight-decay', 'clip-grad-norm', 'schedule',
  'batch-size', 'epochs', 'seed', 'label-smoothing', 'augment-shift',
  'augment-crop', 'augment-flip', 'drop-last', 'test-fraction', 'label', 'test', 'resize', 'channels', 'standardize',
  'backend'];

/** Run options a resumed run may change (--batch-size only at an epoch boundary). */
export const RESUMABLE = ['epochs', 'lr', 'schedule', 'backend'];

/** Flags of `evaluate` that default to the checkpoint's: the run's, but its batch size and backend are its own. */
export const EVALUATE_FLAGS = RUN_FLAGS.filter((k) => k !== 'batch-size' && k !== 'backend');

export interface CheckpointFile {
  file: string;
  bytes: Uint8Array;
  config: Record<string, unknown>;
  /** As written (checked fully when the state is loaded); null when absent or unreadable. */
  progress: Partial<Progress> | null;
}

function json(file: string, meta: Record<string, string>, key: string): unknown {
  try {
    return meta[key] ? JSON.parse(meta[key]) : null;
  } catch {
    throw new CheckpointMismatchError(`${file}: the checkpoint's ${key} metadata is not valid JSON`);
  }
}

export async function readCheckpointConfig(file: string): Promise<CheckpointFile> {
  const bytes = await readCheckpointFile(file);
  const meta = decodeSafetensors(bytes).metadata;
  const config = checkpointConfig(meta, file);
  const progress = json(file, meta, 'progress');
  return { file, bytes, config,
    progress: progress && typeof progress === 'object' ? (progress as Partial<Progress>) : null };
}

/** Flags in `keys` not given on the command line take the checkpoint's values. */
export function withDefaults(p: Parsed, config: Record<string, unknown>,
  keys: readonly string[] = RUN_FLAGS): ParsedFlags {
  const f = { ...p.flags };
  for (const k of keys) if (!p.given.has(k) && k in config) f[k] = config[k] as string | number | boolean;
  return f;
}

const show = (v: unknown) => (v === undefined ? 'not set' : typeof v === 'string' ? `'${v}'` : String(v));

/** Refuse given flags that would change what the checkpoint's run is. */
export function refuseChanges(p: Parsed, ck: CheckpointFile, spec: CommandSpec): void {
  const batch = ck.progress?.batch ?? 0;
  for (const k of RUN_FLAGS) {
    if (!p.given.has(k) || RESUMABLE.includes(k) || (k === 'batch-size' && batch === 0)) continue;
    const flag = spec.flags[k];
    const was = k in ck.config ? ck.config[k] : flag?.default;
    const now = p.flags[k];
    const same = flag?.kind === 'boolean' ? !!was === !!now : was === now;
    if (same) continue;
    if (k === 'batch-size') {
      throw new CheckpointMismatchError(`--batch-size ${now} differs from the run in ${ck.file} (${show(was)}), ` +
        `which stopped inside epoch ${(ck.progress?.epoch ?? 0) + 1} ` +
        `(before batch ${batch + 1}): the batch size may change only at an epoch boundary; resume without ` +
          `--batch-size`);
    }
    throw new CheckpointMismatchError(`--${k} ${show(now)} differs from the run in ${ck.file} (${show(was)}): a ` +
      `resumed run keeps its model, data, seed and optimizer; ` +
      'only --epochs, --steps, --lr, --schedule, --batch-size (at an epoch boundary), --log-every, --checkpoint, ' +
        '--curves, --backend, --quiet and --json may change');
  }
}
