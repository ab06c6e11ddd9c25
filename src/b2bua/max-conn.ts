/** Active calls per outbound dial-peer, for CUBE's `max-conn`, and what else stops a dial-peer taking a call. */
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

/**
 * Why an outbound dial-peer cannot take one more call now (max-conn reached; busied out by OPTIONS
 * keepalive, `up` false), or null. If every candidate is refused, the caller gets the last refusal.
 */
export function refusal(peer: DialPeer, maxConn: MaxConn, up: boolean, busyStatus: number): { status: number; warning: string } | null {
  if (maxConn.full(peer)) return { status: 503, warning: `Maximum Number of Connections reached for dial-peer ${peer.tag}` };
  if (!up) return { status: busyStatus, warning: `dial-peer ${peer.tag} is busied out (OPTIONS keepalive)` };
  return null;
}
