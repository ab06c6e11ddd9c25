/**
 * The back-to-back user agent: a call arrives on the A leg, is matched to an inbound and outbound
 * dial-peers, and leaves on a new, independent B leg. Responses, ACK, BYE, CANCEL and in-dialog requests
 * are relayed leg to leg (see leg-relay.ts); failures hunt to the next dial-peer or map to the caller's
 * answer as CUBE does (cube-reference §1.3, §9). Every ending goes through end(): nothing is left behind.
 */
import { randomBytes } from 'node:crypto';
import type { DialPeer } from '../routing/dial-peer.js';
import { buildResponse, warningValue } from '../sip/response-builder.js';
import type { SipRequest, SipResponse } from '../sip/sip-message.js';
import { uriUser } from '../sip/sip-uri.js';
import { sipHost } from '../sip/host.js';
import type { ClientHandlers, ClientTransaction } from '../transaction/client-transaction.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { TransactionUser } from '../transaction/transaction-layer.js';
import type { Destination, Flow } from '../transport/flow.js';
import { type BLeg, type Call, closeRecord, newCall } from './call.js';
import { carryAgain, takeBack } from './recovery/call-adoption.js';
import { keepRecoverable } from './recovery/call-snapshot.js';
import { moveMedia } from './media/media-move.js';
import type { CallRecord } from '../state/call-store.js';
import { CallMedia, MediaFailure } from './media/call-media.js';
import type { CallMediaSession } from './media/call-media-session.js';
import type { StreamStatsReport } from '../media/relay-protocol.js';
import { chooseMedia } from './media/media-choice.js';
import { noteSdp } from './media/negotiated-media.js';
import {
  DEFAULT_HUNT_STATUSES,
  NORMAL_CLEARING,
  causeOfStatus,
  causeText,
  mapFailureStatus,
  statusOfCause,
} from './cause-map.js';
import { DIALOG_ONLY, IN_DIALOG_METHODS, LegRelay } from './leg-relay.js';
import { CallRegistry } from './call-registry.js';
import { CallSpike } from './call-spike.js';
import { boundedDisplayName } from './display-name.js';
import { Hunting, MaxConn, busyoutStep, maxConnRefusal, maxConnStep, resolveStep, sentByStep } from './hunting.js';
import { buildOutboundInvite } from './outbound-leg.js';
import { inviteRetry, newAuthMemory } from '../uac/digest-client.js';
import { redirectTarget } from '../uac/target-resolver.js';
import { OutOfDialogRouter } from './out-of-dialog.js';
import { CallWire } from './call-wire.js';
import { LegProfiles } from './leg-profiles.js';
import type { LiveConfig } from './live-config.js';
import type { B2buaOptions } from './b2bua-options.js';
import { OptionsPinger } from './options-pinger.js';
import { type ShieldContext, failureHeaders, toward } from './header-passing.js';
import { DEFAULT_SANITIZE, type SanitizeSettings } from './header-shield.js';
import {
  type Blocked,
  inboundKeys,
  incomingNumbers,
  isBlocked,
  numbersOf,
  redirectNumber,
  replaceUser,
  translate,
} from './call-numbers.js';

export class B2bua implements TransactionUser {
  /** The one index of calls (by id, INVITE, Call-ID, dialog). */
  readonly registry: CallRegistry;
  private readonly maxConn = new MaxConn();
  /** Per inbound dial-peer call rate (`callSpike`). */
  private readonly spike: CallSpike;
  /** max-conn -> busyout -> resolve -> sent-by, for each candidate outbound dial-peer. */
  readonly hunting: Hunting;
  private readonly relay: LegRelay;
  /** What copied headers pass through toward either leg (the shield's settings follow reloads). */
  private readonly shield: ShieldContext;
  private readonly router: OutOfDialogRouter;
  private readonly huntStatuses: ReadonlySet<number>;
  /** SIP profiles on everything that arrives and leaves (the transport calls arrived() and leaving()). */
  readonly profiles: LegProfiles;
  /** Which call and leg a message belongs to, and each call's message ladder. */
  readonly wire: CallWire;
  /** Sends the OPTIONS of the keepalive. */
  readonly pinger: OptionsPinger;

