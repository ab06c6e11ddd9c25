/**
 * Relaying between the legs of answered and ringing calls: provisional and 2xx responses toward the
 * caller (with the dialogs of both legs built from them), the 2xx retransmissions until the caller's ACK
 * (RFC 3261 §13.3.1.4), ACKs end to end, BYE from either side, and every other in-dialog request
 * (re-INVITE, UPDATE, INFO, MESSAGE, NOTIFY, SUBSCRIBE, REFER, PRACK) passed to the other leg with its
 * answer relayed back.
 */
import { SbcError } from '../errors/sbc-error.js';
import type { Logger } from 'pino';
import { type Dialog, dialogKey } from '../dialog/dialog.js';
import { buildResponse } from '../sip/response-builder.js';
import type { SipRequest, SipResponse } from '../sip/sip-message.js';
import type { CallStore } from '../state/call-store.js';
import type { Clock } from '../transaction/clock.js';
import type { ClientHandlers } from '../transaction/client-transaction.js';
import type { Credential } from '../routing/dial-peer.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransactionTransport } from '../transaction/transaction-transport.js';
import type { Flow } from '../transport/flow.js';
import { newTag } from '../dialog/dialog.js';
import { type Call, type EarlyPair, legDialog } from './call.js';
import type { CallRegistry, DialogEntry } from './call-registry.js';
import { NORMAL_CLEARING } from './cause-map.js';
import { noteSdp } from './media/negotiated-media.js';
import { CallMedia, MediaFailure } from './media/call-media.js';
import { dtmfRelayBody, parseDtmfRelay } from './media/dtmf-relay-body.js';
import { IN_DIALOG_CARRIED, type ShieldContext, carry, crossing, toward } from './header-passing.js';
import { sipHost } from '../sip/host.js';
import type { B2buaOptions } from './b2bua-options.js';
import { ackAnswer, contactA, dialogA, dialogB, endOtherFork } from './leg-dialogs.js';
import { credentialPool, sendAnswering } from '../uac/digest-client.js';

export interface RelayDeps {
  /** Where the call's dialogs are indexed. */
  registry: CallRegistry;
  transactions: TransactionLayer;
  transport: TransactionTransport;
  calls: CallStore;
  clock: Clock;
  log: Logger;
  /** The Warning agent (the SBC's hostname). */
  agent: string;
  end(call: Call, cause: { cause: number; text: string }, by: 'caller' | 'callee' | 'sbc'): void;
  /** End a call that is not answered yet from the caller's side (CANCEL, or BYE in an early dialog). */
  cancel(call: Call): void;
  /** The global digest credentials (after a dial-peer's own). */
  credentials(): readonly Credential[];
  /** The downstream shield's settings and reports. */
  shield: ShieldContext;
  /** Told of each answered call (metrics: setup time). */
  observer?: B2buaOptions['observer'];
}

/** The in-dialog requests relayed leg to leg (besides ACK and CANCEL). */
export const IN_DIALOG_METHODS = ['BYE', 'INFO', 'UPDATE', 'MESSAGE', 'NOTIFY', 'SUBSCRIBE', 'REFER', 'PRACK'];
/** Methods that exist only inside a dialog: outside one they get 481 (RFC 3261 §12.2.2). */
export const DIALOG_ONLY = new Set(['BYE', 'INFO', 'UPDATE', 'PRACK']);

type Leg = 'a' | 'b';

export class LegRelay {
  constructor(private readonly d: RelayDeps) {}

  private toCaller(call: Call, res: SipResponse, toTag = call.a.toTag): SipResponse {
    const headers: Array<[string, string]> = [['Contact', contactA(call.a.flow)]];
    headers.push(...this.carried(call, 'a', res));
    const out = buildResponse(call.a.invite, res.status, { toTag, reason: res.reason, headers });
    // for an INVITE without SDP (a delayed offer) the callee's SDP is the offer
    const body = this.bodyOrNull(call, 'b', res, call.a.invite.body.length > 0 ? 'answer' : 'offer');
    if (body !== null && body.length > 0) out.setBody(body, res.contentType() ?? 'application/sdp');
    return out;
  }

