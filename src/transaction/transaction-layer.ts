/**
 * The transaction layer: matches every message to its transaction, runs the core request checks (the
 * RFC rejections, sent statelessly with a Warning), answers CANCEL (§9.2), and hands new requests, 2xx
 * ACKs and cancellations to the transaction user above. Responses that match nothing are dropped silently.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { STACK_CHECKS, type CheckOptions, checkRequest, responseFault } from '../sip/request-checks.js';
import { buildResponse, warningValue } from '../sip/response-builder.js';
import type { SipMessage, SipRequest, SipResponse } from '../sip/sip-message.js';
import { MAGIC_COOKIE } from '../sip/via.js';
import type { Destination, Flow } from '../transport/flow.js';
import { type Clock, systemClock } from './clock.js';
import { ClientTransaction, type ClientHandlers, type ClientDeps } from './client-transaction.js';
import { ServerTransaction, type ServerDeps } from './server-transaction.js';
import { type TimerBase, type Timers, deriveTimers } from './timer-config.js';
import { clientKey, responseKey, serverKey } from './transaction-key.js';
import { TransactionStats } from './transaction-stats.js';
import type { TransactionTransport } from './transaction-transport.js';

/** The layer above (the B2BUA): it sees each new request once, with its server transaction. */
export interface TransactionUser {
  request(tx: ServerTransaction, req: SipRequest): void;
  /** An ACK that is not part of a non-2xx INVITE transaction: the ACK of a 2xx, for the dialog layer. */
  ack(req: SipRequest, flow: Flow): void;
  /** A CANCEL matched `tx` and got its 200; the TU should answer the INVITE with 487 (§9.2). */
  cancel(tx: ServerTransaction, cancel: SipRequest): void;
  /**
   * A 2xx to an INVITE that no client transaction matches (its transaction is over, or died with a previous
   * run of the node): the UAC core still owes every 2xx retransmission its ACK (RFC 3261 §13.2.2.4).
   */
  stray2xx?(res: SipResponse): void;
}

export interface TransactionLayerOptions {
  transport: TransactionTransport;
  log: Logger;
  clock?: Clock;
  timers?: Partial<TimerBase>;
  /** The warn-agent of our Warning headers (RFC 3261 §20.43): the SBC's hostname. */
  agent: string;
  checks?: CheckOptions;
}

export class TransactionLayer {
  readonly stats = new TransactionStats();
  readonly timers: Timers;
  private readonly server = new Map<string, ServerTransaction>();
  private readonly client = new Map<string, ClientTransaction>();
  private readonly serverDeps: ServerDeps;
  private readonly clientDeps: ClientDeps;
  private user: TransactionUser | undefined;

  constructor(private readonly opts: TransactionLayerOptions) {
    this.timers = deriveTimers(opts.timers);
    const base = {
      transport: opts.transport,
      clock: opts.clock ?? systemClock,
      timers: this.timers,
      stats: this.stats,
      log: opts.log,
    };
    this.serverDeps = base;
    this.clientDeps = {
      ...base,
      sendCancel: (cancel, dest, flow) => this.sendRequest(cancel, dest, IGNORE, flow),
      terminated: (tx) => this.client.delete(tx.key),
    };
  }

  setUser(user: TransactionUser): void {
    this.user = user;
  }

  get openTransactions(): { server: number; client: number } {
    return { server: this.server.size, client: this.client.size };
  }

  /** Entry point for every message the transport layer parsed. */
  receive(msg: SipMessage, flow: Flow): void {
    if (msg.isResponse()) this.receiveResponse(msg);
    else if (msg.isRequest()) this.receiveRequest(msg, flow);
  }

  private receiveResponse(res: SipResponse): void {
    if (responseFault(res) !== null) {
      this.stats.dropped++;
      return;
    }
    const key = responseKey(res);
    const tx = key === null ? undefined : this.client.get(key);
    if (tx === undefined) {
      this.stats.unmatchedResponses++;
      if (res.status >= 200 && res.status < 300 && res.cseq().method === 'INVITE') this.user?.stray2xx?.(res);
      return;
    }
    tx.receive(res);
  }

