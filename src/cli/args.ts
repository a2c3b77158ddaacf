/**
 * Command-line parsing: `slope <command> --flag value …`. Each command declares its flags
 * (name, kind, default, help); a repeated flag takes its last value; unknown flags, missing values and values of the
 * wrong kind are a
 * UsageError, which the command line prints with the usage text and exits non-zero.
 */
import { SlopeError } from '../errors.js';
import { parseDecimal } from '../data/csv.js';

export class UsageError extends SlopeError {
  override readonly code = 'USAGE';
  /** The command whose usage to print, if known. */
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

export type FlagKind = 'string' | 'number' | 'int' | 'boolean';

export interface FlagSpec {
  kind: FlagKind;
  help: string;
  default?: string | number | boolean;
  /** Allowed values (strings), checked when given. */
  choices?: readonly string[];
  /** Placeholder shown in the usage text. */
  arg?: string;
  /** Numeric bounds, checked when given: min ≤ v ≤ max, above < v < below. */
  min?: number;
  max?: number;
  above?: number;
  below?: number;
}

export interface CommandSpec {
  summary: string;
  flags: Record<string, FlagSpec>;
}

export type ParsedFlags = Record<string, string | number | boolean | undefined>;

export interface Parsed {
  command: string;
  flags: ParsedFlags;
  /** Flags given on the command line (as opposed to defaults). */
  given: Set<string>;
}

function convert(name: string, spec: FlagSpec, raw: string): string | number | boolean {
  if (spec.kind === 'string') {
    if (spec.choices && !spec.choices.includes(raw))
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}; got '${raw}'`);
    return raw;
  }
  if (spec.kind === 'boolean') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new UsageError(`--${name} is a switch (true or false); got '${raw}'`);
  }
  const v = parseDecimal(raw.trim());
  if (!Number.isFinite(v))
    throw new UsageError(`--${name} needs a ` +
      `${raw.trim() !== '' && Number.isFinite(Number(raw)) ? 'decimal ' : ''}number; got '${raw}'`);
  if (spec.kind === 'int' && !Number.isSafeInteger(v)) throw new UsageError(`--${name} needs an integer; got '${raw}'`);
  const bounds = [
    spec.min !== undefined && !(v >= spec.min) && `at least ${spec.min}`,
    spec.max !== undefined && !(v <= spec.max) && `at most ${spec.max}`,
    spec.above !== undefined && !(v > spec.above) && `above ${spec.above}`,
    spec.below !== undefined && !(v < spec.below) && `below ${spec.below}`,
  ].filter(Boolean);
  if (bounds.length) throw new UsageError(`--${name} must be ${bounds.join(' and ')}; got ${raw}`);
  return v;
}

export function parseArgs(argv: readonly string[], commands: Record<string, CommandSpec>): Parsed {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('no command given');
  if (command === '--help' || command === '-h' || command === 'help') throw new UsageError('');
  const spec = commands[command];
  if (!spec) throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(commands).join(', ')})`);
  const flags: ParsedFlags = {};
  const given = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--help' || a === '-h') throw new UsageError('', command);
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument '${a}' (flags start with --)`, command);
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const f = spec.flags[name];
    if (!f) throw new UsageError(`unknown flag --${name} for '${command}'`, command);
    let raw: string;
    if (eq >= 0) raw = a.slice(eq + 1);
    else if (f.kind === 'boolean' && (rest[i + 1] === undefined || rest[i + 1].startsWith('--'))) raw = 'true';
    else {
      if (rest[i + 1] === undefined) throw new UsageError(`--${name} needs a value`, command);
      raw = rest[++i];
    }
    try {
      flags[name] = convert(name, f, raw);
    } catch (e) {
      throw e instanceof UsageError ? new UsageError(e.message, command) : e;
    }
    given.add(name);
  }
  for (const [name, f] of Object.entries(spec.flags)) if (!(name in flags)) flags[name] = f.default;
  return { command, flags, given };
}

export function usage(commands: Record<string, CommandSpec>, command?: string): string {
  const lines: string[] = [];
  const list = command && commands[command] ? [command] : Object.keys(commands);
  lines.push(`usage: slope <${Object.keys(commands).join('|')}> [flags]`);
  for (const c of list) {
    lines.push('', `slope ${c}: ${commands[c].summary}`);
    for (const [name, f] of Object.entries(commands[c].flags)) {
      const arg = f.kind === 'boolean' ? '' : ` ${f.arg ?? f.kind.toUpperCase()}`;
      const def = f.default !== undefined && f.kind !== 'boolean' ? ` (default ${f.default})` : '';
      lines.push(`  --${name}${arg}`.padEnd(30) + ` ${f.help}${def}`);
    }
  }
  return lines.join('\n');
}
