/**
 * The seam between a call's media (call-media.ts: SDP, codecs, DTMF interworking) and the engine that
 * relays its packets. The built-in relay (media/builtin-relay.ts) is one engine; the node hands the B2BUA
 * whichever it runs with, and nothing in the B2BUA knows which. Streams are opened per call (by the call's
 * id), their far ends told as the offer/answer goes on, and closed when the call ends.
 */
import type { OpenedStream, StreamRequest } from '../../media/builtin-relay-options.js';
import type { Endpoint, StreamStatsReport } from '../../media/relay-protocol.js';

export type { OpenedStream, StreamRequest } from '../../media/builtin-relay-options.js';

export interface MediaEngine {
  /** Open the call's streams on new ports; null when there are none left (the caller gets 503). */
  open(id: string, streams: StreamRequest[]): Promise<OpenedStream[] | null>;
  /** Open them again on these ports (a call taken back after a restart); null when they are taken. */
  openAt(id: string, streams: StreamRequest[], at: OpenedStream[]): Promise<OpenedStream[] | null>;
  /** Streams a re-offer adds to an open call (video added to audio). */
  add(id: string, streams: StreamRequest[]): Promise<OpenedStream[] | null>;
  /**
   * Where one side of a stream now sends and receives (from its SDP), and whether the stream carries
   * something other than RTP (`opaque`: T.38's UDPTL, relayed unread).
   */
  update(
    id: string,
    stream: number,
    side: 'a' | 'b',
    remote: Endpoint | null,
    remoteRtcp?: Endpoint | null,
    opaque?: boolean,
  ): void;
  /** Renumber a payload type on its way to `side` (telephone-event types that differ between the legs). */
  mapPayloadType(id: string, stream: number, side: 'a' | 'b', from: number | null, to: number): void;
  /** Take RFC 4733 events of this payload type out of `side`'s packets and report them (DTMF interworking). */
  detectDtmf(id: string, stream: number, side: 'a' | 'b', pt: number | null): void;
  /** Send a digit to `side` as RFC 4733 packets. */
  injectDtmf(id: string, stream: number, side: 'a' | 'b', event: number, durationMs: number, pt: number): void;
  /** Either leg holds the call (sendonly, recvonly, inactive, c=0.0.0.0), or neither does any more. */
  hold(id: string, held: boolean): void;
  /** The call is answered: from now on no media for the inactivity time ends it. */
  watch(id: string): void;
  /** The call ended: its streams close and their ports go back. */
  close(id: string): Promise<void>;
  /** Live statistics by call id (one call's, or every call's). */
  stats(id?: string | null): Promise<Record<string, StreamStatsReport[]>>;
}
