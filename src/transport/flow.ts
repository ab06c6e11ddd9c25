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
}

export function flowKey(f: Pick<Flow, 'transport' | 'remoteAddress' | 'remotePort'>): string {
  return `${f.transport}:${f.remoteAddress}:${f.remotePort}`;
}

/** Where to send: a transport and a destination address (bare IPv6) and port. */
export interface Destination {
  transport: TransportName;
  address: string;
  port: number;
}