  constructor(private readonly o: B2buaOptions) {
    this.huntStatuses = o.huntStatuses ?? DEFAULT_HUNT_STATUSES;
    this.spike = new CallSpike(() => o.clock.now());
    this.profiles = new LegProfiles(o.config.profiles, o.config.dialPlan.peers, o.log);
    this.registry = new CallRegistry(o.keepLadders, (call) => this.wire.letGo(call));
    this.wire = new CallWire(() => o.clock.now(), this.registry);
    this.hunting = new Hunting([
      maxConnStep(this.maxConn),
      busyoutStep(o.health, () => this.o.config.errorCodeOverride),
      resolveStep((d) => o.transport.sentBy(d) !== undefined),
      sentByStep((d) => o.transport.sentBy(d)),
    ]);
    this.pinger = new OptionsPinger({ ...o, profiles: this.profiles, sipProfiles: () => this.o.config.sipProfiles });
    this.shield = {
      get sanitize(): SanitizeSettings {
        return o.config.sanitize ?? DEFAULT_SANITIZE;
      },
      dropped: (name, reason, callId) => {
        o.log.debug({ callId, header: name, reason }, 'header held back by the shield');
        o.observer?.headerHeldBack?.(reason);
      },
    };
    this.relay = new LegRelay({
      ...o,
      shield: this.shield,
      registry: this.registry,
      end: (call, cause, by) => this.end(call, cause, by),
      cancel: (call) => this.cancelCall(call),
      credentials: () => this.o.config.credentials ?? [],
    });
    this.router = new OutOfDialogRouter({
      ...o,
      dialPlan: o.config.dialPlan,
      huntStatuses: this.huntStatuses,
      shield: this.shield,
    });
    o.responder.declare('INVITE', ...IN_DIALOG_METHODS);
  }

  /** A reload: new calls use these; calls in progress keep what they were matched to. */
  reconfigure(config: LiveConfig): void {
    this.o.config = config;
    this.router.dialPlan = config.dialPlan;
    this.profiles.reconfigure(config.profiles, config.dialPlan.peers);
  }

  /** A call a previous run of this node carried (a restart): carried again, when it can be (see call-adoption.ts). */
  async adopt(record: CallRecord): Promise<boolean> {
    const taken =
      this.registry.get(record.id) !== undefined
        ? null
        : await takeBack(record, this.o.config.dialPlan.peers, this.o.media);
    if (taken === null) return false;
    const { call, moved } = taken;
    carryAgain(call, this.registry, this.wire, this.o.calls, this.o.transport);
    if (moved)
      moveMedia(call, { ...this.o, credentials: () => this.o.config.credentials ?? [] }, () => this.clear(call.id, 41));
    return true;
  }

  get callCount(): number {
    return this.registry.size;
  }

  /** The counters of calls whose media an engine outside this process relays (rtpengine), by call id. */
  async engineStats(id: string | null = null): Promise<Record<string, StreamStatsReport[]>> {
    const out: Record<string, StreamStatsReport[]> = {};
    const calls = id === null ? [...this.registry.calls()] : [this.registry.get(id)].filter((c) => c !== undefined);
    await Promise.all(
      calls.map(async (call) => {
        const asked = call.media?.stats() ?? null;
        const reports = asked === null ? null : await asked.catch(() => null);
        if (reports !== null) out[call.id] = reports;
      }),
    );
    return out;
  }

  /** A new call turned away before it exists (admission, call spike): 503, when to try again, and why. */
  private refuse(tx: ServerTransaction, invite: SipRequest, retryAfter: number, text: string): void {
    tx.respond(
      buildResponse(invite, 503, {
        toTag: this.o.transactions.tagFor(invite),
        headers: [
          ['Retry-After', String(retryAfter)],
          ['Warning', warningValue(this.o.agent, text)],
        ],
      }),
    );
  }

  request(tx: ServerTransaction, req: SipRequest): void {
    if (req.to().params.get('tag') !== undefined) {
      this.relay.inDialog(tx, req);
    } else if (req.method === 'INVITE') {
      const refused = this.o.admission?.admit(this.registry.size) ?? null;
      if (refused === null) this.newCallSafely(tx, req);
      else this.refuse(tx, req, refused.retryAfter, refused.text);
    } else if (DIALOG_ONLY.has(req.method)) {
      tx.respond(buildResponse(req, 481, { toTag: this.o.transactions.tagFor(req) }));
    } else if (req.method === 'MESSAGE' || (req.method === 'OPTIONS' && this.router.routable(req))) {
      // instant messages, and OPTIONS for a user an outbound dial-peer serves, are routed like calls
      this.router.route(tx, req);
    } else {
      // OPTIONS to the SBC itself, and what is not routed (out-of-dialog SUBSCRIBE, REFER): local answer
      this.o.responder.request(tx, req);
    }
  }

