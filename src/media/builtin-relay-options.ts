/** What the media engine is made with, and the shapes of the streams it opens (media-engine.ts). */
import type { PortPool } from './port-pool.js';
import type { CapturedPacket, Endpoint, LatchMode, StreamStatsReport } from './relay-protocol.js';

/**
 * A packet that waited this long in a socket buffer is not worth relaying: it would reach a jitter buffer
 * that has played past it, and relaying it would delay the packets behind it too.
 */
export const DEFAULT_SHED_AFTER_MS = 50;

export interface BuiltinRelayOptions {
  pool: PortPool;
  address: string;
  /** Relay worker threads (default 1; more spread sessions over cores). */
  workers?: number;
  latch?: LatchMode;
  /**
   * Streams' worth of ports each worker keeps bound ahead of need (default 8), so that a call's session
   * opens without waiting for the worker, which may be busy relaying; 0: bind when a call comes.
   */
  warmStreams?: number;
  /** No RTP for this long, once watched (see watch()), ends the call (0: never). */
  inactivityMs?: number;
  /** The same while either leg holds the call (0: a held call is never ended for silence). */
  holdInactivityMs?: number;
  onInactive?: (id: string) => void;
  /** A DTMF event the relay took out of a leg's RTP (see detectDtmf). */
  onDtmf?: (id: string, side: 'a' | 'b', event: number, durationMs: number) => void;
  onError?: (err: unknown) => void;
  /** `native` (default): RTP through the native fast path where it was built; `dgram`: node:dgram only. */
  forwarder?: 'native' | 'dgram';
  /** A packet that waited longer than this unrelayed is dropped (default 50 ms; 0: never). */
  shedAfterMs?: number;
  /** A worker dropped `packets` because it fell behind (see shedAfterMs). */
  onShed?: (packets: number) => void;
  /** A session closed with these final statistics (metrics). */
  onClosed?: (report: StreamStatsReport[]) => void;
  /** Packets copied while a media capture runs (see capture()). */
  onCaptured?: (packets: CapturedPacket[]) => void;
}

export interface StreamRequest {
  stream: number;
  clockRate: number;
  a: { remote: Endpoint | null; remoteRtcp: Endpoint | null };
  b: { remote: Endpoint | null; remoteRtcp: Endpoint | null };
}

/** The SBC's RTP ports of one stream: the one facing the A leg, the one facing the B leg. */
export interface OpenedStream {
  stream: number;
  aPort: number;
  bPort: number;
}