  /**
   * The body of `msg` (sent by leg `from`) as the other leg gets it: in flow-through, SDP names the SBC's
   * address and ports. Throws MediaFailure on SDP that cannot be read.
   */
  private bodyFor(call: Call, from: Leg, msg: SipRequest | SipResponse, kind: 'offer' | 'answer'): Buffer {
    if (msg.body.length === 0 || !CallMedia.isSdp(msg.contentType())) return msg.body;
    noteSdp(call.record, from, msg.body, kind);
    const media = call.media;
    if (media === null || !media.open) return msg.body;
    return media.rewrite(from, msg.body, kind);
  }

  /**
   * As bodyFor, for a message that must go on anyway (a response, an ACK): unreadable SDP is dropped
   * rather than relayed as it is (it would leak addresses).
   */
  private bodyOrNull(
    call: Call,
    from: Leg,
    msg: SipRequest | SipResponse,
    kind: 'offer' | 'answer' = 'answer',
  ): Buffer | null {
    try {
      return this.bodyFor(call, from, msg, kind);
    } catch (err) {
      if (!(err instanceof MediaFailure)) throw err;
      this.d.log.warn({ callId: call.id, err: err.message }, 'unreadable SDP; relayed without it');
      return null;
    }
  }

  /**
   * A provisional from B. With a To tag it opens (or continues) an early dialog, paired with an early
   * dialog toward the caller: the first under the call's tag, each further fork under a tag of its own,
   * so PRACK and UPDATE find their way before the answer (RFC 3261 §12.1, RFC 3262).
   */
  provisional(call: Call, res: SipResponse): void {
    if (call.record.ringingAt === null) {
      call.record.ringingAt = this.d.clock.now();
      call.record.state = 'ringing';
      this.d.calls.put(call.record);
    }
    const pair = this.earlyPair(call, res);
    call.a.tx.respond(this.toCaller(call, res, pair?.aTag));
  }

  private earlyPair(call: Call, res: SipResponse): EarlyPair | undefined {
    const bTag = res.to().params.get('tag');
    if (bTag === undefined || bTag === null || call.b === null) return undefined;
    const known = call.early.get(bTag);
    if (known !== undefined) return known;
    const aTag = call.early.size === 0 ? call.a.toTag : newTag();
    const pair: EarlyPair = { aTag, b: dialogB(call.b, res), a: dialogA(call, aTag) };
    call.early.set(bTag, pair);
    this.d.registry.addDialog(call, 'a', pair.a, pair);
    this.d.registry.addDialog(call, 'b', pair.b, pair);
    return pair;
  }

