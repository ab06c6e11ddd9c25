/**
 * HTTP Digest as a SIP client uses it (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760): read the challenges
 * of a 401/407 and answer one. MD5, SHA-256 and SHA-512-256, each also as -sess; qop auth and auth-int,
 * and no qop (RFC 2069 style) for old servers.
 */
import crypto from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  /** As the server wrote it (upper case); MD5 when absent. */
  algorithm: string;
  /** The qop options offered, lower case; empty for none. */
  qop: string[];
  /** The previous credentials were right but the nonce had expired (§3.2.1): retry, do not give up. */
  stale: boolean;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };
/** Strongest first: a server that offers several challenges gets the answer to the best one (RFC 8760 §2.4). */
const PREFERENCE = ['SHA-512-256', 'SHA-256', 'MD5'];

function baseAlgorithm(algorithm: string): string {
  return algorithm.endsWith('-SESS') ? algorithm.slice(0, -5) : algorithm;
}

/** `name=value` and `name="quoted, with \" escapes"` pairs after the scheme; names lower case. */
export function authParams(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') {
    const quoted = m[2];
    out.set((m[1] as string).toLowerCase(), quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (m[3] ?? ''));
    if (re.lastIndex >= text.length) break;
  }
  return out;
}

/** One WWW-Authenticate / Proxy-Authenticate value, or null when it is not a usable Digest challenge. */
export function parseChallenge(value: string): DigestChallenge | null {
  const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(value);
  if (m === null || (m[1] as string).toLowerCase() !== 'digest') return null;
  const p = authParams(m[2] as string);
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || nonce === undefined) return null;
  const algorithm = (p.get('algorithm') ?? 'MD5').toUpperCase();
  if (HASHES[baseAlgorithm(algorithm)] === undefined) return null;
  const qop = (p.get('qop') ?? '')
    .split(',')
    .map((q) => q.trim().toLowerCase())
    .filter((q) => q !== '');
  // a server that offers only qop values we do not know cannot be answered (RFC 7616 §3.3)
  if (qop.length > 0 && !qop.includes('auth') && !qop.includes('auth-int')) return null;
  return {
    realm,
    nonce,
    opaque: p.get('opaque') ?? null,
    algorithm,
    qop,
    stale: (p.get('stale') ?? '').toLowerCase() === 'true',
  };
}

/** Of several challenge values, the usable ones strongest first. */
export function usableChallenges(values: readonly string[]): DigestChallenge[] {
  const parsed = values.map(parseChallenge).filter((c): c is DigestChallenge => c !== null);
  const rank = (c: DigestChallenge): number => PREFERENCE.indexOf(baseAlgorithm(c.algorithm));
  return parsed.sort((x, y) => rank(x) - rank(y));
}

export interface DigestAnswer {
  username: string;
  password: string;
  method: string;
  uri: string;
  body: Buffer;
  /** Requests answered with this nonce before this one (the nc is one more). */
  count: number;
  cnonce?: string;
}

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** The Authorization / Proxy-Authorization value answering `ch` (RFC 7616 §3.4). */
export function digestAuthorization(ch: DigestChallenge, a: DigestAnswer): string {
  const hashName = HASHES[baseAlgorithm(ch.algorithm)] as string;
  const h = (s: string | Buffer): string => crypto.createHash(hashName).update(s).digest('hex');
  const qop = ch.qop.includes('auth') ? 'auth' : ch.qop.includes('auth-int') ? 'auth-int' : null;
  const cnonce = a.cnonce ?? crypto.randomBytes(12).toString('hex');
  const nc = (a.count + 1).toString(16).padStart(8, '0');
  let ha1 = h(`${a.username}:${ch.realm}:${a.password}`);
  if (ch.algorithm.endsWith('-SESS')) ha1 = h(`${ha1}:${ch.nonce}:${cnonce}`);
  const ha2 = h(qop === 'auth-int' ? `${a.method}:${a.uri}:${h(a.body)}` : `${a.method}:${a.uri}`);
  const response =
    qop === null ? h(`${ha1}:${ch.nonce}:${ha2}`) : h(`${ha1}:${ch.nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
  const parts = [
    `Digest username=${quote(a.username)}`,
    `realm=${quote(ch.realm)}`,
    `nonce=${quote(ch.nonce)}`,
    `uri=${quote(a.uri)}`,
    `response="${response}"`,
    `algorithm=${ch.algorithm}`,
  ];
  if (qop !== null) parts.push(`cnonce=${quote(cnonce)}`, `qop=${qop}`, `nc=${nc}`);
  if (ch.opaque !== null) parts.push(`opaque=${quote(ch.opaque)}`);
  return parts.join(', ');
}
