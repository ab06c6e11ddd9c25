/**
 * Session targets to addresses (cube-reference §1.5): ipv4:/ipv6: as written; dns:name:port by A/AAAA;
 * dns:name without a port by SRV (_sip._udp / _sip._tcp, priority then weight) and then A/AAAA, falling
 * back to A/AAAA at 5060 when there is no SRV record. Only addresses we have a listener for are kept.
 */
import { promises as dns } from 'node:dns';
import type { SessionTarget } from '../routing/session-target.js';
import { type Destination, defaultPort, uriTransport } from '../transport/flow.js';
import type { TransportName } from '../transport/listen-spec.js';
import { bareHost } from '../sip/host.js';
import type { SipResponse } from '../sip/sip-message.js';
import { isSipUri, uriUser } from '../sip/sip-uri.js';

/**
 * Where a 3xx sends the call: the first Contact that names an address (a host name is not followed), and
 * the user to call there (null: the same called number).
 */
export function redirectTarget(
  res: SipResponse,
  transport: TransportName,
): { dest: Destination; user: string | null; uri: string } | null {
  const contacts = res.contacts();
  const target = contacts === '*' ? undefined : contacts.map((c) => c.uri).find(isSipUri);
  if (target === undefined || !/^[0-9.]+$|^\[/.test(target.host)) return null;
  const t = uriTransport(target.scheme, target.params.get('transport'), transport);
  return {
    dest: { transport: t, address: bareHost(target.host), port: target.port ?? defaultPort(t) },
    user: target.user === null ? null : (uriUser(target) ?? ''),
    uri: target.raw,
  };
}

export async function resolveTarget(
  t: SessionTarget,
  transport: TransportName,
  usable: (d: Destination) => boolean,
): Promise<Destination[]> {
  if (t.kind !== 'dns') return [{ transport, address: t.host, port: t.port ?? defaultPort(transport) }].filter(usable);
  const hosts: Array<{ name: string; port: number }> = [];
  if (t.port !== null) {
    hosts.push({ name: t.host, port: t.port });
  } else {
    try {
      // RFC 3263 §4.2: TLS is found as _sips._tcp
      const srv = await dns.resolveSrv(transport === 'tls' ? `_sips._tcp.${t.host}` : `_sip._${transport}.${t.host}`);
      srv.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
      for (const r of srv) hosts.push({ name: r.name, port: r.port });
    } catch {
      // no SRV record (or no resolver): the name itself at 5060 (5061 for TLS)
    }
    if (hosts.length === 0) hosts.push({ name: t.host, port: defaultPort(transport) });
  }
  const out: Destination[] = [];
  for (const h of hosts) {
    try {
      const addrs = await dns.lookup(h.name, { all: true, verbatim: false });
      for (const a of addrs) out.push({ transport, address: a.address, port: h.port, serverName: t.host });
    } catch {
      // this name does not resolve: try the next
    }
  }
  return out.filter(usable);
}