  /** B answered: build both dialogs, answer the caller and retransmit until its ACK (§13.3.1.4). */
  answered(call: Call, res: SipResponse): void {
    const b = call.b;
    if (b === null) return;
    if (b.dialog !== null) {
      // another fork answered as well: ACKed and hung up, the call keeps the first answer
      if (b.dialog.remoteTag !== (res.to().params.get('tag') ?? '')) return endOtherFork(b, res, this.d);
      if (b.ack !== null) this.d.transport.send(b.ack, b.dialog.destination());
      return; // a retransmitted 2xx
    }
    // the 2xx confirms its early dialog (or makes one); the 2xx's target and route set are the dialog's
    const pair = this.earlyPair(call, res) ?? {
      aTag: call.a.toTag,
      b: dialogB(b, res),
      a: dialogA(call, call.a.toTag),
    };
    const confirmed = dialogB(b, res);
    pair.b.remoteTarget = confirmed.remoteTarget;
    pair.b.routeSet = confirmed.routeSet;
    b.dialog = pair.b;
    const a = call.a;
    a.toTag = pair.aTag;
    a.dialog = pair.a;
    call.record.aLeg.localTag = pair.aTag;
    // confirmed: from now on the call's own dialogs answer for both legs
    this.d.registry.addDialog(call, 'a', pair.a);
    this.d.registry.addDialog(call, 'b', pair.b);
    // other forks' early dialogs end here
    for (const other of call.early.values()) {
      if (other === pair) continue;
      this.d.registry.dropDialog(other.a.key);
      this.d.registry.dropDialog(other.b.key);
    }
    call.record.bLeg = call.record.bLeg && { ...call.record.bLeg, remoteTag: b.dialog.remoteTag };
    call.record.state = 'connected';
    call.record.connectedAt = this.d.clock.now();
    this.d.observer?.callAnswered?.(call.record.connectedAt - call.record.startedAt);
    a.ok = this.toCaller(call, res);
    if (call.media?.open) {
      call.record.media = call.media.record();
      call.media.watchInactivity();
    }
    this.d.calls.put(call.record);
    a.tx.respond(a.ok);
    this.retransmitOk(call, this.d.transactions.timers.T1, 0);
  }

  private retransmitOk(call: Call, interval: number, elapsed: number): void {
    const t = this.d.transactions.timers;
    // a caller's ACK already waiting in the socket is read before the 200 would go out again
    call.a.okTimer = this.d.clock.setTimer(interval, () =>
      this.d.clock.afterPendingIo(() => {
        const ok = call.a.ok;
        if (ok === null || call.ended) return;
        if (elapsed + interval >= 64 * t.T1) {
          // no ACK within 64*T1: the caller is gone; end both legs (§13.3.1.4)
          this.d.log.warn({ callId: call.id }, 'no ACK for 2xx, ending the call');
          call.a.ok = null;
          this.bye(call, 'a');
          this.bye(call, 'b');
          this.d.end(call, { cause: 102, text: 'recovery on timer expiry' }, 'sbc');
          return;
        }
        call.a.tx.respond(ok);
        this.retransmitOk(call, Math.min(2 * interval, t.T2), elapsed + interval);
      }),
    );
  }

  /** B answered a call that is already cancelled or ended: ACK it and hang it up. */
  hangUpAnsweredB(call: Call, res: SipResponse): void {
    const dialog = call.b === null ? undefined : ackAnswer(call.b, res, this.d.transport);
    if (call.b === null || dialog === undefined) return;
    call.b.dialog = dialog;
    this.bye(call, 'b');
    this.d.end(call, NORMAL_CLEARING, 'caller');
  }

  /** A 2xx whose INVITE transaction is gone (ended, or died with a previous run): the B leg's initial INVITE's is ACKed again. */
  stray2xx(res: SipResponse): void {
    const hit = this.d.registry.dialog(
      dialogKey(res.callId(), res.from().params.get('tag') ?? '', res.to().params.get('tag') ?? ''),
    );
    const b = hit?.leg === 'b' ? hit.call.b : null;
    if (hit !== undefined && b !== null && b.dialog !== null && res.cseq().seq === b.invite.cseq().seq)
      this.answered(hit.call, res);
  }

