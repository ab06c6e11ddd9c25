/**
 * A flow is the path a message came on: transport, our local address and the peer's address, plus the
 * connection for stream transports. Responses and in-dialog requests go back on the same flow (RFC 5626).
 */
import type { TransportName } from './listen-spec.js';

export interface Flow {
  transport: TransportName;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Stream transports: the connection id in the connection table. */
  connectionId?: number;
  /**
   * A TLS client whose certificate verified and names one of `tls.trustedClientNames`: trusted from
   * wherever it connects (CUBE: a passing CN/SAN check skips the trusted list).
   */
  trustedByCertificate?: true;
}

export function flowKey(f: Pick<Flow, 'transport' | 'remoteAddress' | 'remotePort'>): string {
  return `${f.transport}:${f.remoteAddress}:${f.remotePort}`;
}

/** Where to send: a transport and a destination address (bare IPv6) and port. */
export interface Destination {
  transport: TransportName;
  address: string;
  port: number;
  /**
   * TLS: the name the server's certificate is checked against and sent as SNI, when the destination was
   * found from a DNS name (RFC 5922 §4: the domain the URI or session target names, not an SRV target
   * or the address it resolved to). Without it the address is the name.
   */
  serverName?: string;
}

/** The port a transport's URIs mean when they name none (RFC 3261 §19.1.2: 5061 for TLS). */
export function defaultPort(t: TransportName): number {
  return t === 'tls' ? 5061 : 5060;
}

/** The `;transport=` parameter a URI needs to reach us (or a peer) over `t`; none for UDP. */
export function transportParam(t: TransportName): string {
  return t === 'udp' ? '' : `;transport=${t}`;
}

/** The transport a URI asks for (RFC 3261 §18.1.1, §26.2): its `transport` parameter, TLS for sips:, else `fallback`. */
export function uriTransport(scheme: string, param: string | null | undefined, fallback: TransportName): TransportName {
  const p = (param ?? '').toLowerCase();
  if (p === 'tls' || scheme === 'sips') return 'tls';
  if (p === 'tcp') return 'tcp';
  if (p === 'udp') return 'udp';
  return fallback;
}
