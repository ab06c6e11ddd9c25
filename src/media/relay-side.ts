/**
 * One side of a relayed stream: the SBC's RTP and RTCP sockets facing one leg, the far end it sends to
 * (latched from the first packet, RFC 4961, else the leg's SDP), and what it counts. The RTP socket is a
 * node:dgram one read by relay-session.ts, or the native fast path's (native-forwarder.ts), which then holds
 * the latch, the counters and the outgoing stream's state; this file keeps both in step. Also the ports
 * bound ahead of need (warm pairs).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Endpoint, LatchMode, SideSpec, SideStats } from './relay-protocol.js';
import { type NativeForwarder, SIDE_STATE, SIDE_STATE_LENGTH } from './native-forwarder.js';
import { RtcpDelay } from './rtcp-delay.js';
import { RtpStreamStats, jitterMs } from './rtp-stats.js';

/**
 * The native fast path of a worker (see native-forwarder.ts) and who handles what it reports, by side
 * index. With it, a side's RTP is read and relayed by the addon and this file keeps only the side's
 * configuration in step; without it, the same rules run here on node:dgram sockets.
 */
export interface FastPath {
  forwarder: NativeForwarder;
  sides: Map<number, (kind: number, bytes: Buffer, address: string, port: number) => void>;
}

/** Scratch space for reading a native side's counters. */
const sideState = new Float64Array(SIDE_STATE_LENGTH);
export const EADDRINUSE = -98;

export class Side {
  /** The RTP socket when this file relays it (null: the native fast path holds it, at `nativeIndex`). */
  rtp: dgram.Socket | null = null;
  nativeIndex = -1;
  rtcp!: dgram.Socket;
  remote: Endpoint | null;
  remoteRtcp: Endpoint | null;
  latched: Endpoint | null = null;
  latchedRtcp: Endpoint | null = null;
  readonly stats: RtpStreamStats;
  /** Sender reports from this leg, and the round trip to it (RTCP, RFC 3550 §6.4.1). */
  readonly delay = new RtcpDelay();
  forwarded = 0;
  dropped = 0;
  /** The other side: where what arrives here is sent from. */
  peer!: Side;
  /** The stream carries datagrams that are not RTP (T.38's UDPTL, after a re-INVITE to m=image). */
  opaque = false;
  /** Telephone-event payload type to turn into DTMF reports instead of relaying (interworking). */
  dtmfPt: number | null = null;
  /** RTP timestamp of the last event reported: its end packet comes three times (RFC 4733 §2.5.1.4). */
  lastDtmfEnd: number | null = null;
  /**
   * The last packet sent toward this leg (after any shift), so injected events continue its stream. Plain
   * numbers rather than an object: they are set for every relayed packet.
   */
  outSent = false;
  outSsrc = 0;
  outSeq = 0;
  outTs = 0;
  /** Added to the sequence numbers of what is relayed toward this leg: the packets injected so far. */
  seqShift = 0;
  /** DTMF events waiting to be sent toward this leg (the first is being sent), and the timer pacing them. */
  readonly dtmfQueue: Array<{ event: number; durationMs: number; pt: number }> = [];
  dtmfTimer: NodeJS.Timeout | null = null;
  /** What is relayed toward this leg with payload type ptFrom leaves with ptTo (-1: no mapping). */
  ptFrom = -1;
  ptTo = 0;

  constructor(
    readonly spec: SideSpec,
    readonly clockRate: number,
    private readonly latch: LatchMode,
    readonly name: 'a' | 'b',
    readonly fast: NativeForwarder | null,
  ) {
    this.remote = usable(spec.remote);
    this.remoteRtcp = usable(spec.remoteRtcp);
    this.stats = new RtpStreamStats(clockRate);
  }

  /** Whether a packet from `from` belongs to this leg; the first acceptable source is latched. */
  accept(from: dgram.RemoteInfo, rtcp: boolean): boolean {
    const current = rtcp ? this.latchedRtcp : this.latched;
    if (current !== null) return current.address === from.address && current.port === from.port;
    if (from.port === 0) return false; // nothing can be sent back to port 0
    if (this.latch === 'sdp-address' && this.remote !== null && this.remote.address !== from.address) return false;
    const learned = { address: from.address, port: from.port };
    if (rtcp) this.latchedRtcp = learned;
    else this.latched = learned;
    return true;
  }

  /** Where packets for this leg go: the latched source, else what its SDP said. */
  target(rtcp: boolean): Endpoint | null {
    if (rtcp)
      return (
        this.latchedRtcp ??
        this.remoteRtcp ??
        (this.remote && { address: this.remote.address, port: this.remote.port + 1 })
      );
    if (this.fast !== null) {
      const latched = this.fast.latched(this.nativeIndex);
      return latched === null ? this.remote : { address: latched[0], port: latched[1] };
    }
    return this.latched ?? this.remote;
  }

  update(remote: Endpoint | null, remoteRtcp: Endpoint | null): void {
    const next = usable(remote);
    const moved = next?.address !== this.remote?.address || next?.port !== this.remote?.port;
    this.remote = next;
    this.remoteRtcp = usable(remoteRtcp);
    this.fast?.setRemote(this.nativeIndex, next?.address ?? null, next?.port ?? 0);
    if (moved) {
      // a re-INVITE moved the far end: learn it again
      this.latched = null;
      this.latchedRtcp = null;
      this.fast?.unlatch(this.nativeIndex);
    }
  }

