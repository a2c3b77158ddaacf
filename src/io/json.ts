/**
 * A strict JSON parser for untrusted headers: standard JSON only, duplicate keys rejected (the
 * built-in JSON.parse keeps the last one silently), nesting depth capped. Never evaluates.
 */
export class JsonError extends Error {}

/**
 * A number written with a fraction or an exponent ('16.0', '1e3'), kept as its text when the
 * caller accepts only integers, so that a check sees it is not one and can quote it.
 */
export class JsonNonInteger {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export interface StrictJsonOptions {
  /** Numbers with a fraction or an exponent become JsonNonInteger objects instead of numbers. */
  integersOnly?: boolean;
}

const MAX_DEPTH = 64;

export function parseStrictJson(text: string, opts: StrictJsonOptions = {}): unknown {
  let i = 0;
  const fail = (why: string): never => {
    throw new JsonError(`${why} at character ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') return object(depth);
    if (c === '[') return array(depth);
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(c === undefined ? 'unexpected end of input' : `unexpected '${c}'`);
  };
  const object = (depth: number) => {
    const out: Record<string, unknown> = Object.create(null);
    i++;
    ws();
    if (text[i] === '}') { i++; return out; }
    for (;;) {
      ws();
      if (text[i] !== '"') fail('expected a string key');
      const k = string();
      if (Object.prototype.hasOwnProperty.call(out, k)) fail(`duplicate key "${k}"`);
      ws();
      if (text[i++] !== ':') fail("expected ':'");
      out[k] = value(depth + 1);
      ws();
      const c = text[i++];
      if (c === '}') return out;
      if (c !== ',') fail("expected ',' or '}'");
    }
  };
  const array = (depth: number) => {
    const out: unknown[] = [];
    i++;
    ws();
    if (text[i] === ']') { i++; return out; }
    for (;;) {
      out.push(value(depth + 1));
      ws();
      const c = text[i++];
      if (c === ']') return out;
      if (c !== ',') fail("expected ',' or ']'");
    }
  };
  // Sticky expressions matched in place (slicing the text for each token made big headers quadratic).
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const string = () => {
    STRING.lastIndex = i;
    const m = STRING.exec(text);
    if (!m) return fail('bad string');
    i += m[0].length;
    return m[0].includes('\\') ? (JSON.parse(m[0]) as string) : m[0].slice(1, -1);
  };
  const number = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0].length > 64) return fail('bad number');
    i += m[0].length;
    return opts.integersOnly && /[.eE]/.test(m[0]) ? new JsonNonInteger(m[0]) : Number(m[0]);
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}
