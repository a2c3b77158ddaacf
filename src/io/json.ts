/**
 * A strict JSON parser for untrusted headers: standard JSON only, duplicate keys rejected (the
 * built-in JSON.parse keeps the last one silently), nesting depth capped. Never evaluates.
 */
export class JsonError extends Error {}

const MAX_DEPTH = 64;

export function parseStrictJson(text: string): unknown {
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
  const string = () => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(text.slice(i, i + Math.min(text.length - i, 1 << 20)));
    if (!m) return fail('bad string');
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) return fail('bad number');
    i += m[0].length;
    return Number(m[0]);
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}
