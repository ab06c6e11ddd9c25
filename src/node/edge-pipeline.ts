/**
 * The edge of the node: every SIP message that arrives goes through the inbound steps in order, and every
 * message the stack sends goes through the outbound steps (their mirror) just before it leaves. Each step
 * has a name so that the path a message takes can be read here, top-down, and nowhere else:
 *
 *   in:  guard -> observe -> trace -> capture -> inbound profile -> transaction layer (then the B2BUA)
 *   out: identify -> outbound profile -> observe -> trace -> capture (then the socket)
 *
 * The trace and capture see what is on the wire: inbound before any profile has rewritten it, outbound
 * after the profile has.
 */
import type { LegEntry } from '../b2bua/call-wire.js';
import type { SipMessage } from '../sip/sip-message.js';
import type { Destination, Flow } from '../transport/flow.js';

/** A message that arrived, and what the steps have learnt of it so far. */
export interface Arrival {
  msg: SipMessage;
  flow: Flow;
  /** The call and leg the message belongs to (after `observe`), if any. */
  entry: LegEntry | undefined;
}

/** A message about to leave. */
export interface Departure {
  msg: SipMessage;
  dest: Destination;
  entry: LegEntry | undefined;
}

export interface EdgeStep<T> {
  readonly name: string;
  /** Does its part; false stops the message here (a step that drops or answers it itself). */
  run(m: T): boolean;
}

export class EdgePipeline {
  constructor(
    readonly inbound: ReadonlyArray<EdgeStep<Arrival>>,
    readonly outbound: ReadonlyArray<EdgeStep<Departure>>,
  ) {}

  /** The transport received a message. */
  receive(msg: SipMessage, flow: Flow): void {
    const m: Arrival = { msg, flow, entry: undefined };
    for (const step of this.inbound) if (!step.run(m)) return;
  }

  /** The stack is sending a message (requests, responses, retransmissions: the transport's send hook). */
  send(msg: SipMessage, dest: Destination): void {
    const m: Departure = { msg, dest, entry: undefined };
    for (const step of this.outbound) if (!step.run(m)) return;
  }
}

/** A step that never stops the message. */
export function step<T>(name: string, run: (m: T) => void): EdgeStep<T> {
  return {
    name,
    run: (m) => {
      run(m);
      return true;
    },
  };
}
