/** Host and port syntax shared by URIs and Via (RFC 3261 §25.1, RFC 5118, RFC 5954 for IPv6). */
import { isIPv6 } from 'node:net';
import { fail } from './sip-parse-error.js';

export type HostKind = 'ipv4' | 'ipv6' | 'name';

const HOSTNAME = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;

/** Dotted quad, each part 0..255 with no more than three digits. */
export function isIPv4(s: string): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

function isDigitsAndDots(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  return true;
}

/** Classify a host as written (IPv6 in brackets); throws SipParseError if it is none of the three. */
export function hostKind(host: string): HostKind {
  if (host.length === 0) fail('uri', 'empty host');
  if (host.charCodeAt(0) === 91 /* [ */) {
    if (host.charCodeAt(host.length - 1) !== 93 || !isIPv6(host.slice(1, -1))) {
      fail('uri', `invalid IPv6 reference ${host}`);
    }
    return 'ipv6';
  }
  if (isIPv4(host)) return 'ipv4';
  if (isDigitsAndDots(host)) fail('uri', `invalid IPv4 address ${host}`);
  if (!HOSTNAME.test(host)) {
    fail('uri', `invalid host name ${host}`);
  }
  return 'name';
}

/** A port as written after a colon: 1*DIGIT in 0..65535. */
export function parsePort(text: string): number {
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57 || i >= 5) fail('uri', `invalid port ${text}`);
    port = port * 10 + (c - 48);
  }
  if (text.length === 0 || port > 65535) fail('uri', `invalid port ${text}`);
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
