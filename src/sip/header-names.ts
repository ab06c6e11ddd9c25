/** Header names: RFC 3261 §7.3.3 compact forms and the canonical (lower-case, long) key used for lookup. */

const COMPACT: Record<string, string> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

/** The usual spellings, answered with interned constants so later key comparisons are cheap. */
const COMMON = [
  'Via',
  'From',
  'To',
  'Call-ID',
  'CSeq',
  'Contact',
  'Max-Forwards',
  'Content-Type',
  'Content-Length',
  'Route',
  'Record-Route',
  'Allow',
  'Supported',
  'Require',
  'User-Agent',
  'Expires',
  'Session-Expires',
];
const COMMON_KEYS = COMMON.map((n) => n.toLowerCase());

/** Canonical key of a header name as written: lower case, compact form expanded. */
export function headerKey(name: string): string {
  for (let i = 0; i < COMMON.length; i++) if (COMMON[i] === name) return COMMON_KEYS[i] ?? name;
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
}

/** Headers that may appear once only (RFC 3261 §7.3.1, §20): a second copy makes the request a 400. */
export const SINGLE_VALUED = new Set([
  'call-id',
  'cseq',
  'from',
  'to',
  'max-forwards',
  'content-length',
  'content-type',
]);

/** Headers whose comma-separated values are separate elements (RFC 3261 §7.3.1). */
export const LIST_HEADERS = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'require',
  'proxy-require',
  'supported',
  'unsupported',
  'allow',
  'accept',
  'accept-encoding',
  'accept-language',
  'content-encoding',
  'path',
  'allow-events',
]);
