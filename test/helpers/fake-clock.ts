import type { Clock, TimerHandle } from '../../src/transaction/clock.js';

/** A clock moved by hand: timers fire in order of due time as `advance` passes them. */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Array<{ due: number; seq: number; fn: () => void; live: boolean }> = [];

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { due: this.t + ms, seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  /** No sockets behind a fake clock: nothing waits to be read first. */
  afterPendingIo(fn: () => void): void {
    fn();
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((x) => x.live && x.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (next === undefined) break;
      next.live = false;
      this.t = next.due;
      next.fn();
    }
    this.t = end;
    this.timers = this.timers.filter((x) => x.live);
  }

  get pending(): number {
    return this.timers.filter((x) => x.live).length;
  }
}
