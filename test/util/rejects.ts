/**
 * The one way tests check an error: rejects() for a promise (or an async function), throws() for
 * a call. Each fails when nothing is thrown, when the error is not an instance of the class, or
 * when its message misses a pattern (a RegExp, or a string it must contain); each returns the
 * error for further checks. Browser-safe: no Node imports.
 */
import * as assert from 'uvu/assert';

export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;
export type Pattern = RegExp | string;

function check<E extends Error>(err: unknown, cls: ErrorClass<E>, patterns: Pattern[], label: string): E {
  const at = label ? `${label}: ` : '';
  const desc = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  assert.ok(err instanceof cls, `${at}expected ${cls.name}, got ${desc}`);
  const msg = (err as Error).message;
  for (const p of patterns) {
    const ok = typeof p === 'string' ? msg.includes(p) : p.test(msg);
    assert.ok(ok, `${at}${cls.name} message "${msg}" should ${typeof p === 'string' ? 'contain' : 'match'} ${String(p)}`);
  }
  return err as E;
}

const NONE = Symbol('nothing thrown');

/**
 * Awaits `p` (a promise, or a function returning one, whose synchronous throw also counts) and
 * requires it to reject with an instance of `cls` whose message matches `pattern` (one or several).
 */
export async function rejects<E extends Error>(
  p: Promise<unknown> | (() => unknown), cls: ErrorClass<E>, pattern: Pattern | Pattern[] = [], label = '',
): Promise<E> {
  let err: unknown = NONE;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  if (err === NONE) assert.unreachable(`${label ? `${label}: ` : ''}expected a rejection with ${cls.name}, it resolved`);
  return check(err, cls, Array.isArray(pattern) ? pattern : [pattern], label);
}

/** Calls `fn` and requires it to throw an instance of `cls` whose message matches `pattern`. */
export function throws<E extends Error>(fn: () => unknown, cls: ErrorClass<E>, pattern: Pattern | Pattern[] = [], label = ''): E {
  let err: unknown = NONE;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (err === NONE) assert.unreachable(`${label ? `${label}: ` : ''}expected ${cls.name} to be thrown, nothing was`);
  return check(err, cls, Array.isArray(pattern) ? pattern : [pattern], label);
}
