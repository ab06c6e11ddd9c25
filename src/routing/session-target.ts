/** `session target ipv4:A.B.C.D[:port]` / `ipv6:[addr]:port` / `dns:name[:port]` (cube-reference §1.5). */
import { SbcError } from '../errors/sbc-error.js';
import { isIP } from 'node:net';

export interface SessionTarget {
  kind: 'ipv4' | 'ipv6' | 'dns';
  /** Bare address or DNS name (no IPv6 brackets). */
  host: string;
  /** Null when not given: 5060 for an address, SRV then 5060 for a DNS name. */
  port: number | null;
}

export function parseSessionTarget(text: string): SessionTarget {
  const m = /^(ipv4|ipv6|dns):(?:\[([^\]]+)\]|([^:]+))(?::([0-9]{1,5}))?$/.exec(text);
  if (!m) throw new SbcError('SBC_ERR_ROUTING_SESSION_TARGET', `invalid session target "${text}"`);
  const kind = m[1] as SessionTarget['kind'];
  const host = m[2] ?? m[3] ?? '';
  const port = m[4] === undefined ? null : Number(m[4]);
  if (port !== null && (port < 1 || port > 65535))
    throw new SbcError('SBC_ERR_ROUTING_SESSION_TARGET', `invalid port in session target "${text}"`);
  if (kind === 'ipv4' && isIP(host) !== 4)
    throw new SbcError('SBC_ERR_ROUTING_SESSION_TARGET', `invalid IPv4 address in session target "${text}"`);
  if (kind === 'ipv6' && (isIP(host) !== 6 || m[2] === undefined))
    throw new SbcError('SBC_ERR_ROUTING_SESSION_TARGET', `session target "${text}" needs an IPv6 address in brackets`);
  if (
    kind === 'dns' &&
    !/^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.?$/.test(host)
  ) {
    throw new SbcError('SBC_ERR_ROUTING_SESSION_TARGET', `invalid DNS name in session target "${text}"`);
  }
  return { kind, host, port };
}

export function formatSessionTarget(t: SessionTarget): string {
  const host = t.kind === 'ipv6' ? `[${t.host}]` : t.host;
  return `${t.kind}:${host}${t.port === null ? '' : `:${t.port}`}`;
}
