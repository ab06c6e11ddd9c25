/**
 * A call's SDP on its way between the legs. The codec class of the receiving leg's dial-peer filters and
 * orders the codecs (in both media modes). In flow-through mode the SDP is also rewritten so that it names
 * the SBC's address and ports (the two sides never learn each other's addresses), and the relay session is
 * told where each leg wants its media. The first SDP of the call (the offer, in the INVITE or,
 * for a delayed offer, in the answer) opens the relay session; every later one only updates it.
 * Each leg has its own `o=` line, whose version goes up whenever the SDP sent on that leg changes
 * (RFC 3264 §8).
 */
import type { CallMediaSession } from './call-media-session.js';
import { hideSdpIdentity } from '../../media/media-identity.js';
import { MediaFailure } from './media-failure.js';
import { holds } from './hold.js';
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { CODECS, type CodecClass, applyCodecClass, formatKind } from '../../media/codec-class.js';
import { OWN_OFFER_DEFAULT, ownOfferSdp } from './own-offer.js';
import type { MediaEngine, OpenedStream, StreamRequest } from './media-engine.js';
import type { Endpoint } from '../../media/relay-protocol.js';
import { type MediaSection, Sdp, SdpError } from '../../media/sdp.js';
import type { CallMediaRecord, MediaSnapshot } from '../../state/call-store.js';
import { type SrtpPolicy, isSrtp, srtpRefusal } from './srtp-policy.js';
import { TelephoneEvents, telephoneEvent } from './telephone-events.js';

type Leg = 'a' | 'b';

interface LegOrigin {
  sessionId: string;
  version: bigint;
  /** What we last sent on the leg, without its o= line, to tell whether the SDP changed. */
  last: string | null;
}

export { MediaFailure } from './media-failure.js';

const other = (leg: Leg): Leg => (leg === 'a' ? 'b' : 'a');

/** ICE's SDP attributes (RFC 8839 §5), removed in flow-through: they name the other side's addresses. */
const ICE_ATTRIBUTES = [
  'candidate',
  'remote-candidates',
  'end-of-candidates',
  'ice-lite',
  'ice-mismatch',
  'ice-ufrag',
  'ice-pwd',
  'ice-options',
  'ice-pacing',
];

function remoteOf(m: MediaSection): { remote: Endpoint | null; remoteRtcp: Endpoint | null } {
  const c = m.connection;
  // no address, or the RFC 2543 hold address 0.0.0.0: nothing to send to
  if (c === null || c.address === '0.0.0.0' || c.address === '::' || m.rejected)
    return { remote: null, remoteRtcp: null };
  const rtcpPort = m.rtcpPort;
  return {
    remote: { address: c.address, port: m.port },
    remoteRtcp: rtcpPort === null ? null : { address: c.address, port: rtcpPort },
  };
}

function clockRateOf(m: MediaSection): number {
  const first = m.formats[0];
  const map = first === undefined ? undefined : m.rtpmaps().get(first);
  return map?.clockRate ?? 8000;
}

export class CallMedia implements CallMediaSession {
  private streams: OpenedStream[] | null = null;
  private readonly origins: Record<Leg, LegOrigin> = {
    a: { sessionId: String(randomInt(1, 2 ** 31)), version: 0n, last: null },
    b: { sessionId: String(randomInt(1, 2 ** 31)), version: 0n, last: null },
  };
  private readonly remotes = new Map<string, { remote: Endpoint | null }>();
  /** Whether each leg's last SDP holds the call (RFC 3264 §8.4), and whether the relay was told so. */
  private readonly holding: Record<Leg, boolean> = { a: false, b: false };
  private held = false;
  /** The clock rate of each stream as the relay was opened with it. */
  private readonly clockRates = new Map<number, number>();
  private closed = false;
  private opening: Promise<void> | null = null;
  /** The SBC made the B leg's offer itself (delayed offer to early offer). */
  offeredByUs = false;

  /** The codec class of each leg's dial-peer (null: any codec). */
  readonly codecs: Record<Leg, CodecClass | null> = { a: null, b: null };
  /** Each leg's dial-peer `dtmfRelay` (null: as the endpoints negotiate). */
  readonly dtmf: Record<Leg, 'rtp-nte' | 'sip-info' | null> = { a: null, b: null };
  /** Each leg's dial-peer `srtp`: the built-in relay carries SRTP as it is, so `required` only checks. */
  readonly srtp: Record<Leg, SrtpPolicy> = { a: 'off', b: 'off' };
  /** The built-in relay faces both legs from media.address. */
  readonly interfaces: Record<Leg, string | null> = { a: null, b: null };
  /** RFC 4733 payload types: renumbering between the legs, DTMF interworking. */
  private readonly events: TelephoneEvents;

