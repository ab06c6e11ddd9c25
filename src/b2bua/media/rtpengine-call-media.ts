/**
 * A call whose media rtpengine relays: every SDP that crosses goes to the call's rtpengine instance first
 * (`offer` from the leg that offers, `answer` from the leg that answers), and what rtpengine writes back
 * (its address and ports, ICE removed) is what the other leg gets. The two legs are rtpengine's two
 * monologues, tagged by leg, under the call's own id; `delete` lets go of the call when it ends, however
 * it ends. Codec classes filter the SDP before rtpengine sees it, as they do for the built-in relay.
 *
 * The ng commands of one call are made one after the other, so that the answers of a 183 and a 200 reach
 * the caller in the order they came.
 */
import { isIPv6 } from 'node:net';
import type { CodecClass } from '../../media/codec-class.js';
import { applyCodecClass } from '../../media/codec-class.js';
import { ownOfferSdp } from './own-offer.js';
import type { RtpengineFleet } from '../../media/rtpengine/fleet.js';
import { NgError, type NgDict } from '../../media/rtpengine/ng-client.js';
import { streamReports } from '../../media/rtpengine/stream-stats.js';
import type { StreamStatsReport } from '../../media/relay-protocol.js';
import { Sdp, SdpError } from '../../media/sdp.js';
import type { CallMediaRecord, MediaSnapshot } from '../../state/call-store.js';
import type { CallMediaSession, Leg } from './call-media-session.js';
import { MediaFailure } from './media-failure.js';
import { holds, mayHold } from './hold.js';
import { type SrtpPolicy, isSrtp, srtpRefusal } from './srtp-policy.js';
import { dtmfArgs, srtpArgs } from './rtpengine-leg-args.js';

const other = (leg: Leg): Leg => (leg === 'a' ? 'b' : 'a');

/** rtpengine's tag of each leg's monologue (the legs' own SIP tags change with forks; these never do). */
const TAG: Record<Leg, string> = { a: 'fosip-a', b: 'fosip-b' };

export interface RtpengineMediaOptions {
  fleet: RtpengineFleet;
  /** The instance chosen for the call; null when none was up (the call gets 503). */
  ng: string | null;
  id: string;
  /** A command failed or rtpengine let go of the call unexpectedly: logged by the B2BUA. */
  warn?: (what: string, err: unknown) => void;
  /**
   * A call a previous run of this node set up and answered (a restart): rtpengine has both legs already,
   * and nothing is sent to it until the next SDP.
   */
  adopted?: boolean;
  /** The call's final counters, from rtpengine's reply to `delete` (metrics of ended streams). */
  closed?: (report: StreamStatsReport[]) => void;
  /** No RTP from either leg for this long (ms) after the answer ends the call through `inactive`; 0: never. */
  inactivityMs?: number;
  /** The same while either leg holds the call (`media.holdInactivitySeconds`; 0: a held call is never ended). */
  holdInactivityMs?: number;
  inactive?: () => void;
}

export class RtpengineCallMedia implements CallMediaSession {
  readonly engineKind = 'rtpengine';
  readonly relayed = true;
  offeredByUs = false;
  readonly codecs: Record<Leg, CodecClass | null> = { a: null, b: null };
  readonly dtmf: Record<Leg, 'rtp-nte' | 'sip-info' | null> = { a: null, b: null };
  readonly srtp: Record<Leg, SrtpPolicy> = { a: 'off', b: 'off' };
  readonly interfaces: Record<Leg, string | null> = { a: null, b: null };
  /**
   * Results by leg, kind and SDP, with the number of the command that made them: a result is good only
   * while no later command has completed (the same SDP again after a hold, say, must reach rtpengine again,
   * while a retransmission, or the rewrite that follows its settle(), uses the result at once).
   */
  private readonly done = new Map<string, { out: Buffer; seq: number }>();
  private completed = 0;
  /** The address family each leg is reached over (unknown: rtpengine's default, the offer's own). */
  private readonly families: Partial<Record<Leg, 'IP4' | 'IP6'>> = {};
  /** Where each leg's signalling comes from or goes to. */
  private readonly addresses: Partial<Record<Leg, string>> = {};
  private readonly running = new Map<string, Promise<void>>();
  /** The last SDP each leg sent, and the last one rtpengine wrote toward each leg (for the call record). */
  private readonly received: Partial<Record<Leg, Buffer>> = {};
  private readonly sent: Partial<Record<Leg, Buffer>> = {};
  private chain: Promise<unknown> = Promise.resolve();
  private answered = false;
  /** The leg whose offer opened the call on rtpengine (its monologue is always there). */
  private opener: Leg = 'a';
  private watching: NodeJS.Timeout | null = null;
  /** Whether each leg's last SDP held the call (see hold.ts): a held call has its own inactivity limit. */
  private readonly holding: Record<Leg, boolean> = { a: false, b: false };
  /** The SBC's own offer toward the callee (early offer forced), as rtpengine wrote it. */
  private own: Buffer | null = null;
  /** The caller's answer to our own offer has come (in its ACK). */
  private absorbed = false;
  private touched = false;
  private closed = false;
  private opened = false;

