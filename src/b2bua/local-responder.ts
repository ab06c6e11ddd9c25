/**
 * Requests the SBC answers itself. OPTIONS is how PBXs and carriers probe an SBC: 200 with Allow, Accept
 * and Supported, even with Max-Forwards 0 (RFC 3261 §11.2). A method the SBC knows but has no handler for
 * gets 405 with Allow (§21.4.6); the B2BUA registers its handlers (INVITE, BYE, ...) here as it grows.
 */
import { ACCEPTED_TYPES, SUPPORTED_OPTION_TAGS } from '../sip/capabilities.js';
import { buildResponse } from '../sip/response-builder.js';
import type { SipRequest } from '../sip/sip-message.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { TransactionUser } from '../transaction/transaction-layer.js';
import type { Flow } from '../transport/flow.js';

export type RequestHandler = (tx: ServerTransaction, req: SipRequest) => void;

export class LocalResponder implements TransactionUser {
  private readonly handlers = new Map<string, RequestHandler>();
  /** Methods another part of the SBC handles (the B2BUA): listed in Allow, never dispatched here. */
  private readonly declared: string[] = [];
  /**
   * Draining for maintenance: OPTIONS to the SBC get 503 with Retry-After, so that load balancers and
   * peers that ping the SBC move away (fosip.json `draining`, reloadable).
   */
  draining = false;

  constructor(
    private readonly tagFor: (req: SipRequest) => string,
    /** The Server header of our own answers; null (the default) names no product or version (scanners learn nothing). */
    private readonly serverHeader: string | null = null,
  ) {
    this.handlers.set('OPTIONS', (tx, req) => tx.respond(this.optionsAnswer(req)));
  }

  handle(method: string, handler: RequestHandler): void {
    this.handlers.set(method, handler);
  }

  declare(...methods: string[]): void {
    for (const m of methods) if (!this.declared.includes(m)) this.declared.push(m);
  }

  /** Methods we accept: those declared or with a handler, plus ACK and CANCEL once INVITE is accepted. */
  allow(): string[] {
    const methods = [...this.declared, ...[...this.handlers.keys()].filter((m) => !this.declared.includes(m))];
    if (methods.includes('INVITE')) methods.splice(methods.indexOf('INVITE') + 1, 0, 'ACK', 'CANCEL');
    return methods;
  }

  optionsAnswer(req: SipRequest) {
    if (this.draining) return buildResponse(req, 503, { toTag: this.tagFor(req), headers: [['Retry-After', '60']] });
    return buildResponse(req, 200, {
      toTag: this.tagFor(req),
      headers: [
        ['Allow', this.allow().join(', ')],
        ['Accept', ACCEPTED_TYPES.join(', ')],
        ['Supported', [...SUPPORTED_OPTION_TAGS].join(', ')],
        ...(this.serverHeader === null ? [] : [['Server', this.serverHeader] as [string, string]]),
      ],
    });
  }

  request(tx: ServerTransaction, req: SipRequest): void {
    const handler = this.handlers.get(req.method);
    if (handler !== undefined) {
      handler(tx, req);
      return;
    }
    tx.respond(buildResponse(req, 405, { toTag: this.tagFor(req), headers: [['Allow', this.allow().join(', ')]] }));
  }

  ack(_req: SipRequest, _flow: Flow): void {
    // no dialogs yet: a stray ACK is absorbed
  }

  cancel(tx: ServerTransaction, _cancel: SipRequest): void {
    if (tx.finalStatus === undefined) tx.respond(buildResponse(tx.request, 487, { toTag: this.tagFor(tx.request) }));
  }
}