  /** An ACK outside any INVITE server transaction: the caller's ACK of our 2xx, or of a relayed re-INVITE. */
  ack(req: SipRequest, _flow: Flow): void {
    const hit = this.find(req);
    if (hit === undefined) return;
    const { call, leg } = hit;
    if (leg === 'a' && call.a.ok !== null) {
      call.a.ok = null;
      call.a.okTimer?.cancel();
      const b = call.b;
      if (b === null || b.dialog === null) return;
      const dialog = b.dialog;
      const ack = dialog.request('ACK', this.viaFor(dialog), { cseq: b.invite.cseq().seq });
      carry(ack, this.carried(call, 'b', req));
      if (call.media?.offeredByUs === true) {
        // early offer forced: the B leg's offer/answer is done; the caller's answer only tells the relay where it is
        const failed =
          req.body.length > 0 && CallMedia.isSdp(req.contentType()) ? call.media.absorb('a', req.body) : null;
        if (failed !== null)
          this.d.log.warn({ callId: call.id, err: failed.message }, "the caller's answer in the ACK is unusable");
        b.ack = ack;
        this.d.transport.send(ack, dialog.destination());
        return;
      }
      this.ready(call, 'a', req, 'answer', () => {
        const body = this.bodyOrNull(call, 'a', req);
        if (body !== null && body.length > 0) ack.setBody(body, req.contentType() ?? 'application/sdp');
        b.ack = ack;
        this.d.transport.send(ack, dialog.destination());
      });
      return;
    }
    const relayed = call.relayedInvite;
    if (relayed !== null && relayed.from === leg) {
      call.relayedInvite = null;
      const other = legDialog(call, leg === 'a' ? 'b' : 'a');
      if (other === null) return;
      const ack = other.request('ACK', this.viaFor(other), { cseq: relayed.otherCseq });
      carry(ack, this.carried(call, leg === 'a' ? 'b' : 'a', req));
      this.ready(call, leg, req, 'answer', () => {
        const body = this.bodyOrNull(call, leg, req);
        if (body !== null && body.length > 0) ack.setBody(body, req.contentType() ?? 'application/sdp');
        this.d.transport.send(ack, other.destination());
      });
    }
  }

  /**
   * `then` once the call's media can rewrite the SDP of `msg` (sent by `from`): at once when it needs
   * nothing (the built-in relay), after the engine's round trip otherwise (rtpengine). A failed round trip
   * goes on all the same: the rewrite then fails, and the message goes without its SDP (or gets 488).
   */
  private ready(
    call: Call,
    from: Leg,
    msg: SipRequest | SipResponse,
    kind: 'offer' | 'answer',
    then: () => void,
  ): void {
    const media = call.media;
    const wait =
      media === null || !media.open || msg.body.length === 0 || !CallMedia.isSdp(msg.contentType())
        ? null
        : media.settle(from, msg.body, kind);
    if (wait === null) return then();
    wait.then(
      () => call.ended || then(),
      (err: unknown) => {
        this.d.log.warn({ callId: call.id, err }, 'the media engine did not take the SDP');
        if (!call.ended) then();
      },
    );
  }

  inDialog(tx: ServerTransaction, req: SipRequest): void {
    const hit = this.find(req);
    if (hit === undefined) {
      tx.respond(buildResponse(req, 481, { toTag: req.to().params.get('tag') ?? '' }));
      return;
    }
    const { call, leg, pair } = hit;
    const other = pair !== undefined ? (leg === 'a' ? pair.b : pair.a) : legDialog(call, leg === 'a' ? 'b' : 'a');
    if (req.method === 'BYE' && pair !== undefined && call.a.dialog === null) {
      // BYE in an early dialog (RFC 3261 §15): from the caller it cancels the call; from a fork, that fork ends
      tx.respond(buildResponse(req, 200));
      if (leg === 'a') this.d.cancel(call);
      return;
    }
    if (req.method === 'BYE') {
      tx.respond(buildResponse(req, 200));
      if (other !== null) this.bye(call, leg === 'a' ? 'b' : 'a');
      this.d.end(call, NORMAL_CLEARING, leg === 'a' ? 'caller' : 'callee');
      return;
    }
    if (other === null || call.ended) {
      tx.respond(buildResponse(req, 481));
      return;
    }
    if (
      req.method === 'INFO' &&
      call.media?.takesInfoFrom(leg) === true &&
      /^application\/dtmf-relay/i.test(req.contentType() ?? '')
    ) {
      // DTMF interworking: the digit goes on as RFC 4733 packets in the other leg's RTP, not as INFO
      const dtmf = parseDtmfRelay(req.body.toString('latin1'));
      if (dtmf !== null) call.media.sendDtmf(leg === 'a' ? 'b' : 'a', dtmf.event, dtmf.durationMs);
      tx.respond(buildResponse(req, dtmf === null ? 400 : 200));
      return;
    }
    const media = call.media;
    if (
      (req.method === 'INVITE' || req.method === 'UPDATE') &&
      media?.relayed === true &&
      media.open &&
      req.body.length > 0 &&
      CallMedia.isSdp(req.contentType())
    ) {
      // a re-offer may add streams (video to an audio call): their ports are opened before it goes on
      media.prepareMore(leg, req.body).then(
        () => (call.ended ? tx.respond(buildResponse(req, 481)) : this.forward(tx, req, call, leg, other)),
        (err: unknown) => {
          const why = err instanceof Error ? err.message : String(err);
          this.d.log.warn({ callId: call.id, err }, 're-offer refused by the media engine');
          tx.respond(
            buildResponse(req, call.ended ? 481 : 488, { headers: [['Warning', `399 ${this.d.agent} "${why}"`]] }),
          );
        },
      );
      return;
    }
    // an answer in PRACK (or any SDP a request carries) goes through the media engine first
    this.ready(call, leg, req, req.method === 'INVITE' || req.method === 'UPDATE' ? 'offer' : 'answer', () =>
      this.forward(tx, req, call, leg, other),
    );
  }

