/** Via header values (RFC 3261 §20.42, §18.2.2; RFC 3581 rport; RFC 5118 IPv6). */
import { isIP } from 'node:net';
import { hostKind, parsePort } from './host.js';
import { isTokenChar, type ParamList, parseParams, skipWs } from './lexer.js';
import { fail } from './sip-parse-error.js';

export interface Via {
  protocol: string;
  version: string;
  /** Upper case: UDP, TCP, TLS, SCTP, WS, WSS or any other token. */
  transport: string;
  host: string;
  port: number | null;
  params: ParamList;
}

/** RFC 3261 §8.1.1.7: branches of compliant elements start with this cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

function isHostChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

function token(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

function slash(s: string, i: number): number {
  i = skipWs(s, i);
  if (s.charCodeAt(i) !== 47) fail('header-value', 'Via sent-protocol needs protocol/version/transport');
  return skipWs(s, i + 1);
}

/** Parse one Via element (one value of a comma list). */
export function parseVia(value: string): Via {
  const s = value;
  let i = token(s, 0);
  const protocol = s.slice(0, i);
  const vStart = slash(s, i);
  i = token(s, vStart);
  const version = s.slice(vStart, i);
  const tStart = slash(s, i);
  i = token(s, tStart);
  const written = s.slice(tStart, i);
  const transport = written === 'UDP' || written === 'TCP' || written === 'TLS' ? written : written.toUpperCase();
  if (protocol.length === 0 || version.length === 0 || transport.length === 0) {
    fail('header-value', 'Via sent-protocol is incomplete');
  }
  const hostStart = skipWs(s, i);
  if (hostStart === i) fail('header-value', 'Via needs a space before sent-by');
  i = hostStart;
  if (s.charCodeAt(i) === 91) {
    const close = s.indexOf(']', i);
    if (close < 0) fail('header-value', 'unterminated IPv6 reference in Via');
    i = close + 1;
  } else {
    while (i < s.length && isHostChar(s.charCodeAt(i))) i++;
  }
  const host = s.slice(hostStart, i);
  hostKind(host);
  let port: number | null = null;
  i = skipWs(s, i);
  if (s.charCodeAt(i) === 58) {
    const pStart = skipWs(s, i + 1);
    i = pStart;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    port = parsePort(s.slice(pStart, i));
  }
  const { params, end } = parseParams(s, i, 'Via');
  if (end !== s.length) fail('header-value', 'unexpected text in Via');
  checkViaParams(params);
  return { protocol, version, transport, host, port, params };
}

function checkViaParams(params: ParamList): void {
  const received = params.get('received');
  if (received !== undefined) {
    // RFC 3261 wants a bare address; RFC 5118 §4.5 asks to accept a bracketed IPv6 one too.
    const addr = received?.replace(/^\[(.*)\]$/, '$1') ?? '';
    if (isIP(addr) === 0) fail('header-value', 'Via received is not an IP address');
  }
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null) parsePort(rport);
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || !/^[0-9]{1,3}$/.test(ttl) || Number(ttl) > 255)) {
    fail('header-value', 'Via ttl must be 0-255');
  }
  const maddr = params.get('maddr');
  if (maddr !== undefined) hostKind(maddr ?? '');
  const branch = params.get('branch');
  if (branch === null) fail('header-value', 'Via branch has no value');
}

export function viaBranch(via: Via): string | null {
  return via.params.get('branch') ?? null;
}

export function formatVia(via: Via): string {
  const port = via.port === null ? '' : `:${via.port}`;
  return `${via.protocol}/${via.version}/${via.transport} ${via.host}${port}${via.params.toString()}`;
}
