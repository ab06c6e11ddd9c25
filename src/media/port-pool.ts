/**
 * The RTP port pool: RTP on an even port, RTCP on the next odd one (RFC 3550 §11), handed out from a
 * range (CUBE's default 8000-48198). Free pairs are shuffled once at start and kept in a ring: taking one
 * is O(1) from the head, a released one goes to the tail, so a port just given back is the last to be
 * reused (late packets of the old call do not reach the new one). A pair that cannot be bound (another
 * process holds it: the default range overlaps Linux's ephemeral ports) is set aside as reserved for a
 * cool-down, then goes back to the tail, so a port held for a moment is not lost for good. A warm pair is
 * one a relay has bound ahead of need (so a call does not wait for the bind); it counts as available.
 */

export interface PortPoolStatus {
  minPort: number;
  maxPort: number;
  /** RTP/RTCP pairs: free (warm ones included), set aside, in use by calls. */
  available: number;
  reserved: number;
  inUse: number;
  /** Of the available pairs, those bound ahead by a relay. */
  warm: number;
  total: number;
}

export class PortPool {
  readonly minPort: number;
  readonly maxPort: number;
  readonly total: number;
  private readonly ring: Int32Array;
  private head = 0;
  private free = 0;
  /** Per pair: 0 free, 1 in use, 2 reserved, 3 warm. */
  private readonly state: Uint8Array;
  private reservedCount = 0;
  private warmCount = 0;
  /** Reserved pairs in the order they were set aside, with when each may be tried again. */
  private readonly cooling: Array<{ index: number; until: number }> = [];

  constructor(
    minPort: number,
    maxPort: number,
    random: () => number = Math.random,
    private readonly coolDownMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(minPort) || !Number.isInteger(maxPort) || minPort < 1024 || maxPort > 65535) {
      throw new RangeError(`RTP port range ${minPort}-${maxPort} must lie within 1024-65535`);
    }
    this.minPort = minPort + (minPort % 2);
    this.maxPort = maxPort;
    this.total = Math.max(0, Math.floor((maxPort - this.minPort + 1) / 2));
    if (this.total === 0) throw new RangeError(`RTP port range ${minPort}-${maxPort} holds no even/odd pair`);
    this.ring = new Int32Array(this.total);
    this.state = new Uint8Array(this.total);
    for (let i = 0; i < this.total; i++) this.ring[i] = i;
    for (let i = this.total - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = this.ring[i] as number;
      this.ring[i] = this.ring[j] as number;
      this.ring[j] = t;
    }
    this.free = this.total;
  }

  /** An even RTP port (RTCP is the next one), or null when every free pair is taken; `warm`: to be bound ahead. */
  acquire(warm = false): number | null {
    this.thaw();
    if (this.free === 0) return null;
    const index = this.ring[this.head] as number;
    this.head = (this.head + 1) % this.total;
    this.free--;
    this.state[index] = warm ? 3 : 1;
    if (warm) this.warmCount++;
    return this.minPort + 2 * index;
  }

  /**
   * A given pair, when it is free: a call taken back after a restart keeps the ports its far ends send to.
   * Moved to the head of the free ring and taken from there, so the ring stays whole. False when the pair
   * is outside the range, in use, warm or reserved.
   */
  take(rtpPort: number): boolean {
    this.thaw();
    const index = this.indexOf(rtpPort);
    if (index === null || this.state[index] !== 0) return false;
    for (let k = 0; k < this.free; k++) {
      const at = (this.head + k) % this.total;
      if (this.ring[at] !== index) continue;
      this.ring[at] = this.ring[this.head] as number;
      this.ring[this.head] = index;
      return this.acquire() === rtpPort;
    }
    return false;
  }

  /** A warm pair goes to a call. */
  use(rtpPort: number): void {
    const index = this.indexOf(rtpPort);
    if (index === null || this.state[index] !== 3) return;
    this.state[index] = 1;
    this.warmCount--;
  }

  /** Give a pair (in use or warm) back; giving back one that is neither is ignored (and reported as false). */
  release(rtpPort: number): boolean {
    const index = this.indexOf(rtpPort);
    if (index === null || (this.state[index] !== 1 && this.state[index] !== 3)) return false;
    if (this.state[index] === 3) this.warmCount--;
    this.state[index] = 0;
    this.ring[(this.head + this.free) % this.total] = index;
    this.free++;
    return true;
  }

  /** A pair that could not be bound: kept out of circulation (CUBE's "Reserved"). */
  reserve(rtpPort: number): void {
    const index = this.indexOf(rtpPort);
    if (index === null || (this.state[index] !== 1 && this.state[index] !== 3)) return;
    if (this.state[index] === 3) this.warmCount--;
    this.state[index] = 2;
    this.reservedCount++;
    this.cooling.push({ index, until: this.now() + this.coolDownMs });
  }

  /** Reserved pairs whose cool-down is over go back to the tail of the free ring. */
  private thaw(): void {
    const now = this.now();
    while (this.cooling.length > 0 && (this.cooling[0]?.until ?? Infinity) <= now) {
      const { index } = this.cooling.shift() as { index: number };
      this.state[index] = 0;
      this.reservedCount--;
      this.ring[(this.head + this.free) % this.total] = index;
      this.free++;
    }
  }

  get inUse(): number {
    return this.total - this.free - this.reservedCount - this.warmCount;
  }

  get warm(): number {
    return this.warmCount;
  }

  status(): PortPoolStatus {
    this.thaw();
    return {
      minPort: this.minPort,
      maxPort: this.maxPort,
      available: this.free + this.warmCount,
      reserved: this.reservedCount,
      inUse: this.inUse,
      warm: this.warmCount,
      total: this.total,
    };
  }

  private indexOf(rtpPort: number): number | null {
    const offset = rtpPort - this.minPort;
    if (!Number.isInteger(rtpPort) || offset < 0 || offset % 2 !== 0 || offset / 2 >= this.total) return null;
    return offset / 2;
  }
}