  readonly ack = (req: SipRequest, flow: Flow): void => this.relay.ack(req, flow);
  readonly stray2xx = (res: SipResponse): void => this.relay.stray2xx(res);

  cancel(tx: ServerTransaction): void {
    const call = this.registry.ofInvite(tx);
    if (call !== undefined) this.cancelCall(call);
  }

  /**
   * `clear call voice causecode N id X`: an answered call gets BYE on both legs; one not answered yet
   * gets the cause's SIP status and its outbound leg is cancelled. Returns false for an unknown call.
   */
  clear(id: string, cause: number, text = causeText(cause)): boolean {
    const call = this.registry.get(id);
    if (call === undefined || call.ended) return false;
    const why = { cause, text };
    if (call.a.dialog !== null && call.record.state === 'connected') {
      this.relay.bye(call, 'a');
      this.relay.bye(call, 'b');
      this.end(call, why, 'sbc');
    } else {
      call.record.disconnectCause = cause;
      call.record.disconnectText = why.text;
      this.cancelCall(call, statusOfCause(cause), 'sbc');
    }
    return true;
  }

  /** The caller gives up before the answer: 487 to its INVITE, CANCEL toward the callee (§9.1). */
  cancelCall(call: Call, status = 487, by: 'caller' | 'sbc' = 'caller'): void {
    if (call.ended || call.cancelled) return;
    call.cancelled = true;
    this.respondA(call, status);
    call.record.releasedBy = by;
    if (call.b === null || call.b.tx.state === 'terminated') this.end(call, NORMAL_CLEARING, by);
    else call.b.tx.cancel('SIP;cause=487;text="Request Terminated"');
  }

  /** A new call; should setting it up throw (a bug), the caller gets 500 and nothing of the call is left behind. */
  private newCallSafely(tx: ServerTransaction, invite: SipRequest): void {
    try {
      this.newCall(tx, invite);
    } catch (err) {
      const call = this.registry.ofInvite(tx);
      // before the call exists it has no id of ours: the caller's Call-ID names it then
      this.o.log.error({ err, callId: call?.id, sipCallId: invite.callId() }, 'call setup failed');
      if (call !== undefined) this.fail(call, 500, 'internal error');
      else if (tx.finalStatus === undefined)
        tx.respond(buildResponse(invite, 500, { toTag: this.o.transactions.tagFor(invite) }));
    }
  }

  private newCall(tx: ServerTransaction, invite: SipRequest): void {
    const keys = inboundKeys(invite);
    const inbound = this.o.config.dialPlan.inbound(keys);
    if (!this.spike.admit(inbound.peer)) {
      const text = `call spike of ${inbound.peer.callSpike} calls per second reached on dial-peer ${inbound.peer.tag}`;
      this.o.log.info({ sipCallId: invite.callId(), inbound: inbound.peer.tag }, text);
      this.refuse(tx, invite, 1, text);
      return;
    }
    const call = newCall(randomBytes(8).toString('hex'), tx, invite, inbound.peer, this.o.clock.now());
    keepRecoverable(call);
    const { id, record } = call;
    this.registry.add(call);
    // the inbound dial-peer's inbound profile runs now that it is known: it can change what the outbound lookup sees
    this.wire.track(call, 'a', record.aLeg.callId, inbound.peer);
    this.profiles.arrivedInitial(call);
    // the numbers as dialled stay with the A leg; the record's are the translated ones routing goes by
    record.aLeg.callingNumber = keys.callingNumber;
    record.aLeg.calledNumber = keys.calledNumber;
    const numbers = incomingNumbers(inbound.peer, invite);
    ({
      called: record.calledNumber,
      calling: record.callingNumber,
      redirectCalled: call.redirect,
    } = numbersOf(numbers));
    this.o.calls.put(record);
    this.o.log.debug(
      {
        callId: id,
        calledNumber: record.calledNumber,
        callingNumber: record.callingNumber,
        inbound: inbound.peer.tag,
        criterion: inbound.criterion,
      },
      'call arrived',
    );
    if (isBlocked(numbers)) return this.block(call, numbers);
    call.candidates = this.o.config.dialPlan.outbound(record.calledNumber);
    if (call.candidates.length === 0) call.lastFailure = { status: 404, warning: null };
    this.tryNext(call);
  }

