/**
 * One call's relayed media: per stream, two sides (the SBC's ports facing the A and the B leg), each an RTP
 * socket on an even port and an RTCP socket on the next. What arrives on one side goes out of the other to
 * that leg's far end. The far end is latched from the first packet (symmetric RTP, RFC 4961), optionally
 * only from the IP in the leg's SDP; other sources are dropped and counted. Only the 12-byte RTP header is
 * read (version, sequence, timestamp, SSRC) and the payload is never copied. A side's own sockets, latch and
 * counters are relay-side.ts; with the native fast path its RTP never comes here, only DTMF and capture copies.
 */
import { SbcError } from '../errors/sbc-error.js';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Endpoint, SessionSpec, StreamSpec, StreamStatsReport } from './relay-protocol.js';
import { FORWARDER_EVENT } from './native-forwarder.js';
import { summarizeRtcp } from './rtcp-delay.js';
import { hideRtcpIdentity } from './media-identity.js';
import { EADDRINUSE, type FastPath, Side, type WarmPair, bind, closeAll, sendTo } from './relay-side.js';

/** How often an injected DTMF event's packets go out (RFC 4733 §2.5.1.2: typically every 50 ms). */
const DTMF_STEP_MS = 50;

/** One RFC 4733 telephone-event packet: fixed header, then event, E bit, volume 10, duration. */
function rtpEvent(
  ssrc: number,
  seq: number,
  ts: number,
  pt: number,
  event: number,
  end: boolean,
  duration: number,
  marker: boolean,
): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | (pt & 0x7f);
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(ssrc, 8);
  b[12] = event;
  b[13] = (end ? 0x80 : 0) | 10;
  b.writeUInt16BE(duration, 14);
  return b;
}

export class BindError extends SbcError {
  constructor(
    readonly busyPorts: number[],
    message: string,
  ) {
    super('SBC_ERR_MEDIA_BIND', message);
  }
}

export class RelaySession {
  readonly id: string;
  private readonly streams: Array<{ stream: number; a: Side; b: Side }> = [];
  private readonly sockets: dgram.Socket[] = [];
  /** Time of the last RTP or RTCP packet from either leg (ms), for media inactivity. */
  lastPacketAt: number;
  /** No RTP or RTCP for this long makes the session inactive; 0: not watched. */
  inactivityMs: number;
  /** The limit while the call is on hold (a held leg may send nothing at all); 0: not watched. */
  holdInactivityMs = 0;
  /** Either leg has the call on hold (sendonly, recvonly, inactive, or c=0.0.0.0). */
  held = false;
  private closed = false;
  private finalReport: StreamStatsReport[] | null = null;
  private copyTo: ((src: Endpoint, dst: Endpoint, bytes: Buffer) => void) | null = null;

  private constructor(
    readonly spec: SessionSpec,
    private readonly now: () => number,
    private readonly onDtmf: (side: 'a' | 'b', event: number, durationMs: number) => void,
    private readonly fast: FastPath | null,
  ) {
    this.id = spec.id;
    this.lastPacketAt = now();
    this.inactivityMs = spec.inactivityMs;
  }

  /** `monitor capture --media`: where a copy of each packet received and sent goes; null (the usual): nowhere. */
  get capture(): ((src: Endpoint, dst: Endpoint, bytes: Buffer) => void) | null {
    return this.copyTo;
  }

  set capture(to: ((src: Endpoint, dst: Endpoint, bytes: Buffer) => void) | null) {
    this.copyTo = to;
    for (const s of this.streams) for (const side of [s.a, s.b]) side.syncMode(to !== null);
  }

  /** When a packet last came from either leg (epoch ms): RTCP here, RTP or UDPTL from the sides. */
  lastActivity(): number {
    let last = this.lastPacketAt;
    for (const s of this.streams) for (const side of [s.a, s.b]) last = Math.max(last, side.lastArrival() ?? 0);
    return last;
  }

