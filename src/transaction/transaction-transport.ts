/** What the transaction layer needs from below; the transport layer provides it, unit tests fake it. */
import type { SipMessage, SipResponse } from '../sip/sip-message.js';
import type { Destination, Flow } from '../transport/flow.js';

export interface TransactionTransport {
  sendResponse(res: SipResponse, flow: Flow | undefined): void;
  send(msg: SipMessage, dest: Destination, flow?: Flow, onError?: (err: Error) => void): void;
  sentBy(dest: Destination): { host: string; port: number } | undefined;
}