  /** Relay an in-dialog request to the other leg's dialog `other`, and its final response back. */
  private forward(tx: ServerTransaction, req: SipRequest, call: Call, leg: Leg, other: Dialog): void {
    let out: SipRequest;
    try {
      out = this.withBody(call, leg, other.request(req.method, this.viaFor(other)), req);
    } catch (err) {
      if (!(err instanceof MediaFailure)) throw err;
      tx.respond(buildResponse(req, 488, { headers: [['Warning', `399 ${this.d.agent} "${err.message}"`]] }));
      return;
    }
    if (req.method === 'PRACK') {
      // RAck names the INVITE's CSeq number, which differs per leg (RFC 3262 §7.2)
      const rack = /^(\d+)\s+\d+\s+(\S+)$/.exec(req.header('rack') ?? '');
      const invite = leg === 'a' ? call.b?.invite : call.a.invite;
      if (rack && invite) out.setHeader('RAck', `${rack[1]} ${invite.cseq().seq} ${rack[2]}`);
    }
    if (req.method === 'INVITE') {
      call.relayedInvite = { from: leg, otherCseq: out.cseq().seq };
      out.setHeader('Contact', other.contact);
    }
    this.sendOn(call, leg === 'a' ? 'b' : 'a', other, out, {
      response: (res) => {
        if (res.status === 100) return;
        this.ready(call, leg === 'a' ? 'b' : 'a', res, 'answer', () => this.relayAnswer(tx, req, res, call, leg));
      },
      timeout: () => tx.respond(buildResponse(req, 408)),
      transportError: () => tx.respond(buildResponse(req, 503)),
    });
  }

  /** The other leg's answer to an in-dialog request from `leg`, relayed back to it. */
  private relayAnswer(tx: ServerTransaction, req: SipRequest, res: SipResponse, call: Call, leg: Leg): void {
    const answer = buildResponse(req, res.status, { reason: res.reason, headers: this.carried(call, leg, res) });
    if (req.method === 'INVITE' && res.status < 300) {
      const mine = legDialog(call, leg);
      if (mine !== null) answer.addHeader('Contact', mine.contact);
    }
    const body = this.bodyOrNull(call, leg === 'a' ? 'b' : 'a', res);
    if (body !== null && body.length > 0) {
      answer.setBody(body, res.contentType() ?? 'application/sdp');
      // new addresses, streams or codec: `show voip rtp connections` and the call views follow
      if (call.media?.relayed === true) call.record.media = call.media.record();
      this.d.calls.put(call.record);
    }
    tx.respond(answer);
    if (req.method === 'INVITE' && res.status >= 300) call.relayedInvite = null;
  }