  /** Watch for inactivity from now on. */
  watch(inactivityMs: number, holdInactivityMs = 0): void {
    this.inactivityMs = inactivityMs;
    this.holdInactivityMs = holdInactivityMs;
    this.lastPacketAt = this.now();
  }

  /** Bind every port; on failure nothing stays open and BindError names the RTP ports that were busy. */
  static async open(
    spec: SessionSpec,
    now: () => number = Date.now,
    onDtmf: (side: 'a' | 'b', event: number, durationMs: number) => void = () => undefined,
    takeWarm: (port: number) => WarmPair | undefined = () => undefined,
    fast: FastPath | null = null,
  ): Promise<RelaySession> {
    const session = new RelaySession(spec, now, onDtmf, fast);
    await session.add(spec.streams, takeWarm);
    return session;
  }

  /**
   * Bind the ports of more streams (all of them at open, those a re-offer added later). On failure the
   * new sockets are closed again, the streams already relayed go on, and BindError names the busy ports.
   */
  async add(streams: StreamSpec[], takeWarm: (port: number) => WarmPair | undefined = () => undefined): Promise<void> {
    const type = isIPv6(this.spec.address) ? 'udp6' : 'udp4';
    const busy = new Set<number>();
    let firstError: Error | null = null;
    const binds: Array<Promise<void>> = [];
    const sockets: dgram.Socket[] = [];
    const natives: number[] = [];
    const added: Array<{ stream: number; a: Side; b: Side }> = [];
    const forwarder = this.fast?.forwarder ?? null;
    for (const s of streams) {
      const a = new Side(s.a, s.clockRate, this.spec.latch, 'a', forwarder);
      const b = new Side(s.b, s.clockRate, this.spec.latch, 'b', forwarder);
      a.peer = b;
      b.peer = a;
      for (const side of [a, b]) {
        const ready = takeWarm(side.spec.localPort);
        side.rtcp = ready?.rtcp ?? dgram.createSocket(type);
        sockets.push(side.rtcp);
        const toBind: Array<[dgram.Socket, number]> = ready === undefined ? [[side.rtcp, side.spec.localPort + 1]] : [];
        if (forwarder === null) {
          side.rtp = ready?.rtp ?? dgram.createSocket(type);
          sockets.push(side.rtp);
          if (ready === undefined) toBind.push([side.rtp, side.spec.localPort]);
        } else {
          side.nativeIndex = ready?.nativeIndex ?? forwarder.open(this.spec.address, side.spec.localPort);
          if (side.nativeIndex >= 0) natives.push(side.nativeIndex);
          else {
            busy.add(side.spec.localPort);
            firstError ??= new SbcError(
              'SBC_ERR_MEDIA_BIND',
              side.nativeIndex === EADDRINUSE ? 'address in use' : `bind failed (errno ${-side.nativeIndex})`,
            );
          }
        }
        for (const [socket, port] of toBind)
          binds.push(
            bind(socket, port, this.spec.address).catch((err: Error) => {
              busy.add(side.spec.localPort);
              firstError ??= err;
            }),
          );
        if (ready !== undefined)
          for (const socket of [ready.rtp, ready.rtcp])
            socket?.removeAllListeners('message').removeAllListeners('error');
        side.rtp?.on('message', (msg, from) => this.onRtp(side, msg, from));
        side.rtcp.on('message', (msg, from) => this.onRtcp(side, msg, from));
        side.rtp?.on('error', () => undefined); // ICMP port unreachable and the like: the next packet tries again
        side.rtcp.on('error', () => undefined);
      }
      added.push({ stream: s.stream, a, b });
    }
    await Promise.all(binds);
    if (this.closed) firstError ??= new SbcError('SBC_ERR_MEDIA_SESSION', 'the session was closed');
    if (firstError !== null) {
      closeAll(sockets);
      for (const i of natives) forwarder?.close(i);
      throw new BindError([...busy], firstError.message);
    }
    this.sockets.push(...sockets);
    this.streams.push(...added);
    if (this.fast !== null)
      for (const { a, b } of added)
        for (const side of [a, b]) {
          this.fast.sides.set(side.nativeIndex, (kind, bytes, address, port) =>
            this.onNative(side, kind, bytes, { address, port }),
          );
          this.fast.forwarder.relay(
            side.nativeIndex,
            side.peer.nativeIndex,
            side.clockRate,
            this.spec.latch === 'sdp-address',
          );
          side.update(side.remote, side.remoteRtcp);
          side.syncMode(this.copyTo !== null);
        }
  }

