/** The messages between the media engine (main thread) and its relay workers: plain data, nothing shared. */
import type { StreamStats } from './rtp-stats.js';

export interface Endpoint {
  address: string;
  port: number;
}

/** One side of a relayed stream: the SBC's RTP port facing that leg, and where that leg said to send. */
export interface SideSpec {
  localPort: number;
  /** From the leg's SDP (`c=` and `m=` port); null until it is known (an offer not yet answered). */
  remote: Endpoint | null;
  /** `a=rtcp` when given, else the RTP port + 1. */
  remoteRtcp: Endpoint | null;
}

export interface StreamSpec {
  stream: number;
  clockRate: number;
  a: SideSpec;
  b: SideSpec;
}

/**
 * `any`: the far address is the first one a packet comes from (symmetric RTP behind NAT);
 * `sdp-address`: only packets from the IP address in that leg's SDP are taken (any port).
 */
export type LatchMode = 'any' | 'sdp-address';

export interface SessionSpec {
  id: string;
  /** The SBC's media address (bound and written into SDP). */
  address: string;
  latch: LatchMode;
  /** No RTP from either side for this long reports the session inactive; 0 turns the check off. */
  inactivityMs: number;
  streams: StreamSpec[];
}

export interface SideStats extends StreamStats {
  localPort: number;
  /** The address packets are sent to now: the latched one, else the SDP one. */
  remote: Endpoint | null;
  latched: boolean;
  forwarded: number;
  /** Packets from a source other than the latched/SDP one, or not RTP at all. */
  dropped: number;
  /** Round trip between the SBC and this leg's endpoint from RTCP (ms); null until its reports tell. */
  rttMs: number | null;
}

export interface StreamStatsReport {
  stream: number;
  a: SideStats;
  b: SideStats;
}

/** A packet the relay received or sent, copied for `monitor capture --media`. */
export interface CapturedPacket {
  at: number;
  src: Endpoint;
  dst: Endpoint;
  bytes: Uint8Array;
  /** The session (the call) it belongs to. */
  id: string;
}

/** What a relay worker is started with. */
export interface RelayWorkerData {
  /** `native`: RTP through the native fast path when it was built (else node:dgram); `dgram`: always node:dgram. */
  forwarder: 'native' | 'dgram';
  /** A packet that waited longer than this in a socket buffer is dropped, not relayed late (0: never; native only). */
  shedAfterMs: number;
}

export type ToWorker =
  /** Copy the packets of every session (id null) or of one, or none (off), to the engine. */
  | { op: 'capture'; on: boolean; id: string | null }
  /**
   * `warm`: every port was bound ahead (see `warm`), so the engine does not wait for the answer. `req`
   * (also on add) comes back on `opened`: a late answer to a warm open must not be taken for an add's.
   */
  | { op: 'open'; req: number; spec: SessionSpec; warm?: boolean }
  /** Bind these RTP ports (and RTCP on the next ones) ahead of need; answered with `warmed`. */
  | { op: 'warm'; address: string; ports: number[] }
  /** Close warm ports again (the pool needs them); answered with `cooled`. */
  | { op: 'cool'; ports: number[] }
  /** More streams for an open session (a re-offer added m-lines); answered with `opened` like open. */
  | { op: 'add'; req: number; id: string; streams: StreamSpec[] }
  /**
   * Packets relayed toward `side` with payload type `from` leave with payload type `to` (the two legs
   * numbered telephone-event differently); `from` null: no mapping.
   */
  | { op: 'map-pt'; id: string; stream: number; side: 'a' | 'b'; from: number | null; to: number }
  | {
      op: 'update';
      id: string;
      stream: number;
      side: 'a' | 'b';
      remote: Endpoint | null;
      remoteRtcp: Endpoint | null;
      /** The stream carries datagrams that are not RTP (T.38's UDPTL): relayed as they are, unread. */
      opaque: boolean;
    }
  | { op: 'close'; id: string }
  /** RFC 4733 telephone-event packets with payload type `pt` arriving on `side` are reported, not relayed (null: relay them). */
  | { op: 'dtmf'; id: string; stream: number; side: 'a' | 'b'; pt: number | null }
  /** Send DTMF event `event` toward `side`'s far end as RFC 4733 packets (payload type `pt`) in that leg's stream. */
  | { op: 'inject-dtmf'; id: string; stream: number; side: 'a' | 'b'; event: number; durationMs: number; pt: number }
  /** Start the inactivity check of a session (from the answer on: ringing without early media is not idle). */
  | { op: 'watch'; id: string; inactivityMs: number; holdInactivityMs: number }
  /** Either leg has put the call on hold (or taken it off): a held call has its own inactivity limit. */
  | { op: 'hold'; id: string; held: boolean }
  | { op: 'stats'; request: number; id: string | null };

export type FromWorker =
  /** Captured packets, in batches (every 100 ms while a capture runs). */
  | { op: 'captured'; packets: CapturedPacket[] }
  | { op: 'warmed'; ports: number[]; busyPorts: number[] }
  | { op: 'cooled'; ports: number[] }
  | { op: 'opened'; req: number; id: string; ok: true }
  | { op: 'opened'; req: number; id: string; ok: false; busyPorts: number[]; error: string }
  | { op: 'closed'; id: string; report: StreamStatsReport[] }
  | { op: 'stats'; request: number; sessions: Record<string, StreamStatsReport[]> }
  | { op: 'inactive'; id: string }
  /** Packets dropped since the last report because the worker fell behind (load shedding). */
  | { op: 'shed'; packets: number }
  /** A DTMF event ended (RFC 4733 E bit), once per event: its code (0-9, 10 *, 11 #, 12-15 A-D) and duration. */
  | { op: 'dtmf'; id: string; side: 'a' | 'b'; event: number; durationMs: number };