  /** Tell the native fast path what this side's packets need (after any change of these fields). */
  syncMode(copy: boolean): void {
    this.fast?.mode(this.nativeIndex, this.opaque, copy, this.dtmfPt ?? -1, this.ptFrom, this.ptTo);
  }

  /** Send an RTP packet to this leg's far end (the latched source, else its SDP address). */
  sendRtp(msg: Buffer): void {
    if (this.fast !== null) {
      this.fast.send(this.nativeIndex, msg);
      return;
    }
    const to = this.target(false);
    if (to !== null && this.rtp !== null) sendTo(this.rtp, msg, to);
  }

  /** Take the outgoing stream's state (SSRC, sequence, timestamp, shift) from the fast path, which moves it. */
  loadOut(): void {
    if (this.fast === null) return;
    this.fast.state(this.nativeIndex, sideState);
    this.outSent = sideState[SIDE_STATE.outSent] === 1;
    this.outSsrc = sideState[SIDE_STATE.outSsrc]!;
    this.outSeq = sideState[SIDE_STATE.outSeq]!;
    this.outTs = sideState[SIDE_STATE.outTs]!;
    this.seqShift = sideState[SIDE_STATE.seqShift]!;
  }

  storeOut(): void {
    this.fast?.setOut(this.nativeIndex, this.outSsrc, this.outSeq, this.outTs, this.seqShift);
  }

  /** When the last packet (RTP or UDPTL) came from this leg, epoch ms, or null. */
  lastArrival(): number | null {
    if (this.fast === null) return this.stats.lastArrival;
    this.fast.state(this.nativeIndex, sideState);
    return sideState[SIDE_STATE.lastArrival]! > 0 ? sideState[SIDE_STATE.lastArrival]! : null;
  }

  report(): SideStats {
    const common = { localPort: this.spec.localPort, remote: this.target(false), rttMs: this.delay.rttMs };
    if (this.fast === null)
      return {
        ...this.stats.snapshot(),
        ...common,
        latched: this.latched !== null,
        forwarded: this.forwarded,
        dropped: this.dropped,
      };
    this.fast.state(this.nativeIndex, sideState);
    const last = sideState[SIDE_STATE.lastArrival]!;
    return {
      packets: sideState[SIDE_STATE.packets]!,
      bytes: sideState[SIDE_STATE.bytes]!,
      lost: sideState[SIDE_STATE.lost]!,
      jitterMs: jitterMs(sideState[SIDE_STATE.jitter16]!, this.clockRate),
      lastArrival: last > 0 ? Math.floor(last) : null,
      ...common,
      latched: sideState[SIDE_STATE.latched] === 1,
      forwarded: sideState[SIDE_STATE.forwarded]!,
      dropped: sideState[SIDE_STATE.dropped]!,
    };
  }
}

export function bind(socket: dgram.Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/** An SDP address to send to, or null: port 0 (a rejected or held stream) and bad ports are nowhere to send. */
function usable(e: Endpoint | null): Endpoint | null {
  return e !== null && Number.isInteger(e.port) && e.port > 0 && e.port < 65536 ? e : null;
}

/**
 * Send without letting a bad destination throw out of a socket's message handler: an exception there would
 * end the worker thread and every call it relays (dgram.send throws at once on a bad port or address).
 */
export function sendTo(socket: dgram.Socket, msg: Buffer, to: Endpoint): void {
  try {
    socket.send(msg, to.port, to.address);
  } catch {
    // dropped: the next SDP or latched packet gives a good address
  }
}

/**
 * An RTP and an RTCP socket bound ahead of need; what arrives before a session takes them is dropped. The
 * RTP socket is a node:dgram one, or the fast path's (`nativeIndex`), as the worker relays.
 */
export interface WarmPair {
  rtp: dgram.Socket | null;
  nativeIndex: number;
  rtcp: dgram.Socket;
}

/** Bind `port` and the next one into `into`; false (nothing left open) when either is busy. */
export async function bindWarm(
  port: number,
  address: string,
  into: Map<number, WarmPair>,
  fast: NativeForwarder | null = null,
): Promise<boolean> {
  const type = isIPv6(address) ? 'udp6' : 'udp4';
  const nativeIndex = fast === null ? -1 : fast.open(address, port);
  if (fast !== null && nativeIndex < 0) return false;
  const pair: WarmPair = {
    rtp: fast === null ? dgram.createSocket(type) : null,
    nativeIndex,
    rtcp: dgram.createSocket(type),
  };
  const sockets = pair.rtp === null ? [pair.rtcp] : [pair.rtp, pair.rtcp];
  for (const s of sockets) {
    s.on('message', () => undefined);
    s.on('error', () => undefined);
  }
  try {
    await Promise.all([
      ...(pair.rtp === null ? [] : [bind(pair.rtp, port, address)]),
      bind(pair.rtcp, port + 1, address),
    ]);
  } catch {
    closeWarm(pair, fast);
    return false;
  }
  into.set(port, pair);
  return true;
}

/** Close a warm pair that no session took. */
export function closeWarm(pair: WarmPair, fast: NativeForwarder | null): void {
  closeAll(pair.rtp === null ? [pair.rtcp] : [pair.rtp, pair.rtcp]);
  if (pair.nativeIndex >= 0) fast?.close(pair.nativeIndex);
}

export function closeAll(sockets: dgram.Socket[]): void {
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      // never bound, or closed already
    }
  }
}
