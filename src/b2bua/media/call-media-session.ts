/**
 * What the B2BUA asks of a call's media, whichever engine relays it: SDP from one leg made fit for the
 * other (the engine's address and ports, the codec classes), opened before the first offer goes on, and
 * let go when the call ends. The built-in relay does its part of an offer/answer at once once its ports
 * are open (call-media.ts); rtpengine needs a round trip for every SDP (rtpengine-call-media.ts), which is
 * what settle() waits for before rewrite() is called.
 */
import type { CodecClass } from '../../media/codec-class.js';
import type { StreamStatsReport } from '../../media/relay-protocol.js';
import type { CallMediaRecord, MediaSnapshot } from '../../state/call-store.js';
import type { MediaFailure } from './media-failure.js';
import type { SrtpPolicy } from './srtp-policy.js';

export type Leg = 'a' | 'b';

export interface CallMediaSession {
  /** Which engine relays the call's media (null: it flows around the SBC; only codec classes touch the SDP). */
  readonly engineKind: 'builtin' | 'rtpengine' | null;
  /** The engine instance that holds the call (rtpengine's ng address; null for the built-in relay and none). */
  readonly instance: string | null;
  /** Whether media flows through the SBC's engine. */
  readonly relayed: boolean;
  /** Whether SDP can be rewritten now (flow-around always; flow-through once the first offer opened it). */
  readonly open: boolean;
  /** The SBC made the B leg's offer itself (delayed offer to early offer). */
  offeredByUs: boolean;
  /** The codec class of each leg's dial-peer (null: any codec). */
  readonly codecs: Record<Leg, CodecClass | null>;
  /** Each leg's dial-peer `dtmfRelay` (null: as the endpoints negotiate). */
  readonly dtmf: Record<Leg, 'rtp-nte' | 'sip-info' | null>;
  /** Each leg's dial-peer `srtp`. */
  readonly srtp: Record<Leg, SrtpPolicy>;
  /** Each leg's dial-peer `mediaInterface` (rtpengine's logical interface; the built-in relay has one address). */
  readonly interfaces: Record<Leg, string | null>;
  /** The call's first SDP, from `from`, opens the engine's side of the call (rejects with MediaFailure). */
  prepare(from: Leg, body: Buffer): Promise<void>;
  /** As prepare, or the SBC's own offer when the caller sent none and the dial-peer forces an early offer. */
  prepareOrOffer(from: Leg, body: Buffer): Promise<void>;
  /** A re-offer from `from` (hold, a stream added): the engine's side follows before it goes on. */
  prepareMore(from: Leg, body: Buffer): Promise<void>;
  /** What must happen before rewrite() of this SDP can answer (an engine round trip), or null when nothing. */
  settle(from: Leg, body: Buffer, kind: 'offer' | 'answer'): Promise<void> | null;
  /** SDP from `from` as the other leg gets it; throws MediaFailure when it cannot be (488: no common codec). */
  rewrite(from: Leg, body: Buffer, kind?: 'offer' | 'answer', sent?: boolean): Buffer;
  /** The SBC's own offer (early offer forced). */
  ownOffer(): Buffer;
  /** The caller's answer to our own offer, in its ACK: only where it is (null), or why it is unusable. */
  absorb(from: Leg, body: Buffer): MediaFailure | null;
  /** Whether DTMF in SIP INFO from `leg` is turned into RTP toward the other leg. */
  takesInfoFrom(leg: Leg): boolean;
  sendDtmf(leg: Leg, event: number, durationMs: number): void;
  /**
   * An engine outside this process reported a digit in the RTP of its party `tag`: the leg it came from,
   * when that digit goes on to the other leg as SIP INFO (DTMF interworking), else null.
   */
  digitFrom(tag: string): Leg | null;
  /** What a restarted node needs to relay the call again (null: it cannot). */
  snapshot(): MediaSnapshot | null;
  /** A re-offer toward `leg` naming new ports (the call moved after a restart), or null. */
  reoffer(leg: Leg): Buffer | null;
  /**
   * Where a leg's signalling goes (the caller's source address, the callee's destination): an engine that
   * can relay between address families (rtpengine) faces that leg with an address of the same family.
   */
  legAddress(leg: Leg, address: string): void;
  /**
   * The counters of an engine that keeps them outside this process (rtpengine, asked each time), or null
   * when the engine reports them itself (the built-in relay's stats()) or there is none.
   */
  stats(): Promise<StreamStatsReport[]> | null;
  /** What the call record shows (`show voip rtp connections`). */
  record(): CallMediaRecord;
  /** The call is answered: from now on no media for the inactivity time ends it. */
  watchInactivity(): void;
  /** The call ended: the engine lets go of it. */
  close(): void;
}
