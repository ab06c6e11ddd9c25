/** SIP messages counted by direction: requests by method, responses by status class (1xx..6xx). */
export interface SipCounters {
  requestsIn: Record<string, number>;
  requestsOut: Record<string, number>;
  responsesIn: Record<string, number>;
  responsesOut: Record<string, number>;
}

/** Methods counted by name; any other is counted as OTHER (bounded: names are attacker-controlled). */
export const COUNTED_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'UPDATE',
  'INFO',
  'REFER',
  'NOTIFY',
  'SUBSCRIBE',
  'MESSAGE',
  'PUBLISH',
]);

export function newSipCounters(): SipCounters {
  return { requestsIn: {}, requestsOut: {}, responsesIn: {}, responsesOut: {} };
}

export function countSip(c: SipCounters, dir: 'in' | 'out', method: string | null, status: number | null): void {
  if (method !== null) {
    const key = COUNTED_METHODS.has(method) ? method : 'OTHER';
    const table = dir === 'in' ? c.requestsIn : c.requestsOut;
    table[key] = (table[key] ?? 0) + 1;
  } else if (status !== null) {
    const key = `${Math.floor(status / 100)}xx`;
    const table = dir === 'in' ? c.responsesIn : c.responsesOut;
    table[key] = (table[key] ?? 0) + 1;
  }
}

/** Counters of the transport layer; the observability layer exports them. */
export class TransportStats {
  /** `show sip-ua statistics`: what crossed the wire, by method and status class. */
  sip: SipCounters = newSipCounters();
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Unparseable datagrams or stream messages, dropped. */
  parseErrors = 0;
  /** Larger than maxMessageBytes: dropped (UDP, after a 513 when the head parses) or connection closed. */
  tooLarge = 0;
  /** RFC 5626 CRLF keep-alives received. */
  keepalives = 0;
  /** Stream framing errors (missing/bad Content-Length, slow drip): that connection was closed. */
  framingErrors = 0;
  connectionsAccepted = 0;
  connectionsRejected = 0;
  connectionsClosedIdle = 0;
  sendErrors = 0;
}
