/**
 * A relayed call's RFC 4733 telephone-event payload types: what each leg wants DTMF with, what the SBC told
 * each leg, the renumbering the relay does between them, and the DTMF interworking (rtp-nte on one leg,
 * sip-info on the other). Kept apart from the rest of the call's media so that a restarted node can set
 * the relay up again exactly as it was (snapshot/restore).
 */
import type { MediaEngine, OpenedStream } from './media-engine.js';
import { formatKind } from '../../media/codec-class.js';
import type { Sdp } from '../../media/sdp.js';
import type { TelephoneEventSnapshot } from '../../state/call-store.js';

type Leg = 'a' | 'b';

export interface TelephoneEvent {
  stream: number;
  pt: number;
}

const other = (leg: Leg): Leg => (leg === 'a' ? 'b' : 'a');

/** The telephone-event format of the first audio stream that has one. */
export function telephoneEvent(sdp: Sdp): TelephoneEvent | null {
  for (const m of sdp.media) {
    const pt =
      m.media === 'audio' && !m.rejected ? m.formats.find((f) => formatKind(m, f) === 'telephone-event') : undefined;
    if (pt !== undefined) return { stream: m.index, pt: Number(pt) };
  }
  return null;
}

export class TelephoneEvents {
  /** The payload type each leg put in its own SDP: what it wants to receive DTMF with. */
  readonly wanted: Record<Leg, TelephoneEvent | null> = { a: null, b: null };
  /** The payload type in the SDP the SBC last sent each leg: what that leg sends DTMF with. */
  readonly presented: Record<Leg, TelephoneEvent | null> = { a: null, b: null };
  /** The mapping the relay applies toward each leg now (`${leg}${stream}`; null: none). */
  private readonly mapped = new Map<string, number | null>();
  /** The payload type the SBC offered each rtp-nte leg of an interworking call, whose DTMF the relay turns into INFO. */
  private readonly detected: Record<Leg, TelephoneEvent | null> = { a: null, b: null };

  constructor(private readonly id: string) {}

  /**
   * Each leg sends telephone-event with the number in the SDP the SBC sent it, and wants it with the number
   * in its own SDP. They differ when the SBC wrote that SDP itself (an early offer forced, interworking) and
   * the leg answered with another number (RFC 3264 §6.1 allows it); the relay then renumbers what goes
   * toward that leg.
   */
  map(engine: MediaEngine, streams: readonly OpenedStream[] | null): void {
    for (const leg of ['a', 'b'] as const) {
      const sent = this.presented[other(leg)];
      const wanted = this.wanted[leg];
      if (wanted === null || !streams?.some((s) => s.stream === wanted.stream)) continue;
      const from = sent !== null && sent.stream === wanted.stream && sent.pt !== wanted.pt ? sent.pt : null;
      const key = `${leg}${wanted.stream}`;
      if ((this.mapped.get(key) ?? null) === from) continue;
      this.mapped.set(key, from);
      engine.mapPayloadType(this.id, wanted.stream, leg, from, wanted.pt);
    }
  }

  /** Interworking: what `leg` sends with payload type `pt` in `stream` becomes SIP INFO toward the other leg. */
  detect(engine: MediaEngine, leg: Leg, stream: number, pt: number): void {
    engine.detectDtmf(this.id, stream, leg, pt);
    this.detected[leg] = { stream, pt };
  }

  /** Whether DTMF toward `leg` can be put into its RTP (it is an interworking call's rtp-nte leg). */
  injects(leg: Leg): boolean {
    return this.detected[leg] !== null;
  }

  /** The payload type DTMF put into `leg`'s RTP is sent with: the one it asked for, else the one the SBC offered it. */
  injectPt(leg: Leg): number | null {
    const offered = this.detected[leg];
    return offered === null ? null : (this.wanted[leg]?.pt ?? offered.pt);
  }

  snapshot(): TelephoneEventSnapshot {
    return { wanted: { ...this.wanted }, presented: { ...this.presented }, detected: { ...this.detected } };
  }

  /** After a restart: the new relay renumbers and detects as the old one did. */
  restore(s: TelephoneEventSnapshot, engine: MediaEngine, streams: readonly OpenedStream[]): void {
    for (const leg of ['a', 'b'] as const) {
      this.wanted[leg] = s.wanted[leg];
      this.presented[leg] = s.presented[leg];
      const d = s.detected[leg];
      if (d !== null) this.detect(engine, leg, d.stream, d.pt);
    }
    this.map(engine, streams);
  }
}