  /** The call's instance (another one if the first does not answer the call's first command). */
  private ng: string | null;

  constructor(private readonly o: RtpengineMediaOptions) {
    this.ng = o.ng;
    if (o.ng !== null) o.fleet.sessionOpened(o.ng);
    if (o.adopted === true) this.opened = this.answered = this.touched = true;
  }

  /** The instance the call is on (the call record keeps it, for a restarted node). */
  get instance(): string | null {
    return this.ng;
  }

  get open(): boolean {
    return this.opened;
  }

  prepare(from: Leg, body: Buffer): Promise<void> {
    return this.run(from, body, 'offer').then(() => {
      this.opened = true;
    });
  }

  /**
   * Delayed offer to early offer (`earlyOfferForced`): the caller sent no SDP, so rtpengine is given an
   * offer of the caller's leg made from the outbound codec class (as the built-in relay makes its own), with
   * no address yet; what rtpengine writes toward the callee is the SBC's offer. The callee's answer is
   * rtpengine's answer, and what rtpengine writes back becomes the caller's offer in the 200; the caller's
   * answer in the ACK tells rtpengine where the caller is (see absorb).
   */
  prepareOrOffer(from: Leg, body: Buffer): Promise<void> {
    if (body.length > 0) return this.prepare(from, body);
    // the caller's side, at its signalling address on the discard port (9) until its answer in the ACK
    // says where its media is; not 0.0.0.0, which is hold (RFC 3264 §8.4): the callee would get sendonly
    const address = this.addresses[from] ?? '127.0.0.1';
    const placeholder = Buffer.from(ownOfferSdp(this.codecs[other(from)], address, 9, false), 'latin1');
    return this.prepare(from, placeholder).then(() => {
      this.own = this.result(key(from, 'offer', placeholder)) ?? null;
      this.offeredByUs = true;
    });
  }

  prepareMore(from: Leg, body: Buffer): Promise<void> {
    return this.run(from, body, 'offer');
  }

  settle(from: Leg, body: Buffer, kind: 'offer' | 'answer'): Promise<void> | null {
    const as = this.asEngineSees(from, kind);
    return this.result(key(from, as, body)) !== undefined ? null : this.run(from, body, as);
  }

  rewrite(from: Leg, body: Buffer, kind: 'offer' | 'answer' = 'answer'): Buffer {
    const out = this.result(key(from, this.asEngineSees(from, kind), body));
    if (out === undefined) throw new MediaFailure(488, 'rtpengine has not taken this SDP');
    return out;
  }

  /**
   * What an SDP is to rtpengine: as it is to the SIP legs, except the callee's SDP in its responses to our
   * own offer (early offer forced, until the caller's ACK), which the caller gets as an offer but which
   * answers rtpengine's offer.
   */
  private asEngineSees(from: Leg, kind: 'offer' | 'answer'): 'offer' | 'answer' {
    return this.offeredByUs && !this.absorbed && from === 'b' ? 'answer' : kind;
  }

  private result(k: string): Buffer | undefined {
    const hit = this.done.get(k);
    return hit !== undefined && hit.seq === this.completed ? hit.out : undefined;
  }