  /** Streams that are SRTP (the relay carries them untouched), by m-line number. */
  private readonly secure = new Set<number>();

  /**
   * `engine` null: media flows around the SBC, and only the codec classes touch the SDP. `note`: told once
   * when something the dial-peers ask for is switched off (SRTP carried untouched).
   */
  constructor(
    private readonly engine: MediaEngine | null,
    private readonly address: string,
    readonly id: string,
    private readonly note: (what: string) => void = () => undefined,
  ) {
    this.events = new TelephoneEvents(id);
  }

  /** The built-in relay is this process. */
  readonly instance = null;

  get engineKind(): 'builtin' | null {
    return this.engine === null ? null : 'builtin';
  }

  get relayed(): boolean {
    return this.engine !== null;
  }

  /** The built-in relay reports every call's counters itself (BuiltinRelay.stats). */
  stats(): null {
    return null;
  }

  /** The built-in relay has one media address for both legs (media.address). */
  legAddress(): void {
    // nothing to choose
  }

  /** Nothing to wait for: once the relay is open, rewrite() does the built-in relay's part at once. */
  settle(): null {
    return null;
  }

  /** Whether SDP can be rewritten now (flow-around always; flow-through once the relay is open). */
  get open(): boolean {
    return this.engine === null || this.streams !== null;
  }

  /**
   * The first SDP of the call, from `from`, opens the relay: ports for every stream that is not rejected.
   * Called again while it opens (a retransmission), it waits for the same opening. Rejects with
   * MediaFailure (no ports: 503; unreadable SDP: 488).
   */
  prepare(from: Leg, body: Buffer): Promise<void> {
    if (this.engine === null) return Promise.resolve();
    this.opening ??= this.openFrom(from, body);
    return this.opening;
  }

  /** Async so that unreadable SDP rejects (488) like every other failure, instead of throwing at the caller. */
  private async openFrom(from: Leg, body: Buffer): Promise<void> {
    const sdp = this.parse(body);
    return this.openStreams(
      sdp.media
        .filter((m) => !m.rejected)
        .map((m) => ({
          stream: m.index,
          clockRate: clockRateOf(m),
          a: from === 'a' ? remoteOf(m) : { remote: null, remoteRtcp: null },
          b: from === 'b' ? remoteOf(m) : { remote: null, remoteRtcp: null },
        })),
    );
  }

  private async openStreams(requests: StreamRequest[]): Promise<void> {
    for (const r of requests) this.clockRates.set(r.stream, r.clockRate);
    const opened = await (this.engine as MediaEngine).open(this.id, requests);
    if (opened === null) throw new MediaFailure(503, 'no RTP ports left');
    this.streams = opened;
    if (this.closed) {
      void this.engine?.close(this.id); // the call ended while the ports were being opened
      throw new MediaFailure(503, 'the call ended');
    }
  }

  /**
   * A re-offer (re-INVITE, UPDATE) from `from` with m-lines the call has no ports for yet: open them, so
   * that a video stream added to an audio call is relayed too. When the pool has none left the new
   * streams are declined (port 0) and the call goes on with what it has.
   */
  async prepareMore(from: Leg, body: Buffer): Promise<void> {
    const engine = this.engine;
    if (engine === null || this.streams === null || this.closed) return;
    let sdp: Sdp;
    try {
      sdp = Sdp.parse(body.toString('latin1'));
    } catch {
      return; // rewrite() answers unreadable SDP
    }
    const known = new Set(this.streams.map((s) => s.stream));
    const added = sdp.media.filter((m) => !m.rejected && !known.has(m.index));
    if (added.length === 0) return;
    const none = { remote: null, remoteRtcp: null };
    const opened = await engine
      .add(
        this.id,
        added.map((m) => ({
          stream: m.index,
          clockRate: clockRateOf(m),
          a: from === 'a' ? remoteOf(m) : none,
          b: from === 'b' ? remoteOf(m) : none,
        })),
      )
      .catch(() => null); // the relay could not bind them: declined like a full pool
    if (opened !== null && this.streams !== null) this.streams.push(...opened);
  }

  /**
   * Delayed offer to early offer (`earlyOfferForced`): the caller sent no SDP, so the SBC opens one audio
   * stream and makes the offer to the callee itself, from the outbound codec class (every codec with
   * offerAll, else the first), or G.711 mu-law and A-law without a class. The callee's answer becomes the
   * caller's offer in the 200; the caller's answer in the ACK only updates the relay (the B leg's
   * offer/answer is already complete).
   */
  async prepareOwnOffer(): Promise<void> {
    const cls = this.codecs.b ?? OWN_OFFER_DEFAULT;
    const none = { remote: null, remoteRtcp: null };
    this.opening ??= this.openStreams([
      { stream: 0, clockRate: CODECS[cls.preferences[0] ?? 'g711ulaw'].clockRate, a: none, b: none },
    ]);
    await this.opening;
    this.offeredByUs = true;
  }

