/**
 * The up/down machine of one pinged dial-peer (cube-reference §5): only 503, 505 or no answer count as a
 * failure (any other answer, 404 and 401 included, proves a SIP stack is alive); `retry` failures in a row
 * busy the dial-peer out, one good answer brings it back. Pure: the manager feeds it results and asks it
 * when to ping next.
 */

export type HealthState = 'active' | 'busyout';

export type PingResult =
  | { kind: 'answer'; status: number; reason: string; rttMs: number }
  | { kind: 'no-answer'; why: 'timeout' | 'transport error' };

export interface HealthSettings {
  upIntervalMs: number;
  downIntervalMs: number;
  retry: number;
}

/** Whether an OPTIONS result says the far end is alive. */
export function isAlive(r: PingResult): boolean {
  return r.kind === 'answer' && r.status !== 503 && r.status !== 505;
}

export function describeResult(r: PingResult): string {
  return r.kind === 'answer' ? `${r.status} ${r.reason}`.trim() : r.why;
}

export class PeerHealth {
  /** All dial-peers start active after boot, as on CUBE. */
  state: HealthState = 'active';
  /** Failed pings in a row. */
  failures = 0;
  last: PingResult | null = null;

  constructor(readonly settings: HealthSettings) {}

  /** Take a ping's result; returns the state it changed to, or null when it did not change. */
  record(r: PingResult): HealthState | null {
    this.last = r;
    if (isAlive(r)) {
      this.failures = 0;
      if (this.state === 'active') return null;
      this.state = 'active';
      return 'active';
    }
    this.failures++;
    if (this.state === 'busyout' || this.failures < this.settings.retry) return null;
    this.state = 'busyout';
    return 'busyout';
  }

  /** How long until the next ping: the state's interval, spread by ±10 % so that pings do not bunch up. */
  nextDelay(random: () => number): number {
    const base = this.state === 'active' ? this.settings.upIntervalMs : this.settings.downIntervalMs;
    return Math.round(base * (0.9 + 0.2 * random()));
  }
}
