/**
 * Small scanners shared by the header parsers: token classes, LWS folding, quoted strings, comma lists
 * that respect quotes and angle brackets, and generic `;name=value` parameter lists (RFC 3261 §25.1).
 */
import { fail } from './sip-parse-error.js';

const TOKEN = new Uint8Array(256);
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = 1;

export function isTokenChar(code: number): boolean {
  return TOKEN[code] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (TOKEN[s.charCodeAt(i)] !== 1) return false;
  return true;
}

export function isWs(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 10;
}

/** Replace each line fold (CRLF or LF followed by SP/HT) with one SP (RFC 3261 §7.3.1). */
export function unfold(value: string): string {
  return value.includes('\n') ? value.replace(/\r?\n[ \t]+/g, ' ') : value;
}

export function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past the closing quote of the quoted string that opens at `start`. */
export function endOfQuoted(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92)
      i++; // quoted-pair: the next octet is taken literally
    else if (c === 34) return i + 1;
  }
  return fail('header-value', 'unterminated quoted string');
}

/** Split a header value at top-level commas (outside quotes and <...>). Empty elements are an error. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34 && !angle) i = endOfQuoted(value, i) - 1;
    else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === 44 && !angle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (angle) fail('header-value', 'unbalanced angle bracket');
  out.push(value.slice(start).trim());
  if (out.some((v) => v.length === 0)) fail('header-value', 'empty element in comma-separated list');
  return out;
}

/** One `;name[=value]` parameter. The value keeps its quotes when it was quoted. */
export interface Param {
  name: string;
  value: string | null;
}

/** ASCII case-insensitive equality without allocating (names are tokens, so ASCII is enough). */
export function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return false;
  }
  return true;
}

/** An ordered parameter list; names compare case-insensitively (RFC 3261 §19.1.4). */
export class ParamList {
  constructor(readonly items: Param[] = []) {}

  get(name: string): string | null | undefined {
    for (const p of this.items) if (p.name === name || equalsIgnoreCase(p.name, name)) return p.value;
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, value: string | null): void {
    const found = this.items.find((p) => equalsIgnoreCase(p.name, name));
    if (found) found.value = value;
    else this.items.push({ name, value });
  }

  delete(name: string): void {
    const i = this.items.findIndex((p) => equalsIgnoreCase(p.name, name));
    if (i >= 0) this.items.splice(i, 1);
  }

  toString(): string {
    let s = '';
    for (const p of this.items) s += p.value === null ? `;${p.name}` : `;${p.name}=${p.value}`;
    return s;
  }
}

/**
 * Parse `*(SEMI generic-param)` from `s` starting at `i` (which must point at `;` or the end).
 * `stopAt` lists characters that end the list (for example `,` or `?`). SWS around `;` and `=` is allowed.
 */
export function parseParams(s: string, i: number, what: string): { params: ParamList; end: number } {
  const items: Param[] = [];
  i = skipWs(s, i);
  while (i < s.length && s.charCodeAt(i) === 59 /* ; */) {
    i = skipWs(s, i + 1);
    const nameStart = i;
    while (i < s.length && TOKEN[s.charCodeAt(i)] === 1) i++;
    const name = s.slice(nameStart, i);
    if (name.length === 0) fail('header-value', `empty parameter in ${what}`);
    i = skipWs(s, i);
    let value: string | null = null;
    if (s.charCodeAt(i) === 61 /* = */) {
      i = skipWs(s, i + 1);
      const valueStart = i;
      if (s.charCodeAt(i) === 34) i = endOfQuoted(s, i);
      else if (s.charCodeAt(i) === 91 /* [ */) {
        // IPv6 reference as a value (Via received=[...], RFC 5118 §4.5)
        const close = s.indexOf(']', i);
        if (close < 0) fail('header-value', `unterminated IPv6 reference in ${what}`);
        i = close + 1;
      } else {
        while (i < s.length && (TOKEN[s.charCodeAt(i)] === 1 || s.charCodeAt(i) === 58)) i++;
      }
      value = s.slice(valueStart, i);
      if (value.length === 0) fail('header-value', `empty value for parameter ${name} in ${what}`);
      i = skipWs(s, i);
    }
    items.push({ name, value });
  }
  return { params: new ParamList(items), end: i };
}

/** Remove the surrounding quotes and quoted-pair escapes of a quoted string. */
export function unquote(q: string): string {
  if (q.length < 2 || q.charCodeAt(0) !== 34) return q;
  return q.slice(1, -1).replace(/\\([\s\S])/g, '$1');
}
