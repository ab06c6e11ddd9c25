/**
 * CUBE's `call spike N` on a dial-peer: at most N calls arrive on an inbound dial-peer in any sliding
 * second; more get 503 with Retry-After, as the node-wide `callThreshold.callsPerSecond` does. As CUBE's,
 * the window is made of steps (10 of 100 ms here, CUBE: `steps 3-10 size 100-250ms`): the calls of a step
 * leave the window a second after it.
 */
import type { DialPeer } from '../routing/dial-peer.js';

const STEPS = 10;
const STEP_MS = 100;

interface Window {
  /** Calls admitted per step, a ring indexed by step number modulo STEPS. */
  counts: number[];
  /** The newest step counted in `counts`. */
  step: number;
}

export class CallSpike {
  private readonly windows = new Map<number, Window>();

  constructor(private readonly now: () => number) {}

  /** Whether one more call may arrive on this dial-peer now (it is counted if so). */
  admit(peer: DialPeer): boolean {
    const limit = peer.callSpike;
    if (limit === null) return true;
    const step = Math.floor(this.now() / STEP_MS);
    const w = this.windows.get(peer.tag) ?? { counts: new Array<number>(STEPS).fill(0), step };
    this.windows.set(peer.tag, w);
    // the steps that went by since the last call leave the window
    for (let s = w.step + 1; s <= step && s <= w.step + STEPS; s++) w.counts[s % STEPS] = 0;
    w.step = Math.max(w.step, step);
    if (w.counts.reduce((a, b) => a + b, 0) >= limit) return false;
    w.counts[step % STEPS] = (w.counts[step % STEPS] ?? 0) + 1;
    return true;
  }
}