  /**
   * One offer or answer through rtpengine, after the call's earlier ones (the same SDP twice, a
   * retransmission, is one command). Rejects with MediaFailure: 488 when rtpengine refuses the SDP, 503
   * when no instance answers.
   */
  private run(from: Leg, body: Buffer, kind: 'offer' | 'answer'): Promise<void> {
    const k = key(from, kind, body);
    const known = this.running.get(k);
    if (known !== undefined) return known;
    const ng = this.ng;
    if (ng === null || this.closed) {
      return Promise.reject(new MediaFailure(503, ng === null ? 'no rtpengine instance is up' : 'the call has ended'));
    }
    const step = this.chain.then(async () => {
      const sdp = this.checked(from, body, kind);
      const reply = await this.command(kind, this.args(from, kind, sdp)).catch((err: unknown) => {
        // a command nobody answered may have been carried out (the reply lost): the call may be there to delete
        if (!(err instanceof NgError) || err.kind !== 'refused') this.touched = true;
        throw err instanceof NgError ? new MediaFailure(err.kind === 'refused' ? 488 : 503, err.message) : err;
      });
      if (!this.touched && kind === 'offer') this.opener = from;
      this.touched = true;
      const out = reply['sdp'];
      if (typeof out !== 'string')
        throw new MediaFailure(503, `rtpengine ${this.ng ?? ng} answered ${kind} without SDP`);
      if (kind === 'answer' && !this.answered && this.interworking) {
        // the rtp-nte leg's digits go on as INFO (rtpengine reports them): none reach the sip-info leg too,
        // as packets or as tones
        const source = this.dtmf.a === 'rtp-nte' ? 'a' : 'b';
        await this.o.fleet
          .command(ng, 'block DTMF', { 'call-id': this.o.id, 'from-tag': TAG[source] })
          .catch((err: unknown) => this.o.warn?.('rtpengine could not block DTMF', err));
      }
      if (kind === 'answer') this.answered = true;
      this.received[from] = body;
      const rewritten = Buffer.from(out, 'latin1');
      this.sent[other(from)] = rewritten;
      this.done.set(k, { out: rewritten, seq: ++this.completed });
    });
    this.chain = step.catch(() => undefined);
    this.running.set(k, step);
    // once done (or failed), the same SDP later is a new command; a retransmission meanwhile shares this one
    void step.then(
      () => this.running.get(k) === step && this.running.delete(k),
      () => this.running.get(k) === step && this.running.delete(k),
    );
    return step;
  }

  /**
   * One command to the call's instance. While rtpengine holds nothing of the call yet (its first offer),
   * an instance that does not answer is replaced by another that does (the fleet has just taken the silent
   * one out): the caller waits a timeout longer instead of getting 503. The silent one is told to delete
   * the call, in case only its reply was lost.
   */
  private async command(kind: 'offer' | 'answer', args: NgDict): Promise<NgDict> {
    for (;;) {
      const ng = this.ng as string;
      try {
        return await this.o.fleet.command(ng, kind, args);
      } catch (err) {
        const silent = err instanceof NgError && err.kind === 'timeout';
        const next = silent && this.completed === 0 && this.o.adopted !== true ? this.o.fleet.choose() : null;
        if (next === null || next === ng) throw err;
        this.o.warn?.(`rtpengine ${ng} did not answer: the call moves to ${next}`, err);
        void this.o.fleet.command(ng, 'delete', { 'call-id': this.o.id }).catch(() => undefined);
        this.o.fleet.sessionClosed(ng);
        this.o.fleet.sessionOpened(next);
        this.ng = next;
      }
    }
  }

  /**
   * The SDP as the other leg's codec class lets it through (an offer left without a codec is 488), after
   * the sending leg's `srtp` has had its say (`required` and plain RTP: 488).
   */
  private checked(from: Leg, body: Buffer, kind: 'offer' | 'answer'): string {
    const text = body.toString('latin1');
    this.holding[from] = mayHold(text) && heldBy(text);
    const cls = this.codecs[other(from)];
    // most calls have neither a codec class nor an SRTP requirement: rtpengine reads their SDP itself
    if (cls === null && this.srtp[from] !== 'required') return text;
    let sdp: Sdp;
    try {
      sdp = Sdp.parse(text);
    } catch (err) {
      if (err instanceof SdpError) throw new MediaFailure(488, `unreadable SDP: ${err.message}`);
      throw err;
    }
    const refusal = srtpRefusal(sdp, this.srtp[from], `the ${kind} of leg ${from}`);
    if (refusal !== null) throw refusal;
    if (cls !== null && !applyCodecClass(sdp, cls, kind))
      throw new MediaFailure(488, `no codec in common with voice class codec ${cls.tag}`);
    return sdp.toString();
  }

