/** CSeq (RFC 3261 §20.16): a sequence number and the method it belongs to. */
import { isToken, isWs } from './lexer.js';
import { fail } from './sip-parse-error.js';

export interface CSeq {
  seq: number;
  readonly method: string;
}

const MAX_CSEQ = 2 ** 32 - 1;

/** `1*DIGIT LWS Method` with the number in 0..2^32-1 (RFC 3261 §20.16, RFC 4475 §3.1.2.4). */
export function parseCSeq(v: string): CSeq {
  let i = 0;
  let seq = 0;
  while (v.charCodeAt(i) === 48 && v.charCodeAt(i + 1) >= 48 && v.charCodeAt(i + 1) <= 57) i++; // leading zeros
  const digits = i;
  while (i < v.length && v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57 && i - digits < 11)
    seq = seq * 10 + v.charCodeAt(i++) - 48;
  const sp = i;
  while (i < v.length && isWs(v.charCodeAt(i))) i++;
  const method = v.slice(i);
  if (sp === 0 || i === sp || seq > MAX_CSEQ || !isToken(method)) {
    fail('header-value', 'invalid CSeq (number must be 0..2^32-1, then a method)');
  }
  return { seq, method };
}