  /** Open the relay: from the caller's offer when there is one, else for the SBC's own offer. */
  prepareOrOffer(from: Leg, body: Buffer): Promise<void> {
    return body.length > 0 ? this.prepare(from, body) : this.prepareOwnOffer();
  }

  /** The SBC's own offer toward the B leg (after prepareOwnOffer). */
  ownOffer(): Buffer {
    const port = this.streams?.[0]?.bPort ?? 0;
    const sdp = Sdp.parse(ownOfferSdp(this.codecs.b, this.address, port, true));
    this.events.presented.b = telephoneEvent(sdp);
    this.stampOrigin('b', sdp);
    return Buffer.from(sdp.toString(), 'latin1');
  }

  /**
   * The caller's answer in the ACK of an early offer forced: the relay learns where the caller wants media
   * and how it numbers telephone-event, but nothing goes to the callee (its offer/answer is complete).
   */
  absorb(from: Leg, body: Buffer): MediaFailure | null {
    try {
      this.rewrite(from, body, 'answer', false);
      return null;
    } catch (err) {
      if (err instanceof MediaFailure) return err;
      throw err;
    }
  }

  /**
   * SDP from `from` as the other leg gets it: filtered by that leg's codec class (an offer left without a
   * codec throws MediaFailure 488), and in flow-through pointed at the SBC, the relay told the new far end.
   */
  rewrite(from: Leg, body: Buffer, kind: 'offer' | 'answer' = 'answer', sent = true): Buffer {
    const sdp = this.parse(body);
    const to = other(from);
    // neither engine-less media nor the built-in relay can encrypt: a leg that requires SRTP gets it only
    // when the other leg sends it (and passes it through)
    const refusal =
      srtpRefusal(sdp, this.srtp[from], `the ${kind} of leg ${from}`) ??
      (kind === 'offer' ? srtpRefusal(sdp, this.srtp[to], `the offer toward leg ${to}`) : null);
    if (refusal !== null) throw refusal;
    const cls = this.codecs[to];
    if (cls !== null && !applyCodecClass(sdp, cls, kind))
      throw new MediaFailure(488, `no codec in common with voice class codec ${cls.tag}`);
    const engine = this.engine;
    if (engine === null) return cls === null ? body : Buffer.from(sdp.toString(), 'latin1');
    this.noteSrtp(sdp);
    // SRTP is relayed untouched (srtp pass-thru): renumbering a payload type or taking out or putting in
    // DTMF would break its authentication tags (RFC 3711 §3.4)
    if (this.secure.size === 0) this.interwork(sdp, from, to, engine);
    // the relay is the only path: candidates would hand one side the other's addresses (RFC 8839 §5)
    sdp.dropAttributes(ICE_ATTRIBUTES);
    // nor do the endpoint's names (a=ssrc cname: often user@address); the relay hides them in RTCP alike,
    // but cannot in SRTCP, whose CNAME the SRTP streams' SDP therefore keeps
    hideSdpIdentity(sdp, this.id, this.secure);
    const family = isIPv6(this.address) ? 'IP6' : 'IP4';
    const me = { family, address: this.address } as const;
    let anyHeld = false;
    for (const m of sdp.media) {
      const opened = this.streams?.find((s) => s.stream === m.index);
      if (opened === undefined || m.rejected) {
        if (!m.rejected) m.setPort(0); // a stream we have no ports for (the pool ran out): declined (RFC 3264 §8.2)
        continue;
      }
      const r = remoteOf(m);
      // m=image udptl (T.38 fax) after a re-INVITE: datagrams the relay must not take for RTP
      engine.update(this.id, m.index, from, r.remote, r.remoteRtcp, !m.proto.toUpperCase().includes('RTP'));
      this.remotes.set(`${from}${m.index}`, { remote: r.remote });
      const held = m.connection?.address === '0.0.0.0';
      anyHeld ||= held;
      const port = to === 'a' ? opened.aPort : opened.bPort;
      m.setPort(port);
      // a section's own c= is rewritten; one that relies on the session's c= keeps relying on it
      if (m.hasOwnConnection || sdp.sessionConnection === null)
        m.setConnection(held ? { family: 'IP4', address: '0.0.0.0' } : me);
      m.setRtcp(port + 1, me);
    }
    if (sdp.sessionConnection !== null)
      sdp.setSessionConnection(
        anyHeld && sdp.sessionConnection.address === '0.0.0.0' ? { family: 'IP4', address: '0.0.0.0' } : me,
      );
    if (sent) this.noteHold(from, sdp, engine);
    if (sent) this.events.presented[to] = telephoneEvent(sdp);
    if (this.secure.size === 0) this.events.map(engine, this.streams);
    if (sent) this.stampOrigin(to, sdp);
    return Buffer.from(sdp.toString(), 'latin1');
  }

