/**
 * The DTMF events rtpengine reports: with `dtmf-log-dest` pointing here, rtpengine sends one JSON datagram
 * per RFC 4733 digit it sees in a call's RTP (when the digit ends), naming the call and the monologue (the
 * leg) it came from. rtpengine 10.5 has no per-call destination, so one listener takes the events of every
 * call on the instances that point to it; what is not one of this node's calls is ignored by the caller.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { parseNgAddress } from './ng-client.js';

export interface DtmfEvent {
  callId: string;
  /** rtpengine's tag of the monologue the digit came from. */
  sourceTag: string;
  /** 0-15: 0-9, *, #, A-D (RFC 4733 §3.2). */
  event: number;
  durationMs: number;
}

/** One datagram as rtpengine writes it, or null when it is not a DTMF event. */
export function parseDtmfEvent(datagram: Buffer): DtmfEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(datagram.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const { callid, source_tag: sourceTag, event, duration } = o;
  if (o['type'] !== 'DTMF' || typeof callid !== 'string' || typeof sourceTag !== 'string') return null;
  if (typeof event !== 'number' || !Number.isInteger(event) || event < 0 || event > 15) return null;
  return {
    callId: callid,
    sourceTag,
    event,
    durationMs: typeof duration === 'number' && duration > 0 ? duration : 100,
  };
}

export class DtmfEventListener {
  private constructor(private readonly socket: dgram.Socket) {}

  /** Listening on `udp:HOST:PORT` (what rtpengine's `dtmf-log-dest` names). */
  static open(address: string, onEvent: (e: DtmfEvent) => void): Promise<DtmfEventListener> {
    const { host, port } = parseNgAddress(address);
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.on('message', (m) => {
      const e = parseDtmfEvent(m);
      if (e !== null) onEvent(e);
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined); // a stray ICMP error must not end the node
        resolve(new DtmfEventListener(socket));
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}