  /** Send BYE on one leg (its answer, or none, changes nothing: the call is over). */
  bye(call: Call, leg: Leg): void {
    const dialog = legDialog(call, leg);
    if (dialog === null) return;
    try {
      const req = dialog.request('BYE', this.viaFor(dialog));
      this.sendOn(call, leg, dialog, req, {
        response: () => undefined,
        timeout: () => undefined,
        transportError: () => undefined,
      });
    } catch (err) {
      this.d.log.warn({ err, callId: call.id, leg }, 'cannot send BYE');
    }
  }

  /** A digit the relay took out of the other leg's RTP goes to `leg` as INFO `application/dtmf-relay` (its answer changes nothing). */
  dtmfInfo(call: Call, leg: Leg, event: number, durationMs: number): void {
    const dialog = legDialog(call, leg);
    const body = dtmfRelayBody(event, durationMs);
    if (dialog === null || call.ended || body === null) return;
    const req = dialog.request('INFO', this.viaFor(dialog));
    req.setBody(Buffer.from(body, 'latin1'), 'application/dtmf-relay');
    this.sendOn(call, leg, dialog, req, {
      response: () => undefined,
      timeout: () => undefined,
      transportError: () => undefined,
    });
  }

  /** An in-dialog request on leg `to`; a challenge from that side is answered with its dial-peer's (or the global) credentials. */
  private sendOn(call: Call, to: Leg, dialog: Dialog, req: SipRequest, handlers: ClientHandlers): void {
    const pool = credentialPool(to === 'a' ? call.inbound : call.b?.peer, this.d.credentials());
    sendAnswering(this.d.transactions, req, dialog.destination(), pool, handlers, (retry) => {
      const seq = retry.cseq().seq;
      dialog.localSeq = Math.max(dialog.localSeq, seq);
      if (retry.method === 'INVITE' && call.relayedInvite !== null) call.relayedInvite.otherCseq = seq;
    });
  }

  private find(req: SipRequest): DialogEntry | undefined {
    const toTag = req.to().params.get('tag') ?? '';
    const fromTag = req.from().params.get('tag') ?? '';
    return this.d.registry.dialog(dialogKey(req.callId(), toTag, fromTag));
  }

  private viaFor(dialog: Dialog): { host: string; port: number } {
    const via = this.d.transport.sentBy(dialog.destination());
    if (via === undefined)
      throw new SbcError('SBC_ERR_DIALOG_NO_ROUTE', `no ${dialog.transport} listener for dialog ${dialog.callId}`);
    return via;
  }

  /**
   * The headers of `msg` that cross to leg `to`: the carried ones, and unknown ones as that leg's dial-peer
   * says, through the shield, with hosts hidden behind the SBC's own address on that leg.
   */
  private carried(call: Call, to: Leg, msg: SipRequest | SipResponse): Array<[string, string]> {
    const b = call.b;
    const [peer, host] =
      to === 'a' || b === null ? [call.inbound, sipHost(call.a.flow.localAddress)] : [b.peer, b.invite.topVia().host];
    return crossing(msg, IN_DIALOG_CARRIED, toward(peer, host, this.d.shield, call.id));
  }

  /** Carried headers (hosts hidden, see carried()) and the body onto the other leg's request. */
  private withBody(call: Call, leg: Leg, out: SipRequest, from: SipRequest): SipRequest {
    // INVITE and UPDATE carry offers; ACK and PRACK answers (RFC 3264, RFC 3262, RFC 3311)
    const kind = from.method === 'INVITE' || from.method === 'UPDATE' ? 'offer' : 'answer';
    carry(out, this.carried(call, leg === 'a' ? 'b' : 'a', from));
    const body = this.bodyFor(call, leg, from, kind);
    if (body.length > 0) out.setBody(body, from.contentType() ?? 'application/sdp');
    return out;
  }
}