  /** A translation reject rule blocked the call: the caller gets the status of the configured cause. */
  private block(call: Call, why: Blocked): void {
    this.o.log.info({ callId: call.id, cause: why.cause }, why.detail);
    call.record.disconnectCause = why.cause;
    call.record.disconnectText = why.text;
    this.fail(call, statusOfCause(why.cause), null);
  }

  /** Hunt: the next outbound dial-peer that can take the call, else the caller gets the last failure. */
  private tryNext(call: Call): void {
    this.hunting.next(call, {
      found: (attempt) => {
        // max-conn again, now that the chain is through (a DNS step may have let another call take the
        // last slot meanwhile); the slot is the call's from here on, while its media is set up
        const full = maxConnRefusal(this.maxConn, attempt.peer);
        if (full !== null) {
          call.lastFailure = full;
          return this.tryNext(call);
        }
        this.claim(call, attempt.peer.tag);
        this.startB(call, attempt.peer, attempt.dest, attempt.via);
      },
      exhausted: () => {
        const failure = call.lastFailure ?? { status: 404, warning: null };
        this.fail(call, failure.status, failure.warning);
      },
      gone: () => this.end(call, NORMAL_CLEARING, 'caller'),
    });
  }

  private startB(
    call: Call,
    peer: DialPeer,
    dest: Destination,
    via: { host: string; port: number },
    called = call.record.calledNumber,
  ): void {
    const a = call.a.invite;
    const numbers = translate(peer.translationOutgoing, {
      called,
      calling: call.record.callingNumber,
      redirectCalled: call.redirect,
    });
    if (isBlocked(numbers)) return this.block(call, numbers);
    chooseMedia(call, peer, this.o.media);
    call.media?.legAddress('a', call.a.flow.remoteAddress);
    call.media?.legAddress('b', dest.address);
    const offer = call.media !== null && a.body.length > 0 && CallMedia.isSdp(a.contentType()) ? call.media : null;
    const ownOffer = a.body.length === 0 && peer.earlyOfferForced && call.media?.relayed === true ? call.media : null;
    if ((offer !== null || ownOffer !== null) && !call.media?.open) {
      // the caller's offer (or, for early-offer forced, our own) opens the relay first: its ports go into the offer
      (offer ?? (ownOffer as CallMediaSession)).prepareOrOffer('a', a.body).then(
        () => call.ended || this.startB(call, peer, dest, via, called),
        (err: unknown) => this.mediaFailed(call, err),
      );
      return;
    }
    const toB = toward(peer, via.host, this.shield, call.id);
    const display = boundedDisplayName(a.from(), toB.shield.settings.maxDisplayName);
    const out = buildOutboundInvite(
      a,
      dest,
      via,
      { called: numbers.called, calling: numbers.calling, display },
      this.o.responder.allow().join(', '),
      toB,
    );
    // translated numbers reach the identity headers that crossed as the caller wrote them
    replaceUser(out.request, ['p-asserted-identity', 'remote-party-id'], uriUser(a.from().uri) ?? '', numbers.calling);
    if (numbers.redirectCalled !== null)
      replaceUser(out.request, ['diversion'], redirectNumber(a) ?? '', numbers.redirectCalled);
    if (ownOffer !== null) out.request.setBody(ownOffer.ownOffer(), 'application/sdp');
    if (offer !== null) {
      try {
        out.request.setBody(offer.rewrite('a', a.body, 'offer'), 'application/sdp');
      } catch (err) {
        if (err instanceof MediaFailure && err.status === 488) return this.refusedOffer(call, peer, err);
        this.mediaFailed(call, err);
        return;
      }
    }
    call.record.outboundDialPeer = peer.tag;
    call.record.bLeg = {
      callId: out.request.callId(),
      localTag: out.fromTag,
      remoteTag: null,
      remoteSignalling: `${dest.address}:${dest.port}`,
      transport: dest.transport,
      callingNumber: numbers.calling,
      calledNumber: numbers.called,
    };
    if (a.body.length > 0 && CallMedia.isSdp(a.contentType())) noteSdp(call.record, 'a', a.body, 'offer');
    this.o.calls.put(call.record);
    this.wire.track(call, 'b', out.request.callId(), peer);
    const tx = this.o.transactions.sendRequest(out.request, dest, this.bHandlers(call));
    call.b = { peer, invite: out.request, tx, dest, dialog: null, ack: null, auth: newAuthMemory() };
  }

