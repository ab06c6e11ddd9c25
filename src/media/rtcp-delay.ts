/**
 * Round-trip time of one leg's media path from the RTCP the relay forwards (RFC 3550 §6.4.1): a sender
 * report from one leg passes the SBC (we note when, by the middle 32 bits of its NTP timestamp); the other
 * leg's receiver report names that report (LSR) and how long it held it (DLSR). Arrival of that receiver
 * report, minus when the sender report passed, minus DLSR, is the round trip between the SBC and the
 * reporting endpoint. Half of it estimates that leg's one-way delay. Only headers are read, every length is
 * checked, and a malformed compound packet yields nothing.
 */

const SR = 200;
const RR = 201;
/** Sender reports remembered per leg, newest last (a receiver report names one of the last few). */
const REMEMBERED = 8;

export interface RtcpSummary {
  /** Middle 32 bits of the NTP timestamp of each sender report in the compound packet. */
  senderReports: number[];
  /** LSR and DLSR (1/65536 s) of each report block; LSR 0 means no sender report was received yet. */
  blocks: Array<{ lsr: number; dlsr: number }>;
}

/** The parts of a compound RTCP packet the delay estimate needs (RFC 3550 §6.4). */
export function summarizeRtcp(msg: Buffer): RtcpSummary {
  const out: RtcpSummary = { senderReports: [], blocks: [] };
  let at = 0;
  while (at + 8 <= msg.length) {
    const first = msg[at]!;
    if (first >> 6 !== 2) break;
    const count = first & 0x1f;
    const type = msg[at + 1]!;
    const end = at + 4 * (msg.readUInt16BE(at + 2) + 1);
    if (end > msg.length) break;
    let blocksAt = -1;
    if (type === SR && at + 28 <= end) {
      out.senderReports.push(msg.readUInt32BE(at + 10));
      blocksAt = at + 28;
    } else if (type === RR) {
      blocksAt = at + 8;
    }
    for (let i = 0; blocksAt >= 0 && i < count && blocksAt + 24 * (i + 1) <= end; i++) {
      const b = blocksAt + 24 * i;
      out.blocks.push({ lsr: msg.readUInt32BE(b + 16), dlsr: msg.readUInt32BE(b + 20) });
    }
    at = end;
  }
  return out;
}

/** The sender reports one leg sent through the relay, and the round trip measured toward that leg. */
export class RtcpDelay {
  private readonly seen: Array<{ ntpMiddle: number; at: number }> = [];
  /** Round trip between the SBC and this leg's endpoint, in ms; null until a receiver report tells. */
  rttMs: number | null = null;

  /** A sender report from this leg passed the relay at `at` (ms). */
  noteSenderReport(ntpMiddle: number, at: number): void {
    this.seen.push({ ntpMiddle, at });
    if (this.seen.length > REMEMBERED) this.seen.shift();
  }

  /**
   * This leg reported on a sender report of the other leg (`other` holds those): LSR names it, DLSR is
   * how long this leg held it. The round trip is what is left of the time since it passed the SBC.
   */
  noteReport(lsr: number, dlsr: number, at: number, other: RtcpDelay): void {
    if (lsr === 0) return;
    const sr = other.seen.find((s) => s.ntpMiddle === lsr);
    if (sr === undefined) return;
    const rtt = at - sr.at - (dlsr / 65536) * 1000;
    if (rtt >= 0 && rtt < 60_000) this.rttMs = Math.round(rtt * 10) / 10;
  }
}