  private receiveRequest(req: SipRequest, flow: Flow): void {
    const rejection = checkRequest(req, this.opts.checks ?? STACK_CHECKS);
    if (rejection !== null) {
      if (req.method === 'ACK') {
        this.stats.dropped++;
        return; // an ACK is never answered (§17.2.3)
      }
      const headers: Array<[string, string]> = [...rejection.headers];
      if (rejection.warning !== null) headers.push(['Warning', warningValue(this.opts.agent, rejection.warning)]);
      this.respondStateless(req, flow, rejection.status, headers, rejection.reason);
      return;
    }
    const key = serverKey(req);
    const existing = this.server.get(key);
    if (req.method === 'ACK') {
      if (existing === undefined || existing.receive(req)) this.user?.ack(req, flow);
      return;
    }
    if (existing !== undefined) {
      existing.receive(req);
      return;
    }
    const tx = this.createServer(key, req, flow);
    if (req.method === 'CANCEL') this.receiveCancel(tx, req);
    else this.deliver(tx, req);
  }

  private createServer(key: string, req: SipRequest, flow: Flow): ServerTransaction {
    const tx = new ServerTransaction(key, req, flow, this.serverDeps, {
      terminated: (t) => this.server.delete(t.key),
      ackTimeout: (t) => this.opts.log.debug({ callId: t.callId }, 'no ACK for final response (Timer H)'),
    });
    this.server.set(key, tx);
    this.stats.serverTransactions++;
    return tx;
  }

  private deliver(tx: ServerTransaction, req: SipRequest): void {
    // an INVITE server transaction answers 100 Trying at once, so the client stops retransmitting (§17.2.1)
    if (tx.isInvite) tx.respond(buildResponse(req, 100));
    if (this.user === undefined) {
      tx.respond(buildResponse(req, 503, { toTag: this.tagFor(req) }));
      return;
    }
    this.user.request(tx, req);
  }

  /** §9.2: the CANCEL's own 200 (or 481), then the TU is told so it can answer the INVITE with 487. */
  private receiveCancel(tx: ServerTransaction, cancel: SipRequest): void {
    const invite = this.server.get(serverKey(cancel, 'INVITE'));
    if (invite === undefined || invite.finalStatus !== undefined) {
      tx.respond(buildResponse(cancel, 481, { toTag: this.tagFor(cancel) }));
      return;
    }
    tx.respond(buildResponse(cancel, 200, { toTag: this.tagFor(cancel) }));
    invite.cancelled = true;
    this.user?.cancel(invite, cancel);
  }

  /** A response without a transaction; the To tag is a hash, so a retransmission gets the same answer. */
  respondStateless(
    req: SipRequest,
    flow: Flow,
    status: number,
    headers: Array<[string, string]>,
    reason?: string,
  ): void {
    this.stats.statelessResponses++;
    const res = buildResponse(req, status, { toTag: this.tagFor(req), headers, ...(reason ? { reason } : {}) });
    this.opts.transport.sendResponse(res, flow);
  }

  /** A To tag that is the same for retransmissions of one request (RFC 3261 §8.2.6.2, §16.7). */
  tagFor(req: SipRequest): string {
    const h = createHash('sha1');
    h.update(req.header('call-id') ?? '');
    h.update(req.header('from') ?? '');
    h.update(req.header('cseq') ?? '');
    h.update(req.getHeaders('via')[0]?.value ?? '');
    return h.digest('hex').slice(0, 12);
  }

  /** Send a request through a new client transaction; the caller put its own Via on it (see newBranch). */
  sendRequest(req: SipRequest, dest: Destination, handlers: ClientHandlers, flow?: Flow): ClientTransaction {
    const branch = req.topVia().params.get('branch') ?? '';
    const key = clientKey(branch, req.method);
    const tx = new ClientTransaction(key, req, dest, flow, this.clientDeps, handlers);
    this.client.set(key, tx);
    this.stats.clientTransactions++;
    tx.start();
    return tx;
  }

  /** A client INVITE transaction for an INVITE a previous run of this node sent (see ClientTransaction.adopt). */
  adoptInvite(req: SipRequest, dest: Destination, handlers: ClientHandlers): ClientTransaction {
    const key = clientKey(req.topVia().params.get('branch') ?? '', 'INVITE');
    const tx = new ClientTransaction(key, req, dest, undefined, this.clientDeps, handlers);
    this.client.set(key, tx);
    tx.adopt();
    return tx;
  }

  /** A fresh RFC 3261 branch (magic cookie + 96 random bits). */
  static newBranch(): string {
    return MAGIC_COOKIE + randomBytes(12).toString('base64url');
  }

  /** End every transaction and its timers (shutdown). */
  close(): void {
    for (const tx of [...this.server.values()]) tx.terminate();
    for (const tx of [...this.client.values()]) tx.terminate();
  }
}

const IGNORE: ClientHandlers = { response: () => undefined, timeout: () => undefined, transportError: () => undefined };