  /** What the B leg's INVITE transaction reports to; the call is reached through a ref dropped when it ends. */
  private bHandlers(call: Call): ClientHandlers {
    const ref: { call: Call | null } = { call };
    call.refs.push(ref);
    return {
      response: (res, tx) => ref.call && this.onBResponse(ref.call, tx, res),
      timeout: (tx) => ref.call && this.onBFailure(ref.call, tx, 408, true),
      transportError: (tx) => ref.call && this.onBFailure(ref.call, tx, 503, true),
    };
  }

  /** The carrier challenged the INVITE (401/407): send it again with credentials, if we hold any for it. */
  private answerChallenge(call: Call, b: BLeg, res: SipResponse): boolean {
    const retry = inviteRetry(b, res, this.o.config.credentials, this.o.log.child({ callId: call.id }));
    if (retry !== null) b.tx = this.o.transactions.sendRequest((b.invite = retry), b.dest, this.bHandlers(call));
    return retry !== null;
  }

  private onBResponse(call: Call, tx: ClientTransaction, res: SipResponse): void {
    const b = call.b;
    if (b === null || b.tx !== tx) return;
    const media = call.media;
    if (
      media !== null &&
      !media.open &&
      res.status < 300 &&
      res.body.length > 0 &&
      CallMedia.isSdp(res.contentType())
    ) {
      // a delayed offer: the callee's SDP is the call's first, and opens the relay
      media.prepare('b', res.body).then(
        () => call.ended || this.onBResponse(call, tx, res),
        (err: unknown) => (res.status >= 200 ? this.mediaFailed(call, err, res) : undefined),
      );
      return;
    }
    const settling =
      media !== null &&
      media.open &&
      res.status > 100 &&
      res.status < 300 &&
      !call.cancelled &&
      !call.ended &&
      res.body.length > 0 &&
      CallMedia.isSdp(res.contentType())
        ? media.settle('b', res.body, call.a.invite.body.length > 0 ? 'answer' : 'offer')
        : null;
    if (settling !== null) {
      // an engine that needs a round trip (rtpengine) takes the callee's SDP before the caller gets it
      settling.then(
        () => call.ended || this.onBResponse(call, tx, res),
        (err: unknown) => (res.status >= 200 ? this.mediaFailed(call, err, res) : undefined),
      );
      return;
    }
    if (res.status < 200) {
      if (res.status > 100 && !call.cancelled && !call.ended) this.relay.provisional(call, res);
      return;
    }
    if (res.status < 300) {
      if (call.cancelled || call.ended) this.relay.hangUpAnsweredB(call, res);
      else this.relay.answered(call, res);
      return;
    }
    if (res.status < 400 && !call.cancelled && this.redirect(call, res)) return;
    if (
      (res.status === 401 || res.status === 407) &&
      !call.cancelled &&
      !call.ended &&
      this.answerChallenge(call, b, res)
    )
      return;
    this.onBFailure(call, tx, res.status, this.huntStatuses.has(res.status), res);
  }

  /**
   * Follow a 3xx from the outbound leg: a new outbound INVITE to the first Contact that names an address
   * (same dial-peer), at most maxRedirects times per call. Returns false when it cannot be followed.
   */
  private redirect(call: Call, res: SipResponse): boolean {
    const b = call.b;
    const target =
      b === null || call.redirects >= (this.o.maxRedirects ?? 1) ? null : redirectTarget(res, b.dest.transport);
    if (b === null || target === null) return false;
    call.redirects++;
    this.release(call);
    call.b = null;
    this.o.log.debug({ callId: call.id, status: res.status, to: target.uri }, 'following a redirect');
    const via = this.o.transport.sentBy(target.dest);
    if (via === undefined) {
      call.lastFailure = {
        status: 503,
        warning: `no ${target.dest.transport} listener to reach dial-peer ${b.peer.tag}`,
      };
      this.tryNext(call);
    } else {
      this.claim(call, b.peer.tag);
      this.startB(call, b.peer, target.dest, via, target.user ?? call.record.calledNumber);
    }
    return true;
  }

  /**
   * The caller's offer cannot go to this dial-peer (no codec in common with its codec class, or its SRTP
   * policy refuses it): like a 488 from the callee, the hunt goes on to a dial-peer that may take it
   * (`show dialplan number --codecs` says so), and the caller gets 488 when none does.
   */
  private refusedOffer(call: Call, peer: DialPeer, err: MediaFailure): void {
    this.o.log.debug({ callId: call.id, peer: peer.tag, err: err.message }, 'offer refused for this dial-peer');
    this.release(call);
    call.lastFailure = { status: 488, warning: err.message };
    if (!peer.huntstop && call.next < call.candidates.length) return this.tryNext(call);
    this.fail(call, 488, err.message);
  }