  /** The SRTP streams of the call; the first one makes the relay leave every packet as it is, said once. */
  private noteSrtp(sdp: Sdp): void {
    const before = this.secure.size;
    for (const m of sdp.media) if (!m.rejected && isSrtp(m)) this.secure.add(m.index);
    if (before === 0 && this.secure.size > 0)
      this.note('SRTP relayed untouched: no payload-type renumbering and no DTMF interworking on this call');
  }

  /**
   * A call is on hold while either leg's last SDP has an audio stream that is not sendrecv or names
   * 0.0.0.0 (RFC 3264 §8.4): a held leg may send nothing, so the relay applies its hold inactivity limit.
   */
  private noteHold(from: Leg, sdp: Sdp, engine: MediaEngine): void {
    this.holding[from] = holds(sdp);
    const held = this.holding.a || this.holding.b;
    if (held === this.held) return;
    this.held = held;
    engine.hold(this.id, held);
  }

  /**
   * DTMF interworking (`dtmfRelay` rtp-nte on one leg, sip-info on the other): the sip-info leg is not
   * offered telephone-event; the rtp-nte leg always is (with its own payload type, else 101), and the relay
   * turns what it sends with that type into SIP INFO toward the other leg.
   */
  private interwork(sdp: Sdp, from: Leg, to: Leg, engine: MediaEngine): void {
    this.events.wanted[from] = telephoneEvent(sdp);
    const modes = [this.dtmf.a, this.dtmf.b];
    if (!modes.includes('sip-info') || !modes.includes('rtp-nte')) return;
    for (const m of sdp.media) {
      if (m.media !== 'audio' || m.rejected || !this.streams?.some((s) => s.stream === m.index)) continue;
      const nte = m.formats.filter((f) => formatKind(m, f) === 'telephone-event');
      if (this.dtmf[to] === 'sip-info') {
        if (nte.length > 0) m.setFormats(m.formats.filter((f) => !nte.includes(f)));
        continue;
      }
      const pt = nte[0] ?? String(this.events.wanted[to]?.pt ?? 101);
      if (nte.length === 0) m.addFormat(pt, [`a=rtpmap:${pt} telephone-event/8000`, `a=fmtp:${pt} 0-15`]);
      this.events.detect(engine, to, m.index, Number(pt));
    }
  }

  /** Whether DTMF in SIP INFO from `leg` is turned into RTP toward the other leg (sip-info to rtp-nte). */
  takesInfoFrom(leg: Leg): boolean {
    return (
      this.engine !== null &&
      this.dtmf[leg] === 'sip-info' &&
      this.secure.size === 0 &&
      this.dtmf[other(leg)] === 'rtp-nte' &&
      this.events.injects(other(leg))
    );
  }

  /** The built-in relay reports the digits it takes out of the RTP itself (onDtmf, by leg). */
  digitFrom(): null {
    return null;
  }

  /** Send a DTMF event to `leg` as RFC 4733 packets in its audio stream. */
  sendDtmf(leg: Leg, event: number, durationMs: number): void {
    const pt = this.events.injectPt(leg);
    const stream = this.streams?.[0]?.stream;
    if (pt !== null && stream !== undefined) this.engine?.injectDtmf(this.id, stream, leg, event, durationMs, pt);
  }

  /** Our own o= line for the leg; its version goes up only when the SDP changed. */
  private stampOrigin(leg: Leg, sdp: Sdp): void {
    const o = this.origins[leg];
    const family = isIPv6(this.address) ? 'IP6' : 'IP4';
    const withoutOrigin = sdp.lines.filter((l) => !l.startsWith('o=')).join('\n');
    if (o.last !== null && o.last !== withoutOrigin) o.version++;
    o.last = withoutOrigin;
    sdp.setOrigin({ user: 'FoSIP', sessionId: o.sessionId, version: o.version, family, address: this.address });
  }

  private parse(body: Buffer): Sdp {
    try {
      return Sdp.parse(body.toString('latin1'));
    } catch (err) {
      if (err instanceof SdpError) throw new MediaFailure(488, `unreadable SDP: ${err.message}`);
      throw err;
    }
  }