  /** What the native fast path hands over: a DTMF packet to report, muxed RTCP, or a copy for a running capture. */
  private onNative(side: Side, kind: number, bytes: Buffer, where: Endpoint): void {
    if (kind === FORWARDER_EVENT.dtmf) this.dtmf(side, bytes);
    else if (kind === FORWARDER_EVENT.rtcp) this.onMuxedRtcp(side, bytes, where);
    else if (kind === FORWARDER_EVENT.copyIn)
      this.copyTo?.(where, { address: this.spec.address, port: side.spec.localPort }, bytes);
    else if (kind === FORWARDER_EVENT.copyOut)
      this.copyTo?.({ address: this.spec.address, port: side.spec.localPort }, where, bytes);
  }

  private onRtp(side: Side, msg: Buffer, from: dgram.RemoteInfo): void {
    if (side.opaque) return this.onDatagram(side, msg, from);
    // RTP version 2 with a full fixed header (RFC 3550 §5.1); anything else is not ours to relay
    if (msg.length < 12 || msg[0]! >> 6 !== 2 || !side.accept(from, false)) {
      side.dropped++;
      return;
    }
    const now = this.now();
    this.lastPacketAt = now;
    if (msg[1]! >= 192 && msg[1]! <= 223) return this.onMuxedRtcp(side, msg, from);
    const seq = msg.readUInt16BE(2);
    const ts = msg.readUInt32BE(4);
    const ssrc = msg.readUInt32BE(8);
    side.stats.record(seq, ts, ssrc, msg.length, now);
    if (this.capture !== null)
      this.capture(
        { address: from.address, port: from.port },
        { address: this.spec.address, port: side.spec.localPort },
        Buffer.from(msg),
      );
    if (side.dtmfPt !== null && (msg[1]! & 0x7f) === side.dtmfPt) return this.dtmf(side, msg);
    const to = side.peer.target(false);
    if (to === null) return;
    const out = side.peer;
    if ((msg[1]! & 0x7f) === out.ptFrom) msg[1] = (msg[1]! & 0x80) | out.ptTo;
    const sentSeq = out.seqShift === 0 ? seq : (seq + out.seqShift) & 0xffff;
    if (sentSeq !== seq) msg.writeUInt16BE(sentSeq, 2);
    out.outSent = true;
    out.outSsrc = ssrc;
    out.outSeq = sentSeq;
    out.outTs = ts;
    side.forwarded++;
    if (this.capture !== null)
      this.capture({ address: this.spec.address, port: out.spec.localPort }, to, Buffer.from(msg));
    if (out.rtp !== null) sendTo(out.rtp, msg, to);
  }

  /**
   * RTCP multiplexed on the RTP port (a=rtcp-mux, RFC 5761 §4: its packet types 192-223 are what RTP payload
   * types 64-95 with the marker bit would be): relayed to the other leg's RTP port, not counted as RTP (its
   * bytes 2-3 are a length, not a sequence number), its SDES names hidden as on the RTCP port.
   */
  private onMuxedRtcp(side: Side, msg: Buffer, from: Endpoint): void {
    const to = side.peer.target(false);
    const out = hideRtcpIdentity(msg, this.id);
    if (this.capture !== null) {
      this.capture(
        { address: from.address, port: from.port },
        { address: this.spec.address, port: side.spec.localPort },
        Buffer.from(msg),
      );
      if (to !== null)
        this.capture({ address: this.spec.address, port: side.peer.spec.localPort }, to, Buffer.from(out));
    }
    if (to !== null) side.peer.sendRtp(out);
  }

