/**
 * Lossless parser: Buffer -> SipRequest | SipResponse. The header section is read as latin1 so every octet
 * maps to one character and back (UTF-8, NUL and other bytes survive). Only framing is decided here; header
 * values are parsed on demand by the message. Throws nothing but SipParseError.
 */
import { isToken } from './lexer.js';
import { SipHeader } from './sip-header.js';
import { type SipMessage, SipRequest, SipResponse } from './sip-message.js';
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
  const lf = buf.indexOf(LFLF, from);
  if (crlf < 0 && lf < 0) return null;
  if (lf < 0 || (crlf >= 0 && crlf < lf)) return { at: crlf, sep: 4 };
  return { at: lf, sep: 2 };
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
  const headers = parseHeaderLines(head, lineEnd + 1);
  const bodyStart = end.at + end.sep;
  const msg = makeMessage(startLine, headers);
  msg.startEol = startEol;
  msg.headEol = end.sep === 4 ? '\r\n' : '\n';
  frameBody(msg, buf, bodyStart, opts.stream === true);
  return msg;
}

function makeMessage(line: string, headers: SipHeader[]): SipMessage {
  if (line.length === 0) fail('start-line', 'empty start line');
  if (line.startsWith('SIP/')) {
    const m = /^(SIP\/[0-9]+\.[0-9]+) ([1-6][0-9]{2}) ([^\r\n]*)$/.exec(line);
    if (!m) fail('start-line', 'malformed Status-Line');
    return new SipResponse(Number(m[2]), m[3] ?? '', m[1] ?? '', headers, Buffer.alloc(0), line);
  }
  const sp = line.indexOf(' ');
  const method = sp < 0 ? line : line.slice(0, sp);
  if (!isToken(method)) fail('start-line', 'malformed Request-Line method');
  const last = line.lastIndexOf(' ');
  const version = last > sp ? line.slice(last + 1) : '';
  const uri = last > sp ? line.slice(sp + 1, last) : line.slice(sp + 1);
  return new SipRequest(method, uri, version, headers, Buffer.alloc(0), line);
}

/** Split the header block into fields; a line starting with SP/HT continues the previous field. */
function parseHeaderLines(head: string, from: number): SipHeader[] {
  const headers: SipHeader[] = [];
  let i = from;
  while (i < head.length) {
    let j = head.indexOf('\n', i);
    if (j < 0) j = head.length;
    // extend over continuation lines (RFC 3261 §7.3.1 folding)
    while (j + 1 < head.length && (head.charCodeAt(j + 1) === 32 || head.charCodeAt(j + 1) === 9)) {
      const next = head.indexOf('\n', j + 1);
      j = next < 0 ? head.length : next;
    }
    const eol = j < head.length && head.charCodeAt(j - 1) === 13 ? '\r\n' : '\n';
    const raw = head.slice(i, j < head.length ? j - eol.length + 1 : j);
    const colon = raw.indexOf(':');
    if (colon <= 0) fail('header-line', 'header line without a name and colon');
    const name = raw.slice(0, colon).replace(/[ \t]+$/, '');
    if (!isToken(name)) fail('header-line', `invalid header name "${name}"`);
    headers.push(new SipHeader(name, raw, colon + 1, eol));
    i = j + 1;
  }
  return headers;
}

/** Decide the body by Content-Length (RFC 3261 §18.3, §20.14) and record framing faults. */
function frameBody(msg: SipMessage, buf: Buffer, bodyStart: number, stream: boolean): void {
  const lengths = msg.getHeaders('content-length').map((h) => h.value);
  const available = buf.length - bodyStart;
  if (lengths.length === 0) {
    if (stream) fail('content-length', 'Content-Length is required on stream transports');
    msg.body = buf.subarray(bodyStart);
    return;
  }
  const first = lengths[0] ?? '';
  if (lengths.some((v) => v !== first)) {
    msg.framingFault = 'conflicting Content-Length headers';
  } else if (!/^[0-9]{1,10}$/.test(first)) {
    msg.framingFault = `invalid Content-Length "${first}"`;
  } else if (Number(first) > available) {
    msg.framingFault = 'Content-Length larger than the message';
  }
  if (msg.framingFault !== null) {
    if (stream) fail('content-length', msg.framingFault);
    msg.body = buf.subarray(bodyStart);
    return;
  }
  // extra octets after Content-Length in a datagram are ignored (RFC 4475 §3.1.1.8)
  msg.body = buf.subarray(bodyStart, bodyStart + Number(first));
}