  /** What a restarted node needs to relay this call again on the same ports (see restore); null when not relayed. */
  snapshot(): MediaSnapshot | null {
    if (this.engine === null || this.streams === null) return null;
    const remote = (key: string): Endpoint | null => this.remotes.get(key)?.remote ?? null;
    const origin = (o: LegOrigin) => ({ sessionId: o.sessionId, version: String(o.version), last: o.last });
    return {
      streams: this.streams.map((s) => ({
        ...s,
        clockRate: this.clockRates.get(s.stream) ?? 8000,
        a: remote(`a${s.stream}`),
        b: remote(`b${s.stream}`),
      })),
      origins: { a: origin(this.origins.a), b: origin(this.origins.b) },
      offeredByUs: this.offeredByUs,
      telephoneEvents: this.events.snapshot(),
    };
  }

  /**
   * The relay again after a restart, with the far ends, origins and payload types of `s`: on the ports it
   * had ('same'), else on fresh ones ('moved': the far ends must be told, see reoffer), else false.
   */
  async restore(s: MediaSnapshot): Promise<'same' | 'moved' | false> {
    const engine = this.engine;
    if (engine === null) return false;
    const side = (e: Endpoint | null) => ({ remote: e, remoteRtcp: e && { address: e.address, port: e.port + 1 } });
    const requests = s.streams.map((x) => ({ stream: x.stream, clockRate: x.clockRate, a: side(x.a), b: side(x.b) }));
    let opened = await engine.openAt(
      this.id,
      requests,
      s.streams.map(({ stream, aPort, bPort }) => ({ stream, aPort, bPort })),
    );
    const same = opened !== null;
    opened ??= await engine.open(this.id, requests);
    if (opened === null) return false;
    this.streams = opened;
    this.opening = Promise.resolve();
    for (const x of s.streams) {
      this.clockRates.set(x.stream, x.clockRate);
      this.remotes.set(`a${x.stream}`, { remote: x.a });
      this.remotes.set(`b${x.stream}`, { remote: x.b });
    }
    for (const leg of ['a', 'b'] as const)
      this.origins[leg] = { ...s.origins[leg], version: BigInt(s.origins[leg].version) };
    this.offeredByUs = s.offeredByUs;
    if (s.telephoneEvents !== undefined) this.events.restore(s.telephoneEvents, engine, opened);
    return same ? 'same' : 'moved';
  }

  /** The SDP last sent to `leg`, on the ports that face it now and with a new o= version: a re-offer after a move. */
  reoffer(leg: Leg): Buffer | null {
    const last = this.origins[leg].last;
    if (last === null || this.streams === null) return null;
    const lines = last.split('\n');
    const sdp = this.parse(
      Buffer.from([lines[0] ?? 'v=0', 'o=- 0 0 IN IP4 0.0.0.0', ...lines.slice(1)].join('\r\n'), 'latin1'),
    );
    const me = { family: isIPv6(this.address) ? 'IP6' : 'IP4', address: this.address } as const;
    for (const m of sdp.media) {
      const opened = this.streams.find((x) => x.stream === m.index);
      if (opened === undefined || m.rejected) continue;
      const port = leg === 'a' ? opened.aPort : opened.bPort;
      m.setPort(port);
      m.setRtcp(port + 1, me);
    }
    this.stampOrigin(leg, sdp);
    return Buffer.from(sdp.toString(), 'latin1');
  }

  /** What the call record shows (`show voip rtp connections`). */
  record(): CallMediaRecord {
    if (this.engine === null) return { mode: 'flow-around', streams: [] };
    return {
      mode: 'flow-through',
      streams: (this.streams ?? []).flatMap((s) =>
        (['a', 'b'] as const).map((leg) => {
          const r = this.remotes.get(`${leg}${s.stream}`)?.remote ?? null;
          return {
            leg,
            stream: s.stream,
            localAddress: this.address,
            localPort: leg === 'a' ? s.aPort : s.bPort,
            remoteAddress: r?.address ?? null,
            remotePort: r?.port ?? null,
            ...(this.secure.has(s.stream) ? { srtp: true } : {}),
          };
        }),
      ),
    };
  }

  /** The call is answered: from now on, no RTP for the configured time ends it. */
  watchInactivity(): void {
    if (this.streams !== null) this.engine?.watch(this.id);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.streams !== null) void this.engine?.close(this.id);
  }

  /** Only SDP is rewritten; other bodies (dtmf-relay, sipfrag...) pass as they are. */
  static isSdp(contentType: string | undefined): boolean {
    return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/sdp';
  }
}