  private args(from: Leg, kind: 'offer' | 'answer', sdp: string): NgDict {
    // an offer goes to the other leg: rtpengine faces it with an address of that leg's family (an IPv4
    // caller and an IPv6 callee); an answer faces the offerer, whose family rtpengine already knows
    const family = kind === 'offer' ? this.families[other(from)] : undefined;
    const tags: NgDict =
      kind === 'answer'
        ? { 'from-tag': TAG[other(from)], 'to-tag': TAG[from] }
        : { 'from-tag': TAG[from], ...(this.answered ? { 'to-tag': TAG[other(from)] } : {}) };
    const srtp = kind === 'offer' ? srtpArgs(this.srtp[other(from)], sdp) : {};
    const dtmf = this.interworking ? dtmfArgs(kind, this.dtmf[other(from)]) : {};
    // the logical interfaces facing the offerer and the receiver (rtpengine keeps them for later commands)
    const named = this.interfaces[from] !== null || this.interfaces[other(from)] !== null;
    const direction =
      kind === 'offer' && named
        ? { direction: [this.interfaces[from] ?? 'default', this.interfaces[other(from)] ?? 'default'] }
        : {};
    return {
      'call-id': this.o.id,
      ...tags,
      sdp,
      ...(family !== undefined && !named ? { 'address family': family } : {}),
      ...direction,
      // the other side's origin and addresses never cross; ICE candidates would name them (RFC 8445)
      replace: ['origin', 'session-connection'],
      ICE: 'remove',
      'rtcp-mux': ['demux'],
      ...srtp,
      ...dtmf,
      flags: ['trust-address', ...(srtp.flags ?? []), ...(dtmf.flags ?? [])],
    };
  }

  legAddress(leg: Leg, address: string): void {
    this.families[leg] = isIPv6(address) ? 'IP6' : 'IP4';
    this.addresses[leg] = address;
  }

  ownOffer(): Buffer {
    if (this.own === null) throw new MediaFailure(503, 'rtpengine has not made our offer');
    return this.own;
  }

  /**
   * The caller's answer in the ACK of an early offer forced: rtpengine learns where the caller is by a
   * re-offer from the caller's leg, completed at once with the callee's answer it already has (the callee's
   * own offer/answer is done, and nothing goes to it).
   */
  absorb(from: Leg, body: Buffer): MediaFailure | null {
    const theirs = this.received[other(from)];
    if (theirs === undefined) return new MediaFailure(488, 'no answer from the callee to complete');
    this.absorbed = true;
    void this.run(from, body, 'offer')
      .then(() => this.run(other(from), theirs, 'answer'))
      .catch((err: unknown) => this.o.warn?.("rtpengine could not take the caller's answer", err));
    return null;
  }

  /** One leg's dial-peer relays DTMF as RFC 4733, the other's as SIP INFO: rtpengine turns one into the other. */
  private get interworking(): boolean {
    const { a, b } = this.dtmf;
    return (a === 'rtp-nte' && b === 'sip-info') || (a === 'sip-info' && b === 'rtp-nte');
  }

  takesInfoFrom(leg: Leg): boolean {
    return this.interworking && this.dtmf[leg] === 'sip-info';
  }

  /** rtpengine plays the digit into the call as the other leg's party, toward `leg` (RFC 4733 events). */
  sendDtmf(leg: Leg, event: number, durationMs: number): void {
    const ng = this.ng;
    if (ng === null || this.closed) return;
    const args = {
      'call-id': this.o.id,
      'from-tag': TAG[other(leg)],
      code: event,
      duration: Math.min(5000, Math.max(100, Math.round(durationMs))),
    };
    this.chain = this.chain
      .then(() => this.o.fleet.command(ng, 'play DTMF', args))
      .catch((err: unknown) => this.o.warn?.('rtpengine could not play a DTMF digit', err));
  }

