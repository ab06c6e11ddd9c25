/** Which IP the SBC writes into SDP and binds RTP on, when the configuration does not say. */
import { isIP } from 'node:net';
import os from 'node:os';

/**
 * The configured one; else the first listen address; else, when that is a wildcard (0.0.0.0, ::), the
 * machine's first external IPv4 address (a wildcard cannot go into SDP), else loopback.
 */
export function chooseMediaAddress(configured: string | undefined, listenAddresses: string[]): string {
  if (configured !== undefined) return configured;
  const first = listenAddresses[0];
  if (first !== undefined && first !== '0.0.0.0' && first !== '::') return first;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal && isIP(a.address) === 4) return a.address;
  }
  return '127.0.0.1';
}
