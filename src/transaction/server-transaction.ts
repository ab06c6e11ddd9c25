/**
 * Server transactions, RFC 3261 §17.2 with the RFC 6026 Accepted state: INVITE (Proceeding, Accepted,
 * Completed, Confirmed) and non-INVITE (Trying, Proceeding, Completed). One method per event; each
 * switches on the state the RFC figure names.
 */
import { SbcError } from '../errors/sbc-error.js';
import type { Logger } from 'pino';
import type { SipRequest, SipResponse } from '../sip/sip-message.js';
import type { Flow } from '../transport/flow.js';
import type { Clock } from './clock.js';
import { TimerSet } from './timer-set.js';
import type { Timers } from './timer-config.js';
import type { TransactionStats } from './transaction-stats.js';
import type { TransactionTransport } from './transaction-transport.js';

export type ServerState = 'trying' | 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export interface ServerDeps {
  transport: TransactionTransport;
  clock: Clock;
  timers: Timers;
  stats: TransactionStats;
  log: Logger;
}

export interface ServerHooks {
  terminated(tx: ServerTransaction): void;
  /** Timer H: the ACK for our non-2xx final response never came. */
  ackTimeout(tx: ServerTransaction): void;
}

export class ServerTransaction {
  state: ServerState;
  readonly isInvite: boolean;
  readonly reliable: boolean;
  /** Set when a matching CANCEL arrived (§9.2); the TU answers 487 if it has not answered yet. */
  cancelled = false;
  private lastResponse: SipResponse | undefined;
  private finalCode: number | undefined;
  /** Held until the final response; the transaction then lives on (Timers J, H, I, L) without it. */
  private req: SipRequest | null;
  readonly callId: string;
  private readonly timers: TimerSet;

  constructor(
    readonly key: string,
    request: SipRequest,
    readonly flow: Flow,
    private readonly deps: ServerDeps,
    private readonly hooks: ServerHooks,
  ) {
    this.req = request;
    this.callId = request.callId();
    this.isInvite = request.method === 'INVITE';
    this.reliable = flow.transport !== 'udp';
    this.state = this.isInvite ? 'proceeding' : 'trying';
    this.timers = new TimerSet(deps.clock);
  }

  /** The request; only while no final response was sent (nothing needs it after). */
  get request(): SipRequest {
    if (this.req === null)
      throw new SbcError('SBC_ERR_TRANSACTION_RELEASED', `request of transaction ${this.key} already released`);
    return this.req;
  }

  get finalStatus(): number | undefined {
    return this.finalCode;
  }

  /** The TU sends a response through the transaction (§17.2.1, §17.2.2). */
  respond(res: SipResponse): void {
    const provisional = res.status < 200;
    switch (this.state) {
      case 'trying':
      case 'proceeding':
        this.lastResponse = res;
        this.send(res);
        if (provisional) {
          this.state = 'proceeding';
          return;
        }
        this.finalCode = res.status;
        this.req = null; // the final is out: keep only what retransmissions need (memory per call)
        if (this.isInvite && res.status < 300) this.enterAccepted();
        else this.enterCompleted();
        return;
      case 'accepted':
        // RFC 6026 §7.1: the TU's 2xx retransmissions pass through while Accepted
        if (res.status >= 200 && res.status < 300) this.send(res);
        return;
      default:
        this.deps.log.debug({ state: this.state, status: res.status }, 'response after final ignored');
    }
  }

  /**
   * A request that matched this transaction: a retransmission, or the ACK of an INVITE.
   * Returns true when the TU must see it (the ACK of a 2xx, which belongs to the dialog).
   */
  receive(req: SipRequest): boolean {
    if (req.method === 'ACK') return this.receiveAck();
    this.deps.stats.retransmissionsIn++;
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse) {
      this.send(this.lastResponse);
    }
    return false;
  }

  private receiveAck(): boolean {
    if (!this.isInvite) return false;
    switch (this.state) {
      case 'completed':
        // §17.2.1: ACK for the non-2xx: stop retransmitting, absorb further ACKs for Timer I
        this.timers.stop('G');
        this.timers.stop('H');
        this.state = 'confirmed';
        this.timers.after('I', this.reliable ? 0 : this.deps.timers.T4, () => this.terminate());
        return false;
      case 'accepted':
        return true;
      default:
        return false;
    }
  }

  private enterAccepted(): void {
    this.state = 'accepted';
    this.lastResponse = undefined; // the TU retransmits its 2xx itself (RFC 6026 §7.1)
    this.timers.after('L', this.deps.timers.L, () => this.terminate());
  }

  private enterCompleted(): void {
    this.state = 'completed';
    const t = this.deps.timers;
    if (!this.isInvite) {
      this.timers.after('J', this.reliable ? 0 : 64 * t.T1, () => this.terminate());
      return;
    }
    if (!this.reliable) this.retransmitG(t.T1);
    this.timers.after('H', t.H, () => {
      this.deps.stats.timeouts++;
      this.hooks.ackTimeout(this);
      this.terminate();
    });
  }

  /** Timer G: resend the final response at T1, 2T1, ... capped at T2 until the ACK arrives (an ACK already waiting is read first). */
  private retransmitG(interval: number): void {
    this.timers.after('G', interval, () =>
      this.deps.clock.afterPendingIo(() => {
        if (this.state !== 'completed' || !this.lastResponse) return;
        this.deps.stats.retransmissionsOut++;
        this.send(this.lastResponse);
        this.retransmitG(Math.min(2 * interval, this.deps.timers.T2));
      }),
    );
  }

  private send(res: SipResponse): void {
    this.deps.transport.sendResponse(res, this.flow);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timers.stopAll();
    this.hooks.terminated(this);
  }
}
