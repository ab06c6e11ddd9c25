/**
 * Lossless parser: Buffer -> SipRequest | SipResponse. The header section is read as latin1 so every octet
 * maps to one character and back (UTF-8, NUL and other bytes survive). Only framing is decided here; header
 * values are parsed on demand by the message. Throws nothing but SipParseError.
 */
import { isToken, isTokenChar } from './lexer.js';
import { SipHeader } from './sip-header.js';
import { EMPTY_BODY, type SipMessage, SipRequest, SipResponse } from './sip-message.js';
import { fail } from './sip-parse-error.js';

export interface ParseOptions {
  /**
   * Stream transports (TCP/TLS) require Content-Length and have already cut the message to its exact
   * size; a datagram's body may run to its end and a bad Content-Length is only a fault (→ 400).
   */
  stream?: boolean;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

/** Leading CRLFs before a start line are ignored (RFC 3261 §7.5). */
export function skipLeadingCrlf(buf: Buffer, from = 0): number {
  let i = from;
  while (i < buf.length && (buf[i] === 13 || buf[i] === 10)) i++;
  return i;
}

/** Where the header section ends: the index of the blank line and the length of its terminator. */
export function findHeadEnd(buf: Buffer, from: number): { at: number; sep: number } | null {
  const crlf = buf.indexOf(CRLFCRLF, from);
  // A bare-LF blank line before it (lenient peers) is found by the header-line scan; look for one here
  // only when there is no CRLF blank line at all.
  if (crlf >= 0) return { at: crlf, sep: 4 };
  const lf = buf.indexOf(LFLF, from);
  return lf < 0 ? null : { at: lf, sep: 2 };
}

export function parseMessage(buf: Buffer, opts: ParseOptions = {}): SipMessage {
  const start = skipLeadingCrlf(buf);
  const end = findHeadEnd(buf, start);
  if (end === null) fail('incomplete', 'no blank line after the headers');
  const head = buf.toString('latin1', start, end.at + end.sep - (end.sep === 4 ? 2 : 1));
  const lineEnd = head.indexOf('\n');
  if (lineEnd < 0) fail('start-line', 'missing start line');
  const startEol = head.charCodeAt(lineEnd - 1) === 13 ? '\r\n' : '\n';
  const startLine = head.slice(0, lineEnd - startEol.length + 1);
  const headers: SipHeader[] = [];
  const blank = parseHeaderLines(head, lineEnd + 1, headers, start);
  // a blank line inside `head` means bare-LF framing ended the headers earlier
  const bodyStart = blank < 0 ? end.at + end.sep : start + blank;
  const msg = makeMessage(startLine, headers);
  msg.startEol = startEol;
  msg.headEol = blank < 0 ? (end.sep === 4 ? '\r\n' : '\n') : head.charCodeAt(blank - 2) === 13 ? '\r\n' : '\n';
  frameBody(msg, buf, start, bodyStart, opts.stream === true);
  return msg;
}

function makeMessage(line: string, headers: SipHeader[]): SipMessage {
  if (line.length === 0) fail('start-line', 'empty start line');
  if (line.startsWith('SIP/')) {
    const m = /^(SIP\/[0-9]+\.[0-9]+) ([1-6][0-9]{2}) ([^\r\n]*)$/.exec(line);
    if (!m) fail('start-line', 'malformed Status-Line');
    return new SipResponse(Number(m[2]), m[3] ?? '', m[1] ?? '', headers, EMPTY_BODY, line);
  }
  const sp = line.indexOf(' ');
  const method = sp < 0 ? line : line.slice(0, sp);
  if (!isToken(method)) fail('start-line', 'malformed Request-Line method');
  const last = line.lastIndexOf(' ');
  const version = last > sp ? line.slice(last + 1) : '';
  const uri = last > sp ? line.slice(sp + 1, last) : line.slice(sp + 1);
  return new SipRequest(method, uri, version, headers, EMPTY_BODY, line);
}

/**
 * Split the header block into fields in one pass: name, optional SP/HT, colon, then to the line end,
 * extended over continuation lines (a line starting with SP/HT continues the field, RFC 3261 §7.3.1).
 * Returns -1, or the offset just past an early blank line (bare-LF framing: the body starts there).
 */
function parseHeaderLines(head: string, from: number, headers: SipHeader[], offset: number): number {
  const n = head.length;
  let i = from;
  while (i < n) {
    const first = head.charCodeAt(i);
    if (first === 10) return i + 1;
    if (first === 13 && head.charCodeAt(i + 1) === 10) return i + 2;
    let k = i;
    while (k < n && isTokenChar(head.charCodeAt(k))) k++;
    const nameEnd = k;
    while (k < n && (head.charCodeAt(k) === 32 || head.charCodeAt(k) === 9)) k++;
    if (nameEnd === i || head.charCodeAt(k) !== 58) fail('header-line', 'header line without a token name and colon');
    let j = head.indexOf('\n', k);
    while (j >= 0 && j + 1 < n && (head.charCodeAt(j + 1) === 32 || head.charCodeAt(j + 1) === 9)) {
      j = head.indexOf('\n', j + 1);
    }
    if (j < 0) j = n;
    const crlf = head.charCodeAt(j - 1) === 13;
    const raw = head.slice(i, crlf ? j - 1 : j);
    headers.push(new SipHeader(head.slice(i, nameEnd), raw, k + 1 - i, crlf ? '\r\n' : '\n', offset + i));
    i = j + 1;
  }
  return -1;
}

/** Decide the body by Content-Length (RFC 3261 §18.3, §20.14) and record framing faults. */
function frameBody(msg: SipMessage, buf: Buffer, msgStart: number, bodyStart: number, stream: boolean): void {
  let first: string | null = null;
  let conflict = false;
  for (const h of msg.headers) {
    if (h.key !== 'content-length') continue;
    if (first === null) first = h.value;
    else if (h.value !== first) conflict = true;
  }
  const available = buf.length - bodyStart;
  if (first === null) {
    if (stream) fail('content-length', 'Content-Length is required on stream transports');
    msg.framed(buf.subarray(bodyStart), { buf, start: msgStart, end: buf.length }, bodyStart);
    return;
  }
  if (conflict) {
    msg.framingFault = 'conflicting Content-Length headers';
  } else if (!/^[0-9]{1,10}$/.test(first)) {
    msg.framingFault = `invalid Content-Length "${first}"`;
  } else if (Number(first) > available) {
    msg.framingFault = 'Content-Length larger than the message';
  }
  if (msg.framingFault !== null) {
    if (stream) fail('content-length', msg.framingFault);
    msg.framed(buf.subarray(bodyStart), { buf, start: msgStart, end: buf.length }, bodyStart);
    return;
  }
  // extra octets after Content-Length in a datagram are ignored (RFC 4475 §3.1.1.8)
  const end = bodyStart + Number(first);
  msg.framed(buf.subarray(bodyStart, end), { buf, start: msgStart, end }, bodyStart);
}
