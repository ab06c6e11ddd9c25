/** `--listen udp:127.0.0.1:5060`, `tcp:[::1]:5060`, `tls:127.0.0.1:5061`: what to bind. */
import { SbcError } from '../errors/sbc-error.js';
import { isIP } from 'node:net';

export type TransportName = 'udp' | 'tcp' | 'tls';

export interface ListenSpec {
  transport: TransportName;
  /** Bare address (no IPv6 brackets). */
  address: string;
  port: number;
}

export class ListenSpecError extends SbcError {
  override readonly name = 'ListenSpecError';
  constructor(message: string) {
    super('SBC_ERR_TRANSPORT_LISTEN_SPEC', message);
  }
}

export function parseListenSpec(text: string): ListenSpec {
  const m = /^(udp|tcp|tls):(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(text.trim());
  if (!m)
    throw new ListenSpecError(
      `invalid listen address "${text}" (expected udp:IP:PORT, tcp:IP:PORT, tls:IP:PORT or udp:[IPv6]:PORT)`,
    );
  const address = m[2] ?? m[3] ?? '';
  const port = Number(m[4]);
  const family = isIP(address);
  if (family === 0 || (m[2] !== undefined && family !== 6) || (m[3] !== undefined && family !== 4)) {
    throw new ListenSpecError(`invalid IP address in listen address "${text}"`);
  }
  if (port > 65535) throw new ListenSpecError(`invalid port in listen address "${text}"`);
  return { transport: m[1] as TransportName, address, port };
}

export function formatListenSpec(s: ListenSpec): string {
  return `${s.transport}:${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port}`;
}