  /** A failed attempt on the B leg: hunt on, or give the caller the mapped failure. */
  private onBFailure(call: Call, tx: ClientTransaction, status: number, hunts: boolean, res?: SipResponse): void {
    const b = call.b;
    if (b === null || b.tx !== tx) return;
    this.release(call);
    call.b = null;
    if (call.cancelled || call.ended) return this.end(call, NORMAL_CLEARING, 'caller');
    if (hunts && !b.peer.huntstop && call.next < call.candidates.length) {
      this.o.log.debug({ callId: call.id, peer: b.peer.tag, status }, 'hunting to the next dial-peer');
      call.lastFailure = { status, warning: null };
      this.tryNext(call);
      return;
    }
    this.fail(call, this.o.errorPassThrough === true ? status : mapFailureStatus(status), null, res);
  }

  /** The relay took a DTMF event out of one leg's RTP (rtp-nte): the other leg (sip-info) gets it as INFO. */
  /** A digit an engine outside this process (rtpengine) saw in the RTP of its party `tag` in call `id`. */
  engineDtmf(id: string, tag: string, event: number, durationMs: number): void {
    const from = this.registry.get(id)?.media?.digitFrom(tag) ?? null;
    if (from !== null) this.mediaDtmf(id, from, event, durationMs);
  }

  mediaDtmf(id: string, from: 'a' | 'b', event: number, durationMs: number): void {
    const call = this.registry.get(id);
    if (call !== undefined) this.relay.dtmfInfo(call, from === 'a' ? 'b' : 'a', event, durationMs);
  }

  /**
   * The media could not be set up: 503 (no ports) or 488 (no codec, unreadable SDP) to the caller. When the
   * callee had already answered (a delayed offer), it gets ACK and BYE.
   */
  private mediaFailed(call: Call, err: unknown, answered?: SipResponse): void {
    if (call.ended) return;
    const status = err instanceof MediaFailure ? err.status : 500;
    this.o.log.warn({ callId: call.id, err }, 'media setup failed');
    if (answered === undefined) return this.fail(call, status, err instanceof Error ? err.message : String(err));
    const cause = causeOfStatus(status);
    call.record.disconnectCause = cause.cause;
    call.record.disconnectText = cause.text;
    this.respondA(call, status);
    this.relay.hangUpAnsweredB(call, answered);
  }

  /** The caller gets a final failure (with what the callee's failure `res` carries across); the call ends. */
  private fail(call: Call, status: number, warning: string | null, res?: SipResponse): void {
    this.respondA(
      call,
      status,
      failureHeaders(
        res,
        toward(call.inbound, sipHost(call.a.flow.localAddress), this.shield, call.id),
        warning === null ? null : warningValue(this.o.agent, warning),
      ),
    );
    this.end(call, causeOfStatus(status), status === 408 || status === 503 ? 'sbc' : 'callee');
  }

  respondA(call: Call, status: number, headers: Array<[string, string]> = []): void {
    if (call.a.tx.finalStatus !== undefined) return;
    call.record.finalStatus = status;
    call.a.tx.respond(buildResponse(call.a.invite, status, { toTag: call.a.toTag, headers }));
  }

  /** The call holds a max-conn slot of this dial-peer (instead of any it held). */
  private claim(call: Call, tag: number): void {
    this.release(call);
    this.maxConn.take(tag);
    call.holding = tag;
  }

  /** Give back the call's max-conn slot (idempotent). */
  private release(call: Call): void {
    const tag = call.holding;
    if (tag === null) return;
    call.holding = null;
    this.maxConn.give(tag);
  }

  /** The one way a call ends: record, call-detail record, and every map, timer and counter let go. */
  end(call: Call, cause: { cause: number; text: string }, by: 'caller' | 'callee' | 'sbc'): void {
    if (call.ended) return;
    call.ended = true;
    call.a.okTimer?.cancel();
    call.media?.close();
    this.release(call);
    const cdr = closeRecord(call.record, this.o.clock.now(), cause, by);
    this.o.log.info({ callId: cdr.id, cdr }, 'call detail record');
    this.o.calls.addHistory(cdr);
    this.o.observer?.callEnded(cdr);
    for (const ref of call.refs) ref.call = null;
    this.registry.forget(call);
    this.o.calls.delete(call.id);
  }
}
