/**
 * URIs (RFC 3261 §19.1, §25.1; RFC 3966 tel). A parsed URI keeps the exact text it came from (`raw`) so an
 * unchanged URI is written back byte for byte; `formatUri` rebuilds the text after a change.
 */
import { splitHostPort } from './host.js';
import { ParamList, type Param } from './lexer.js';
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

// unreserved = alphanum / mark; user-unreserved and password chars per §25.1; `%` is checked separately.
const USER_CHARS = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$/;
const PASSWORD_CHARS = /^[A-Za-z0-9\-_.!~*'()&=+$,%]*$/;
const PARAM_CHARS = /^[A-Za-z0-9\-_.!~*'()[\]/:&+$%]+$/;
const HEADERS_CHARS = /^[A-Za-z0-9\-_.!~*'()[\]/?:+$%=&]+$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

function checkChars(text: string, chars: RegExp, what: string): void {
  if (!chars.test(text) || BAD_ESCAPE.test(text)) fail('uri', `invalid character in URI ${what}`);
}

export function parseUri(text: string): Uri {
  const colon = text.indexOf(':');
  if (colon <= 0) fail('uri', 'URI has no scheme');
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
    checkChars(user, USER_CHARS, 'user part');
    if (password !== null) checkChars(password, PASSWORD_CHARS, 'password');
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
    checkChars(headers, HEADERS_CHARS, 'headers');
  }
  return { scheme, raw, user, password, host, port, params, headers };
}

function parseUriParams(text: string): ParamList {
  const items: Param[] = [];
  if (text.length === 0) return new ParamList(items);
  for (const part of text.slice(1).split(';')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? null : part.slice(eq + 1);
    checkChars(name, PARAM_CHARS, 'parameter');
    if (value !== null) checkChars(value, PARAM_CHARS, 'parameter value');
    items.push({ name, value });
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
