/**
 * CUBE's `call spike` on a dial-peer: calls arriving on an inbound dial-peer faster than its `callSpike`
 * per second get 503 with Retry-After, as the node-wide `callThreshold.callsPerSecond` does. A token bucket
 * per dial-peer: up to `callSpike` calls at once, refilled at `callSpike` a second.
 */
import type { DialPeer } from '../routing/dial-peer.js';

export class CallSpike {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(private readonly now: () => number) {}

  /** Whether one more call may arrive on this dial-peer now (it takes a token if so). */
  admit(peer: DialPeer): boolean {
    const rate = peer.callSpike;
    if (rate === null) return true;
    const now = this.now();
    const b = this.buckets.get(peer.tag) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(peer.tag, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