  /**
   * A datagram of a stream that is not RTP (UDPTL, ITU-T T.38 §9.1): from the leg's latched source, relayed
   * to the other leg unread and unchanged, counted as packets and bytes (no sequence numbers to read).
   */
  private onDatagram(side: Side, msg: Buffer, from: dgram.RemoteInfo): void {
    if (!side.accept(from, false)) {
      side.dropped++;
      return;
    }
    const now = this.now();
    this.lastPacketAt = now;
    side.stats.packets++;
    side.stats.bytes += msg.length;
    side.stats.lastArrival = now;
    const to = side.peer.target(false);
    if (to === null) return;
    side.forwarded++;
    if (this.capture !== null) {
      this.capture(
        { address: from.address, port: from.port },
        { address: this.spec.address, port: side.spec.localPort },
        Buffer.from(msg),
      );
      this.capture({ address: this.spec.address, port: side.peer.spec.localPort }, to, Buffer.from(msg));
    }
    if (side.peer.rtp !== null) sendTo(side.peer.rtp, msg, to);
  }

  /**
   * DTMF from SIP INFO into the RTP toward `which`, paced as a phone sends it (RFC 4733 §2.5.1): a start
   * packet with the marker bit, an update every 50 ms with the duration so far, then the end packet three
   * times; all with the timestamp of the event's start, in that leg's stream (its SSRC, the next sequence
   * numbers). Relayed packets are shifted past the injected sequence numbers. Events queue one after the other.
   */
  injectDtmf(stream: number, which: 'a' | 'b', event: number, durationMs: number, pt: number): void {
    const side = this.streams.find((x) => x.stream === stream)?.[which];
    if (side === undefined || this.closed) return;
    side.dtmfQueue.push({ event, durationMs, pt });
    if (side.dtmfQueue.length === 1) this.playDtmf(side);
  }

  private playDtmf(side: Side): void {
    const next = side.dtmfQueue[0];
    if (next === undefined || this.closed) return;
    side.loadOut();
    if (!side.outSent) {
      side.outSsrc = (Math.random() * 0x100000000) >>> 0;
      side.outSeq = Math.floor(Math.random() * 0x10000);
      side.outTs = (Math.random() * 0x100000000) >>> 0;
      side.outSent = true;
      side.storeOut();
    }
    const ts = (side.outTs + 160) >>> 0;
    const total = Math.min(0xffff, Math.max(320, Math.round(next.durationMs * 8)));
    const send = (end: boolean, duration: number, marker: boolean): void => {
      side.loadOut(); // relayed packets moved the stream on since the last step
      side.outSeq = (side.outSeq + 1) & 0xffff;
      side.seqShift = (side.seqShift + 1) & 0xffff;
      side.storeOut();
      side.sendRtp(rtpEvent(side.outSsrc, side.outSeq, ts, next.pt, next.event, end, duration, marker));
    };
    send(false, 0, true);
    let elapsed = 0;
    const step = (): void => {
      elapsed += DTMF_STEP_MS * 8; // telephone-event/8000
      if (elapsed < total) {
        send(false, elapsed, false);
        side.dtmfTimer = setTimeout(step, DTMF_STEP_MS);
        return;
      }
      for (let i = 0; i < 3; i++) send(true, total, false);
      side.outTs = (ts + total) >>> 0;
      side.storeOut();
      side.dtmfQueue.shift();
      side.dtmfTimer = setTimeout(() => this.playDtmf(side), DTMF_STEP_MS); // a pause between digits
    };
    side.dtmfTimer = setTimeout(step, DTMF_STEP_MS);
  }

