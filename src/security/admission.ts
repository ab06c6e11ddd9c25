/**
 * Admission control (cube-reference §7: `call threshold`): a new call is refused with 503 and Retry-After
 * when the node already carries `totalCalls`, when calls arrive faster than `callsPerSecond` (a token
 * bucket holding one second's worth), or while the node is overloaded: the SIP event loop's delay or the
 * machine's CPU went over its high watermark and has not yet come back under the low one (hysteresis, so
 * the node does not flap; CUBE's `call threshold global cpu-avg low L high H`).
 */

export interface AdmissionSettings {
  totalCalls?: number;
  callsPerSecond?: number;
  /** Event loop delay (p99 over the last check, ms) that starts refusing calls, and the one that stops it. */
  eventLoopLagHighMs?: number;
  eventLoopLagLowMs?: number;
  /** The machine's CPU busy (percent of all cores, over the last check) that starts refusing calls, and the one that stops it. */
  cpuHighPercent?: number;
  cpuLowPercent?: number;
}

export type AdmissionRefusal = {
  reason: 'total-calls' | 'calls-per-second' | 'overload' | 'draining';
  retryAfter: number;
  text: string;
};

export class Admission {
  private tokens: number;
  private refilledAt: number;
  private overloaded = false;
  readonly refused: Record<AdmissionRefusal['reason'], number> = {
    'total-calls': 0,
    'calls-per-second': 0,
    overload: 0,
    draining: 0,
  };
  /** The node is draining (`fosip drain`, SIGTERM): no new call is taken, whatever else holds. */
  draining = false;

  constructor(
    private settings: AdmissionSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = settings.callsPerSecond ?? 0;
    this.refilledAt = now();
  }

  reconfigure(settings: AdmissionSettings): void {
    this.settings = settings;
    this.tokens = Math.min(this.tokens, settings.callsPerSecond ?? 0);
  }

  /** The event loop's delay now (ms): crosses the watermarks. Returns whether the node is overloaded. */
  observeLag(ms: number): boolean {
    return this.observe({ lagMs: ms, cpuPercent: 0 });
  }

  /** The load now: overloaded when either measure is over its high watermark, and until both are under their low ones. */
  observe(load: { lagMs: number; cpuPercent: number }): boolean {
    const s = this.settings;
    const over = (v: number, high: number | undefined): boolean => high !== undefined && v > high;
    const under = (v: number, high: number | undefined, low: number | undefined): boolean =>
      high === undefined || v < (low ?? high);
    if (!this.overloaded)
      this.overloaded = over(load.lagMs, s.eventLoopLagHighMs) || over(load.cpuPercent, s.cpuHighPercent);
    else
      this.overloaded = !(
        under(load.lagMs, s.eventLoopLagHighMs, s.eventLoopLagLowMs) &&
        under(load.cpuPercent, s.cpuHighPercent, s.cpuLowPercent)
      );
    return this.overloaded;
  }

  get isOverloaded(): boolean {
    return this.overloaded;
  }

  /** Whether one more call may start now, with `active` calls in progress; null: it may. */
  admit(active: number): AdmissionRefusal | null {
    const s = this.settings;
    if (this.draining) return this.refuse({ reason: 'draining', retryAfter: 60, text: 'draining: no new calls' });
    if (this.overloaded)
      return this.refuse({ reason: 'overload', retryAfter: 5, text: 'overloaded (event loop delay or CPU)' });
    if (s.totalCalls !== undefined && active >= s.totalCalls)
      return this.refuse({
        reason: 'total-calls',
        retryAfter: 5,
        text: `call threshold of ${s.totalCalls} calls reached`,
      });
    const rate = s.callsPerSecond;
    if (rate === undefined) return null;
    const now = this.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (this.tokens < 1)
      return this.refuse({ reason: 'calls-per-second', retryAfter: 1, text: `more than ${rate} calls per second` });
    this.tokens -= 1;
    return null;
  }

  private refuse(r: AdmissionRefusal): AdmissionRefusal {
    this.refused[r.reason]++;
    return r;
  }
}
