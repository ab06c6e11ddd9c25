/** A transaction's named timers (A, B, G, H, ...): arming one replaces it; 0 ms runs it at once. */
import type { Clock, TimerHandle } from './clock.js';

export class TimerSet {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(private readonly clock: Clock) {}

  after(name: string, ms: number, fn: () => void): void {
    this.stop(name);
    if (ms <= 0) {
      fn(); // reliable transports: Timers D, I, J and K are zero (RFC 3261 §17)
      return;
    }
    this.timers.set(
      name,
      this.clock.setTimer(ms, () => {
        this.timers.delete(name);
        fn();
      }),
    );
  }

  stop(name: string): void {
    this.timers.get(name)?.cancel();
    this.timers.delete(name);
  }

  stopAll(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