  digitFrom(tag: string): Leg | null {
    const leg = (['a', 'b'] as const).find((l) => TAG[l] === tag);
    return leg !== undefined && this.interworking && this.dtmf[leg] === 'rtp-nte' ? leg : null;
  }

  /** rtpengine's counters of the call's streams (a `query`), once rtpengine holds the call. */
  stats(): Promise<StreamStatsReport[]> | null {
    const ng = this.ng;
    if (ng === null || !this.touched || this.closed) return null;
    return this.o.fleet.command(ng, 'query', { 'call-id': this.o.id }).then((reply) => streamReports(reply, TAG));
  }

  /** rtpengine keeps the call's media itself: the record needs only the instance (see `instance`). */
  snapshot(): MediaSnapshot | null {
    return null;
  }

  reoffer(): Buffer | null {
    return null;
  }

  record(): CallMediaRecord {
    const streams = (['a', 'b'] as const).flatMap((leg) => {
      const ours = sections(this.sent[leg]);
      const theirs = sections(this.received[leg]);
      return ours.map((m, i) => ({
        leg,
        stream: i,
        localAddress: m.address ?? '',
        localPort: m.port,
        remoteAddress: theirs[i]?.address ?? null,
        remotePort: theirs[i]?.port ?? null,
        ...(m.srtp ? { srtp: true } : {}),
      }));
    });
    return { mode: 'flow-through', streams };
  }

  /**
   * From the answer on, rtpengine is asked every half inactivity time when it last had a packet of the call
   * (its `query`): none from either leg for the inactivity time ends the call, as the built-in relay does.
   * rtpengine's own `--timeout` would drop the media silently and leave the SIP call up.
   */
  watchInactivity(): void {
    const [active, held] = [this.o.inactivityMs ?? 0, this.o.holdInactivityMs ?? 0];
    if ((active <= 0 && held <= 0) || this.watching !== null || this.closed) return;
    const since = Date.now();
    let asking = false;
    this.watching = setInterval(
      () => {
        const limit = this.holding.a || this.holding.b ? held : active;
        const asked = asking || limit <= 0 ? null : this.stats();
        if (asked === null) return;
        asking = true;
        void asked
          .then((reports) => {
            const last = Math.max(since, ...reports.flatMap((r) => [r.a.lastArrival ?? 0, r.b.lastArrival ?? 0]));
            // rtpengine stamps packets to the second: a second of slack
            if (!this.closed && Date.now() - last > limit + 1000) this.o.inactive?.();
          })
          .catch(() => undefined) // an instance that does not answer is the fleet's to report
          .finally(() => (asking = false));
      },
      Math.max(250, Math.min(...[active, held].filter((l) => l > 0)) / 2),
    );
    this.watching.unref();
  }

  /** rtpengine lets go of the call once every command sent for it is done (nothing when none was sent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watching !== null) clearInterval(this.watching);
    const ng = this.ng;
    if (ng === null) return;
    this.o.fleet.sessionClosed(ng);
    void this.chain.then(async () => {
      if (!this.touched) return;
      // with a from-tag (one rtpengine surely has: the first offerer's) rtpengine answers with the call's
      // final counters; the whole call goes, as its two monologues are only in dialogue with each other
      await this.o.fleet.command(ng, 'delete', { 'call-id': this.o.id, 'from-tag': TAG[this.opener] }).then(
        (reply) => this.o.closed?.(streamReports(reply, TAG)),
        (err: unknown) => this.o.warn?.('rtpengine delete failed', err),
      );
    });
  }
}

/** Whether this SDP text holds the call (unreadable SDP does not: the command refuses it anyway). */
function heldBy(text: string): boolean {
  try {
    return holds(Sdp.parse(text));
  } catch {
    return false;
  }
}

function key(from: Leg, kind: 'offer' | 'answer', body: Buffer): string {
  return `${from}:${kind}:${body.toString('latin1')}`;
}

/** Each m= section's port, connection address (its own c=, else the session's) and whether it is SRTP. */
function sections(body: Buffer | undefined): Array<{ port: number; address: string | null; srtp: boolean }> {
  if (body === undefined) return [];
  try {
    const sdp = Sdp.parse(body.toString('latin1'));
    return sdp.media.map((m) => ({ port: m.port, address: m.connection?.address ?? null, srtp: isSrtp(m) }));
  } catch {
    return [];
  }
}
