/**
 * Receive statistics of one RTP stream, from the 12-byte header only: packets, bytes, expected and lost
 * packets from the extended sequence number (RFC 3550 A.1, A.3) and interarrival jitter (A.8).
 */

const RTP_SEQ_MOD = 0x10000;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export interface StreamStats {
  packets: number;
  bytes: number;
  /** Expected minus received since the first packet (may go negative with duplicates; RFC 3550 A.3). */
  lost: number;
  /** Interarrival jitter in milliseconds. */
  jitterMs: number;
  /** Epoch ms of the last packet, or null before the first. */
  lastArrival: number | null;
}

/** RFC 3550 A.8 jitter kept times 16 in timestamp units, as milliseconds (two decimals). */
export function jitterMs(jitter16: number, clockRate: number): number {
  return Math.round(((jitter16 >> 4) / clockRate) * 1000 * 100) / 100;
}

export class RtpStreamStats {
  packets = 0;
  bytes = 0;
  lastArrival: number | null = null;
  duplicates = 0;
  /** Packets since the sequence space (re)started, and what was lost before that. */
  private inRun = 0;
  private lostBefore = 0;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private ssrc: number | null = null;
  /** Jitter in timestamp units, times 16 as in A.8 to keep precision. */
  private jitter16 = 0;
  private lastTransit: number | null = null;

  constructor(private readonly clockRate = 8000) {}

  /** Account one packet: `seq`, `timestamp`, `ssrc` from the header, `arrival` in ms. */
  record(seq: number, timestamp: number, ssrc: number, bytes: number, arrival: number): void {
    this.packets++;
    this.bytes += bytes;
    this.lastArrival = arrival;
    if (ssrc !== this.ssrc) {
      // the first packet, or a new source (the far end restarted): a new sequence space (A.1 init_seq)
      this.restart(seq);
      this.ssrc = ssrc;
      this.lastTransit = null;
    } else {
      const delta = (seq - this.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
      if (delta > 0 && delta < MAX_DROPOUT) {
        if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // wrapped
        this.maxSeq = seq;
        this.inRun++;
      } else if (delta === 0) {
        this.duplicates++; // e.g. the three copies of an RFC 4733 end-of-event packet: not a negative loss
      } else if (delta >= MAX_DROPOUT && delta <= RTP_SEQ_MOD - MAX_MISORDER) {
        this.restart(seq); // a jump too large to be loss: the sender restarted its sequence
      } else {
        this.inRun++; // late, reordered or duplicated: received all the same
      }
    }
    const transit = arrival * (this.clockRate / 1000) - timestamp;
    if (this.lastTransit !== null) {
      const d = Math.abs(transit - this.lastTransit);
      if (d < this.clockRate * 10) this.jitter16 += Math.round(d) - ((this.jitter16 + 8) >> 4); // a timestamp jump is not jitter
    }
    this.lastTransit = transit;
  }

  private restart(seq: number): void {
    this.lostBefore += this.lostInRun();
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.cycles = 0;
    this.inRun = 1;
  }

  private lostInRun(): number {
    return this.inRun === 0 ? 0 : this.cycles + this.maxSeq - this.baseSeq + 1 - this.inRun;
  }

  snapshot(): StreamStats {
    return {
      packets: this.packets,
      bytes: this.bytes,
      lost: this.lostBefore + this.lostInRun(),
      jitterMs: jitterMs(this.jitter16, this.clockRate),
      lastArrival: this.lastArrival,
    };
  }
}
