/** Active calls per outbound dial-peer, for CUBE's `max-conn`. */
import type { DialPeer } from '../routing/dial-peer.js';

export class MaxConn {
  private readonly active = new Map<number, number>();

  /** Whether the dial-peer has no slot left. */
  full(peer: DialPeer): boolean {
    return peer.maxConn !== null && (this.active.get(peer.tag) ?? 0) >= peer.maxConn;
  }

  take(tag: number): void {
    this.active.set(tag, (this.active.get(tag) ?? 0) + 1);
  }

  give(tag: number): void {
    const n = (this.active.get(tag) ?? 1) - 1;
    if (n <= 0) this.active.delete(tag);
    else this.active.set(tag, n);
  }
}