  /** An RFC 4733 event packet: reported once, at its end; never relayed (the other leg takes DTMF as SIP INFO). */
  private dtmf(side: Side, msg: Buffer): void {
    let at = 12 + 4 * (msg[0]! & 0x0f); // past the CSRCs
    if ((msg[0]! & 0x10) !== 0 && msg.length >= at + 4) at += 4 + 4 * msg.readUInt16BE(at + 2); // and a header extension
    if (msg.length < at + 4) return;
    const ended = (msg[at + 1]! & 0x80) !== 0;
    const timestamp = msg.readUInt32BE(4);
    if (!ended || side.lastDtmfEnd === timestamp) return;
    side.lastDtmfEnd = timestamp;
    this.onDtmf(side.name, msg[at]!, msg.readUInt16BE(at + 2) / 8); // telephone-event/8000: 8 units per ms
  }

  /** Report (instead of relaying) telephone-event packets of payload type `pt` arriving on `which`. */
  detectDtmf(stream: number, which: 'a' | 'b', pt: number | null): void {
    const s = this.streams.find((x) => x.stream === stream);
    if (s === undefined) return;
    s[which].dtmfPt = pt;
    s[which].syncMode(this.copyTo !== null);
  }

  private onRtcp(side: Side, msg: Buffer, from: dgram.RemoteInfo): void {
    if (msg.length < 8 || msg[0]! >> 6 !== 2 || !side.accept(from, true)) return;
    const now = this.now();
    this.lastPacketAt = now; // RTCP is life too: a leg that sends only reports is still there
    const rtcp = summarizeRtcp(msg);
    for (const ntp of rtcp.senderReports) side.delay.noteSenderReport(ntp, now);
    for (const b of rtcp.blocks) side.delay.noteReport(b.lsr, b.dlsr, now, side.peer.delay);
    const to = side.peer.target(true);
    // the endpoint's canonical name (often user@its-address) becomes a token (media-identity.ts)
    const out = hideRtcpIdentity(msg, this.id);
    if (this.capture !== null) {
      this.capture(
        { address: from.address, port: from.port },
        { address: this.spec.address, port: side.spec.localPort + 1 },
        Buffer.from(msg),
      );
      if (to !== null)
        this.capture({ address: this.spec.address, port: side.peer.spec.localPort + 1 }, to, Buffer.from(out));
    }
    if (to !== null) sendTo(side.peer.rtcp, out, to);
  }

  /** Packets relayed toward `which` with payload type `from` leave with `to` (from null: as they come). */
  mapPayloadType(stream: number, which: 'a' | 'b', from: number | null, to: number): void {
    const side = this.streams.find((x) => x.stream === stream)?.[which];
    if (side === undefined) return;
    side.ptFrom = from ?? -1;
    side.ptTo = to & 0x7f;
    side.syncMode(this.copyTo !== null);
  }

  /** Where `which` now wants the stream, and whether the stream now carries RTP (a switch to T.38 and back). */
  update(stream: number, which: 'a' | 'b', remote: Endpoint | null, remoteRtcp: Endpoint | null, opaque = false): void {
    const s = this.streams.find((x) => x.stream === stream);
    if (s === undefined) return;
    s[which].update(remote, remoteRtcp);
    s.a.opaque = s.b.opaque = opaque;
    for (const side of [s.a, s.b]) side.syncMode(this.copyTo !== null);
  }

  report(): StreamStatsReport[] {
    if (this.finalReport !== null) return this.finalReport;
    return this.streams.map((s) => ({ stream: s.stream, a: s.a.report(), b: s.b.report() }));
  }

  close(): void {
    if (this.closed) return;
    this.finalReport = this.report(); // the fast path forgets a side's counters when it closes
    this.closed = true;
    for (const s of this.streams)
      for (const side of [s.a, s.b]) {
        if (side.dtmfTimer !== null) clearTimeout(side.dtmfTimer);
        if (this.fast !== null && side.nativeIndex >= 0) {
          this.fast.sides.delete(side.nativeIndex);
          this.fast.forwarder.close(side.nativeIndex);
          side.nativeIndex = -1;
        }
      }
    closeAll(this.sockets);
    this.sockets.length = 0;
  }
}
