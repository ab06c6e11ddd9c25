/** Host and port syntax shared by URIs and Via (RFC 3261 §25.1, RFC 5118, RFC 5954 for IPv6). */
import { isIP, isIPv6 } from 'node:net';
import { fail } from './sip-parse-error.js';

export type HostKind = 'ipv4' | 'ipv6' | 'name';

/** Classify a host as written (IPv6 in brackets); throws SipParseError if it is none of the three. */
export function hostKind(host: string): HostKind {
  if (host.length === 0) fail('uri', 'empty host');
  if (host.charCodeAt(0) === 91 /* [ */) {
    if (host.charCodeAt(host.length - 1) !== 93 || !isIPv6(host.slice(1, -1))) {
      fail('uri', `invalid IPv6 reference ${host}`);
    }
    return 'ipv6';
  }
  if (/^[0-9.]+$/.test(host)) {
    if (isIP(host) !== 4) fail('uri', `invalid IPv4 address ${host}`);
    return 'ipv4';
  }
  if (!/^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.?$/.test(host)) {
    fail('uri', `invalid host name ${host}`);
  }
  return 'name';
}

/** A port as written after a colon: 1*DIGIT in 0..65535. */
export function parsePort(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) fail('uri', `invalid port ${text}`);
  const port = Number(text);
  if (port > 65535) fail('uri', `port out of range ${text}`);
  return port;
}

/**
 * Split `host[:port]` where host may be an IPv6 reference. `[2001:db8::10:5070]` is all address
 * (RFC 5118 §4.3): only a colon after the closing bracket introduces a port.
 */
export function splitHostPort(text: string): { host: string; port: number | null } {
  let host: string;
  let rest: string;
  if (text.charCodeAt(0) === 91) {
    const close = text.indexOf(']');
    if (close < 0) fail('uri', 'unterminated IPv6 reference');
    host = text.slice(0, close + 1);
    rest = text.slice(close + 1);
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    rest = colon < 0 ? '' : text.slice(colon);
  }
  hostKind(host);
  if (rest.length === 0) return { host, port: null };
  if (rest.charCodeAt(0) !== 58) fail('uri', `unexpected text after host: ${rest}`);
  return { host, port: parsePort(rest.slice(1)) };
}

/** The address without IPv6 brackets, as sockets want it. */
export function bareHost(host: string): string {
  return host.charCodeAt(0) === 91 ? host.slice(1, -1) : host;
}

/** The host as SIP writes it: IPv6 addresses get brackets. */
export function sipHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}
