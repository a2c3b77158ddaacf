/**
 * Optimizer options: the spec of each option (name, default, check) and the resolution of
 * parameter groups against the defaults. Messages follow PyTorch's wording ("Invalid beta
 * parameter at index 0: 1.0") and then name the option and the accepted range.
 */
import { ArgumentError } from '../errors.js';
import { Parameter } from '../graph/tensor.js';

export type OptionValue = number | boolean | readonly [number, number];
export type Options = Record<string, OptionValue>;

export interface OptionSpec {
  readonly name: string;
  /** undefined: the option is required. */
  readonly default: OptionValue | undefined;
  /** Throws an ArgumentError when v is not acceptable; `owner` is the optimizer's name. */
  check(v: unknown, owner: string): void;
}

/** Options of the whole optimizer, not of a group. */
export interface CommonOptions {
  /** Clip the global L2 norm of all gradients to this value (scale by max/(norm + 1e-6)). */
  clipGradNorm?: number;
  /** Clamp every gradient element to [−c, c]. */
  clipGradValue?: number;
}

/** A parameter group: its parameters and the options that differ from the defaults. */
export type ParamGroupSpec<O> = { params: readonly Parameter[] } & Partial<O>;
export type ParamsArg<O> = readonly Parameter[] | readonly ParamGroupSpec<O>[];

/** Numbers as Python prints floats (1 → 1.0, NaN → nan), so messages read like PyTorch's. */
export function py(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return Number.isInteger(v) ? v.toFixed(1) : String(v);
  }
  if (Array.isArray(v)) return `(${v.map(py).join(', ')})`;
  return typeof v === 'string' ? `'${v}'` : String(v);
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A finite number within [lo, hi] (hi exclusive when `open`). */
export function range(name: string, prose: string, lo: number, hi = Infinity,
  open = false): (d: OptionValue | undefined) => OptionSpec {
  const rule = hi === Infinity ? `≥ ${lo}` : `in [${lo}, ${hi}${open ? ')' : ']'}`;
  return (def) => ({
    name, default: def,
    check(v, owner) {
      const ok = isNum(v) && v >= lo && (open ? v < hi : v <= hi);
      if (!ok) throw new ArgumentError(`${prose}: ${py(v)} (${owner} option ${name} must be a finite number ${rule})`);
    },
  });
}

export const lrSpec = range('lr', 'Invalid learning rate', 0);
export const epsSpec = range('eps', 'Invalid epsilon value', 0);
export const weightDecaySpec = range('weightDecay', 'Invalid weightDecay value', 0);
export const momentumSpec = range('momentum', 'Invalid momentum value', 0);

export function flagSpec(name: string, def: boolean): OptionSpec {
  return {
    name, default: def,
    check(v, owner) {
      if (typeof v !== 'boolean')
        throw new ArgumentError(`${owner} option ${name} must be true or false, got ${py(v)}`);
    },
  };
}

export function betasSpec(def: readonly [number, number]): OptionSpec {
  return {
    name: 'betas', default: def,
    check(v, owner) {
      if (!Array.isArray(v) || v.length !== 2)
        throw new ArgumentError(`${owner} option betas must be a pair [beta1, beta2], got ${py(v)}`);
      v.forEach((b, i) => {
        if (!(isNum(b) && b >= 0 && b < 1)) {
          throw new ArgumentError(`Invalid beta parameter at index ${i}: ${py(b)} (${owner} option betas[${i}] must ` +
            `be in [0, 1))`);
        }
      });
    },
  };
}

function positive(name: string): OptionSpec {
  return range(name, `Invalid ${name} value`, Number.MIN_VALUE)(undefined);
}
const COMMON: Record<string,
  OptionSpec> = { clipGradNorm: positive('clipGradNorm'), clipGradValue: positive('clipGradValue') };

/** The optimizer's own options (clipping): checked, unknown names rejected. */
export function commonOptions(owner: string, defaults: Record<string, unknown>): CommonOptions {
  const out: CommonOptions = {};
  for (const k of ['clipGradNorm', 'clipGradValue'] as const) {
    const v = defaults[k];
    if (v === undefined) continue;
    COMMON[k].check(v, owner);
    out[k] = v as number;
  }
  return out;
}

function checkKnown(owner: string, specs: readonly OptionSpec[], o: Record<string, unknown>, where: string,
  extra: string[]): void {
  const known = new Set([...specs.map((s) => s.name), ...extra]);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) {
      const list = [...known].filter((n) => n !== 'params').join(', ');
      throw new ArgumentError(`${owner}: unknown option '${k}'${where} (options: ${list})`);
    }
  }
}

/** Fill a group's options from the defaults and check every one. */
export function resolveOptions(owner: string, specs: readonly OptionSpec[], defaults: Record<string, unknown>,
  group: Record<string, unknown>, where: string): Options {
  checkKnown(owner, specs, group, where, ['params']);
  const out: Options = {};
  for (const s of specs) {
    const v = group[s.name] !== undefined ? group[s.name] : defaults[s.name] !== undefined
      ? defaults[s.name] : s.default;
    if (v === undefined)
      throw new ArgumentError(`${owner}: option ${s.name} is required${where} (e.g. new ${owner}(params, { ` +
        `${s.name}: 0.01 }))`);
    s.check(v, owner);
    out[s.name] = Array.isArray(v) ? ([v[0], v[1]] as const) : (v as OptionValue);
  }
  return out;
}

export interface ResolvedGroup {
  params: Parameter[];
  options: Options;
}

/** Turn the params argument (parameters, or groups of them) into checked groups. */
export function resolveGroups<O>(owner: string, specs: readonly OptionSpec[], params: ParamsArg<O>,
  defaults: Record<string, unknown>): ResolvedGroup[] {
  checkKnown(owner, specs, defaults, '', Object.keys(COMMON));
  if (!Array.isArray(params) || params.length === 0) {
    throw new ArgumentError(`${owner}: got an empty parameter list (pass model.parameters() or a list of parameter ` +
      `groups)`);
  }
  const specsList: ParamGroupSpec<O>[] = params.every((p) => p instanceof Parameter)
    ? [{ params: params as Parameter[] } as unknown as ParamGroupSpec<O>]
    : (params as ParamGroupSpec<O>[]);
  const seen = new Set<Parameter>();
  return specsList.map((g, gi) => {
    if (!g || typeof g !== 'object' || !Array.isArray(g.params)) {
      throw new ArgumentError(`${owner}: parameter group ${gi} must be an object { params: Parameter[], ...options ` +
        `}, or pass a plain Parameter[]`);
    }
    for (const k of Object.keys(COMMON)) {
      if (k in g)
        throw new ArgumentError(`${owner}: ${k} is an option of the whole optimizer, not of parameter group ${gi}; ` +
          `pass it with the defaults`);
    }
    g.params.forEach((p, i) => {
      if (!(p instanceof Parameter))
        throw new ArgumentError(`${owner}: parameter group ${gi} entry ${i} is not a Parameter (got ${py(p)})`);
      if (seen.has(p))
        throw new ArgumentError(`${owner}: parameter '${p.name}' appears more than once (some parameters appear in ` +
          `more than one parameter group)`);
      seen.add(p);
    });
    const options = resolveOptions(owner, specs, defaults, g as Record<string, unknown>, ` in parameter group ${gi}`);
    return { params: [...g.params], options };
  });
}
