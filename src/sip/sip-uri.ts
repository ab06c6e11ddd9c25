/**
 * URIs (RFC 3261 §19.1, §25.1; RFC 3966 tel). A parsed URI keeps the exact text it came from (`raw`) so an
 * unchanged URI is written back byte for byte; `formatUri` rebuilds the text after a change.
 */
import { splitHostPort } from './host.js';
import { ParamList, type Param, equalsIgnoreCase } from './lexer.js';
import { fail } from './sip-parse-error.js';

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  raw: string;
  /** The user part as written (still %-escaped); null when the URI has no userinfo. */
  user: string | null;
  password: string | null;
  host: string;
  port: number | null;
  params: ParamList;
  /** The `?name=value&...` part as written, without the `?`; null when absent. */
  headers: string | null;
}

export interface TelUri {
  readonly scheme: 'tel';
  raw: string;
  number: string;
  params: ParamList;
}

/** Any other absolute URI: kept as text, so the SBC can answer 416 for it (RFC 3261 §8.2.2.1). */
export interface OtherUri {
  readonly scheme: string;
  raw: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips';
}

export function isTelUri(u: Uri): u is TelUri {
  return u.scheme === 'tel';
}

// Character classes of RFC 3261 §25.1 as bit masks over one table: unreserved = alphanum / mark, plus
// user-unreserved, password, param-unreserved and hnv-unreserved characters; `%` must start an escape.
const USER = 1;
const PASSWORD = 2;
const PARAM = 4;
const HEADERS = 8;
const CLASS = new Uint8Array(128);
function allow(chars: string, mask: number): void {
  for (const ch of chars) CLASS[ch.charCodeAt(0)] = (CLASS[ch.charCodeAt(0)] ?? 0) | mask;
}
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
allow(ALNUM + "-_.!~*'()%", USER | PASSWORD | PARAM | HEADERS);
allow('&=+$,;?/', USER);
allow('&=+$,', PASSWORD);
allow('[]/:&+$', PARAM);
allow('[]/?:+$=&', HEADERS);

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function checkChars(text: string, mask: number, what: string, from = 0, to = text.length): void {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ((CLASS[c] ?? 0) & mask) === 0) fail('uri', `invalid character in URI ${what}`);
    if (c === 37 && !(isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2)))) {
      fail('uri', `invalid % escape in URI ${what}`);
    }
  }
}

export function parseUri(text: string): Uri {
  const colon = text.indexOf(':');
  if (colon <= 0) fail('uri', 'URI has no scheme');
  // the common schemes without allocating; others are lower-cased and checked below
  if (colon === 3 && equalsIgnoreCase(text.slice(0, 3), 'sip')) return parseSipUri(text, 'sip', 4);
  if (colon === 4 && equalsIgnoreCase(text.slice(0, 4), 'sips')) return parseSipUri(text, 'sips', 5);
  const scheme = text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+\-.]*$/.test(scheme)) fail('uri', 'invalid URI scheme');
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(text, scheme, colon + 1);
  if (scheme === 'tel') return parseTelUri(text, colon + 1);
  if (colon + 1 >= text.length || /[\s<>"]/.test(text)) fail('uri', 'invalid absolute URI');
  return { scheme, raw: text };
}

function parseSipUri(raw: string, scheme: 'sip' | 'sips', start: number): SipUri {
  const q = raw.indexOf('?', start);
  const at = raw.indexOf('@', start);
  // `?` and `;` may appear in the user part, so the userinfo runs to the one `@` (no later part may hold one).
  let user: string | null = null;
  let password: string | null = null;
  let i = start;
  if (at >= 0) {
    if (raw.indexOf('@', at + 1) >= 0) fail('uri', 'more than one @ in URI');
    const userinfo = raw.slice(start, at);
    const pc = userinfo.indexOf(':');
    user = pc < 0 ? userinfo : userinfo.slice(0, pc);
    password = pc < 0 ? null : userinfo.slice(pc + 1);
    if (user.length === 0) fail('uri', 'empty user part');
    checkChars(user, USER, 'user part');
    if (password !== null) checkChars(password, PASSWORD, 'password');
    i = at + 1;
  }
  const hq = at >= 0 ? raw.indexOf('?', at) : q;
  const end = hq < 0 ? raw.length : hq;
  const semi = raw.indexOf(';', i);
  const hostEnd = semi < 0 || semi > end ? end : semi;
  const { host, port } = splitHostPort(raw.slice(i, hostEnd));
  const params = parseUriParams(raw.slice(hostEnd, end));
  let headers: string | null = null;
  if (hq >= 0) {
    headers = raw.slice(hq + 1);
    checkChars(headers, HEADERS, 'headers');
    if (headers.length === 0) fail('uri', 'empty URI headers');
  }
  return { scheme, raw, user, password, host, port, params, headers };
}

/** `;name[=value]` URI parameters; `text` is empty or starts with `;`. */
function parseUriParams(text: string): ParamList {
  const items: Param[] = [];
  let i = 1;
  while (i <= text.length && text.length > 0) {
    let end = text.indexOf(';', i);
    if (end < 0) end = text.length;
    const eq = text.indexOf('=', i);
    const nameEnd = eq >= 0 && eq < end ? eq : end;
    if (nameEnd === i) fail('uri', 'empty URI parameter');
    checkChars(text, PARAM, 'parameter', i, nameEnd);
    const name = text.slice(i, nameEnd);
    let value: string | null = null;
    if (nameEnd < end) {
      checkChars(text, PARAM, 'parameter value', nameEnd + 1, end);
      value = text.slice(nameEnd + 1, end);
    }
    items.push({ name, value });
    i = end + 1;
  }
  return new ParamList(items);
}

function parseTelUri(raw: string, start: number): TelUri {
  const semi = raw.indexOf(';', start);
  const number = raw.slice(start, semi < 0 ? raw.length : semi);
  if (!/^\+?[0-9A-Fa-f*#\-.()]+$/.test(number)) fail('uri', 'invalid tel URI number');
  const params = parseUriParams(semi < 0 ? '' : raw.slice(semi));
  return { scheme: 'tel', raw, number, params };
}

/** %-unescape to a string of octets (latin1), so that `%00` survives as a NUL character. */
export function unescapeUri(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The user part unescaped (RFC 3261 §19.1.4 compares URIs after unescaping). */
export function uriUser(u: Uri): string | null {
  if (isSipUri(u)) return u.user === null ? null : unescapeUri(u.user);
  if (isTelUri(u)) return u.number;
  return null;
}

/** Rebuild the URI text from its fields (after a change), and store it as the new `raw`. */
export function formatUri(u: Uri): string {
  if (isSipUri(u)) {
    let s = `${u.scheme}:`;
    if (u.user !== null) s += u.password === null ? `${u.user}@` : `${u.user}:${u.password}@`;
    s += u.host;
    if (u.port !== null) s += `:${u.port}`;
    s += u.params.toString();
    if (u.headers !== null) s += `?${u.headers}`;
    u.raw = s;
  } else if (isTelUri(u)) {
    u.raw = `tel:${u.number}${u.params.toString()}`;
  }
  return u.raw;
}
