/** The clock the transaction timers run on: injected, so tests drive time by hand. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  /**
   * Run `fn` once the datagrams already waiting have been read. Node runs due timers before it reads
   * sockets, so after the event loop was held up a retransmission timer would fire before the response
   * that makes it moot is seen; a fake clock runs `fn` at once.
   */
  afterPendingIo(fn: () => void): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
  afterPendingIo(fn) {
    setImmediate(fn); // the check phase comes after the poll phase that reads the sockets
  },
};
