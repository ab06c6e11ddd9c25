import type { SipMessage, SipResponse } from '../../src/sip/sip-message.js';
import type { TransactionTransport } from '../../src/transaction/transaction-transport.js';
import type { Destination, Flow } from '../../src/transport/flow.js';

export interface Sent {
  msg: SipMessage;
  dest?: Destination;
  flow?: Flow | undefined;
  at: number;
}

/** Records what the transaction layer sends; `failSends` makes every request send fail. */
export class FakeTransport implements TransactionTransport {
  sent: Sent[] = [];
  failSends = false;

  constructor(private readonly now: () => number = () => 0) {}

  sendResponse(res: SipResponse, flow: Flow | undefined): void {
    this.sent.push({ msg: res, flow, at: this.now() });
  }

  send(msg: SipMessage, dest: Destination, flow?: Flow, onError?: (err: Error) => void): void {
    this.sent.push({ msg, dest, flow, at: this.now() });
    if (this.failSends) onError?.(new Error('unreachable'));
  }

  sentBy(): { host: string; port: number } {
    return { host: '127.0.0.1', port: 5060 };
  }

  /** Status codes (responses) or methods (requests) in sending order. */
  summary(): Array<number | string> {
    return this.sent.map((s) => (s.msg.isResponse() ? s.msg.status : s.msg.isRequest() ? s.msg.method : '?'));
  }

  times(what: number | string): number[] {
    return this.sent
      .filter((s) => (s.msg.isResponse() ? s.msg.status : s.msg.isRequest() ? s.msg.method : '') === what)
      .map((s) => s.at);
  }
}
