/**
 * Out-of-dialog requests routed like calls (MESSAGE, and OPTIONS for a user rather than for the SBC):
 * the same outbound dial-peers in hunt order, a new request with the SBC's Call-ID, tags, Via and
 * Contact, and the final answer relayed back. No call record: these are single transactions.
 */
import type { DialPeer } from '../routing/dial-peer.js';
import type { DialPlan } from '../routing/dial-plan.js';
import { buildResponse } from '../sip/response-builder.js';
import type { SipRequest } from '../sip/sip-message.js';
import { uriUser } from '../sip/sip-uri.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransactionTransport } from '../transaction/transaction-transport.js';
import type { Destination } from '../transport/flow.js';
import { mapFailureStatus } from './cause-map.js';
import { buildOutboundRequest } from './outbound-leg.js';
import { type ShieldContext, crossing, toward } from './header-passing.js';

const CARRIED = ['content-type', 'content-disposition', 'accept', 'expires', 'event'];
/** The answer toward the requester carries no unknown header of the far end's answer, nor its Content-Type (setBody writes it). */
const ANSWER_ONLY = { headerPolicy: { pass: new Set<string>() }, sanitize: null };
const OWN_CONTENT_TYPE: ReadonlySet<string> = new Set(['content-type']);

export class OutOfDialogRouter {
  /** Replaced on a reload. */
  dialPlan: DialPlan;

  constructor(
    private readonly o: {
      transactions: TransactionLayer;
      transport: TransactionTransport;
      dialPlan: DialPlan;
      huntStatuses: ReadonlySet<number>;
      shield: ShieldContext;
    },
  ) {
    this.dialPlan = o.dialPlan;
  }

  /** True when the request names a user an outbound dial-peer serves (then it is routed, not answered). */
  routable(req: SipRequest): boolean {
    const user = uriUser(req.uri());
    return user !== null && user !== '' && this.dialPlan.outbound(user).length > 0;
  }

  route(tx: ServerTransaction, req: SipRequest): void {
    const called = uriUser(req.uri()) ?? '';
    const calling = uriUser(req.from().uri) ?? '';
    this.attempt(tx, req, called, calling, this.dialPlan.outbound(called), 0, 404);
  }

  private attempt(
    tx: ServerTransaction,
    req: SipRequest,
    called: string,
    calling: string,
    peers: DialPeer[],
    i: number,
    lastStatus: number,
  ): void {
    const peer = peers[i];
    const tagFor = this.o.transactions.tagFor(req);
    if (peer === undefined) {
      tx.respond(buildResponse(req, lastStatus, { toTag: tagFor }));
      return;
    }
    const t = peer.sessionTarget;
    const dest: Destination | null =
      t === null || t.kind === 'dns'
        ? null
        : { transport: peer.sessionTransport, address: t.host, port: t.port ?? 5060 };
    const via = dest === null ? undefined : this.o.transport.sentBy(dest);
    if (dest === null || via === undefined) {
      this.attempt(tx, req, called, calling, peers, i + 1, 503);
      return;
    }
    const out = buildOutboundRequest(
      req.method,
      req,
      dest,
      via,
      { called, calling, display: null },
      CARRIED,
      toward(peer, via.host, this.o.shield),
    ).request;
    const next = (status: number): void => {
      if (!peer.huntstop && i + 1 < peers.length) this.attempt(tx, req, called, calling, peers, i + 1, status);
      else tx.respond(buildResponse(req, status, { toTag: tagFor }));
    };
    this.o.transactions.sendRequest(out, dest, {
      response: (res) => {
        if (res.status < 200) return;
        if (res.status >= 300 && this.o.huntStatuses.has(res.status)) {
          next(res.status);
          return;
        }
        const status = res.status >= 300 ? mapFailureStatus(res.status) : res.status;
        const answer = buildResponse(req, status, {
          toTag: tagFor,
          reason: res.reason,
          // the carried headers only (an empty pass list), through the shield like every copied header
          headers: crossing(res, CARRIED, toward(ANSWER_ONLY, '', this.o.shield), OWN_CONTENT_TYPE),
        });
        if (res.body.length > 0) answer.setBody(res.body, res.contentType() ?? 'text/plain');
        tx.respond(answer);
      },
      timeout: () => next(408),
      transportError: () => next(503),
    });
  }
}
