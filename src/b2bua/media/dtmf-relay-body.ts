/** The body of SIP INFO `application/dtmf-relay` (CUBE `dtmf-relay sip-info`), both ways. */

/** The event of an INFO `application/dtmf-relay` body (`Signal=5`, `Duration=160`); null when it has none. */
export function parseDtmfRelay(body: string): { event: number; durationMs: number } | null {
  const signal = /^\s*Signal\s*=\s*([0-9*#A-Da-d])\s*$/m.exec(body)?.[1]?.toUpperCase();
  if (signal === undefined) return null;
  const duration = Number(/^\s*Duration\s*=\s*([0-9]+)\s*$/m.exec(body)?.[1] ?? 250);
  return { event: '0123456789*#ABCD'.indexOf(signal), durationMs: Math.min(8000, Math.max(40, duration)) };
}

/** An RFC 4733 event (0-9, 10 *, 11 #, 12-15 A-D) as the body of an INFO `application/dtmf-relay`; null for others. */
export function dtmfRelayBody(event: number, durationMs: number): string | null {
  const signal = '0123456789*#ABCD'[event];
  return signal === undefined ? null : `Signal=${signal}\r\nDuration=${Math.round(durationMs)}\r\n`;
}
