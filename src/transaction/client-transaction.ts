/**
 * Client transactions, RFC 3261 §17.1 with the RFC 6026 Accepted state: INVITE (Calling, Proceeding,
 * Accepted, Completed) and non-INVITE (Trying, Proceeding, Completed). Timers A/B, D, E/F, K, M.
 */
import { SbcError } from '../errors/sbc-error.js';
import type { Logger } from 'pino';
import type { SipRequest, SipResponse } from '../sip/sip-message.js';
import type { Destination, Flow } from '../transport/flow.js';
import type { Clock } from './clock.js';
import { TimerSet } from './timer-set.js';
import { buildAckForFinal, buildCancel } from './request-builders.js';
import type { Timers } from './timer-config.js';
import type { TransactionStats } from './transaction-stats.js';
import type { TransactionTransport } from './transaction-transport.js';

export type ClientState = 'calling' | 'trying' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

export interface ClientHandlers {
  /** Every provisional, each 2xx (also retransmitted/forked ones while Accepted), the one non-2xx final. */
  response(res: SipResponse, tx: ClientTransaction): void;
  /** Timer B or F fired, or the INVITE got no final answer 64*T1 after its CANCEL. */
  timeout(tx: ClientTransaction): void;
  /** The transport could not send the request (§8.1.3.1: treat as 503). */
  transportError(tx: ClientTransaction, err: Error): void;
}

export interface ClientDeps {
  transport: TransactionTransport;
  clock: Clock;
  timers: Timers;
  stats: TransactionStats;
  log: Logger;
  /** Start a CANCEL as its own non-INVITE client transaction (§9.1). */
  sendCancel(cancel: SipRequest, dest: Destination, flow: Flow | undefined): void;
  terminated(tx: ClientTransaction): void;
}

export class ClientTransaction {
  state: ClientState;
  readonly isInvite: boolean;
  readonly reliable: boolean;
  private cancelReason: string | undefined;
  private cancelPending = false;
  private cancelSent = false;
  private ack: SipRequest | undefined;
  private readonly timers: TimerSet;

  /** Held until a final response arrives; after that the transaction needs only its ACK. */
  private req: SipRequest | null;

  constructor(
    readonly key: string,
    request: SipRequest,
    readonly dest: Destination,
    readonly flow: Flow | undefined,
    private readonly deps: ClientDeps,
    private readonly handlers: ClientHandlers,
  ) {
    this.req = request;
    this.isInvite = request.method === 'INVITE';
    this.reliable = dest.transport !== 'udp';
    this.state = this.isInvite ? 'calling' : 'trying';
    this.timers = new TimerSet(deps.clock);
  }

  get request(): SipRequest {
    if (this.req === null)
      throw new SbcError('SBC_ERR_TRANSACTION_RELEASED', `request of transaction ${this.key} already released`);
    return this.req;
  }

  start(): void {
    this.send(this.request);
    const t = this.deps.timers;
    if (!this.reliable) this.retransmit(this.isInvite ? 'A' : 'E', t.T1);
    this.timers.after(this.isInvite ? 'B' : 'F', this.isInvite ? t.B : t.F, () => this.timeout());
  }

  /**
   * Take over an INVITE that another process sent and got a provisional for (a node restarted after a
   * crash): nothing is sent, the transaction is Proceeding, so a CANCEL goes out at once and the final
   * response is ACKed as usual.
   */
  adopt(): void {
    this.state = 'proceeding';
    this.timers.after('B', this.deps.timers.B, () => this.timeout());
  }

  /**
   * Retransmit on Timer A (doubling) or E (doubling, capped at T2), while no response has arrived; a response
   * already waiting in the socket when the timer fires is read first (a loaded node sends no needless copy).
   */
  private retransmit(name: 'A' | 'E', interval: number): void {
    this.timers.after(name, interval, () => this.deps.clock.afterPendingIo(() => this.resend(name, interval)));
  }

  private resend(name: 'A' | 'E', interval: number): void {
    if (this.state !== 'calling' && this.state !== 'trying' && this.state !== 'proceeding') return;
    if (name === 'A' && this.state !== 'calling') return;
    this.deps.stats.retransmissionsOut++;
    this.send(this.request);
    const next = name === 'A' ? 2 * interval : Math.min(2 * interval, this.deps.timers.T2);
    this.retransmit(name, this.state === 'proceeding' ? this.deps.timers.T2 : next);
  }

  receive(res: SipResponse): void {
    if (this.isInvite) this.receiveInvite(res);
    else this.receiveNonInvite(res);
  }

  private receiveInvite(res: SipResponse): void {
    const s = res.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        this.timers.stop('A');
        if (s < 200) {
          this.state = 'proceeding';
          this.timers.stop('B'); // §17.1.1.2: Timer B runs only in Calling
          if (this.cancelPending) this.fireCancel();
        } else if (s < 300) {
          this.enterAccepted();
        } else {
          this.enterCompleted(res);
        }
        this.handlers.response(res, this);
        return;
      case 'accepted':
        if (s >= 200 && s < 300) this.handlers.response(res, this);
        return;
      case 'completed':
        // a retransmitted final: resend the ACK, do not pass it up again
        if (s >= 300 && this.ack) this.send(this.ack);
        return;
      default:
        return;
    }
  }

  private receiveNonInvite(res: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    if (res.status < 200) {
      this.state = 'proceeding';
    } else {
      this.state = 'completed';
      this.req = null;
      this.timers.stop('E');
      this.timers.stop('F');
      this.timers.after('K', this.reliable ? 0 : this.deps.timers.T4, () => this.terminate());
    }
    this.handlers.response(res, this);
  }

  private enterAccepted(): void {
    this.timers.stop('B');
    this.state = 'accepted';
    this.timers.after('M', this.deps.timers.M, () => this.terminate());
  }

  private enterCompleted(res: SipResponse): void {
    this.timers.stop('B');
    this.state = 'completed';
    this.ack = buildAckForFinal(this.request, res);
    this.req = null;
    this.send(this.ack);
    this.timers.after('D', this.reliable ? 0 : this.deps.timers.D, () => this.terminate());
  }

  /**
   * §9.1: CANCEL an INVITE that has not got a final response. Before any provisional arrived the CANCEL
   * waits for one. If no final response comes within 64*T1 of the CANCEL, the transaction times out.
   */
  cancel(reason?: string): void {
    if (!this.isInvite || this.cancelSent || this.cancelPending) return;
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.cancelReason = reason;
    if (this.state === 'calling') this.cancelPending = true;
    else this.fireCancel();
  }

  private fireCancel(): void {
    this.cancelPending = false;
    this.cancelSent = true;
    this.deps.sendCancel(buildCancel(this.request, this.cancelReason), this.dest, this.flow);
    this.timers.after('cancel', 64 * this.deps.timers.T1, () => {
      if (this.state === 'proceeding') this.timeout();
    });
  }

  private timeout(): void {
    if (this.state === 'terminated') return;
    this.deps.stats.timeouts++;
    this.handlers.timeout(this);
    this.terminate();
  }

  private send(msg: SipRequest): void {
    this.deps.transport.send(msg, this.dest, this.flow, (err) => {
      if (this.state === 'terminated') return;
      this.handlers.transportError(this, err);
      this.terminate();
    });
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timers.stopAll();
    this.deps.terminated(this);
  }
}
