/** What the B2BUA is built with: the stack below it, the configuration it routes by, and its hooks. */
import type { Logger } from 'pino';
import type { MediaChoices } from './media/media-choice.js';
import type { CallDetailRecord, CallStore } from '../state/call-store.js';
import type { Clock } from '../transaction/clock.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransactionTransport } from '../transaction/transaction-transport.js';
import type { LiveConfig } from './live-config.js';
import type { ShieldDrop } from './header-shield.js';
import type { LocalResponder } from './local-responder.js';

export interface B2buaOptions {
  transactions: TransactionLayer;
  transport: TransactionTransport;
  responder: LocalResponder;
  /** The dial plan and profiles; reconfigure() replaces them. */
  config: LiveConfig;
  /** Message ladders of ended calls kept for `show call flow` (default 100). */
  keepLadders?: number;
  /** Told of every call that is answered (its setup time) or ends, and of each header the shield held back (metrics). */
  observer?: {
    callEnded(cdr: CallDetailRecord): void;
    callAnswered?(setupMs: number): void;
    headerHeldBack?(reason: ShieldDrop): void;
  };
  /** Admission control: whether one more call may start (null: yes), given the calls in progress. */
  admission?: { admit(active: number): { retryAfter: number; text: string } | null };
  /** OPTIONS keepalive: whether a dial-peer may take calls (none: all may). */
  health?: { isUp(tag: number): boolean };
  calls: CallStore;
  clock: Clock;
  log: Logger;
  /** The Warning agent (the SBC's hostname). */
  agent: string;
  huntStatuses?: ReadonlySet<number>;
  /** 3xx responses followed per call (CUBE "Max Redirects", default 1); 0 passes them to the caller. */
  maxRedirects?: number;
  /** Relay failure statuses unchanged (CUBE `header-passing error pass-thru`) instead of the §9 mapping. */
  errorPassThrough?: boolean;
  /**
   * The RTP relay, the address written into SDP, and the mode of calls whose dial-peers do not choose
   * (`media` on the outbound dial-peer wins, then the inbound one's). Without it media flows around.
   */
  media?: MediaChoices;
}
