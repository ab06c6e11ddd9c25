/**
 * The dialogs of a call's two legs (RFC 3261 §12.1), built from the messages that make them: the B leg's
 * from our INVITE and the callee's response (its Contact and Record-Route), the A leg's from the caller's
 * INVITE and our To tag.
 */
import { Dialog } from '../dialog/dialog.js';
import { sipHost } from '../sip/host.js';
import type { SipResponse } from '../sip/sip-message.js';
import type { ClientHandlers } from '../transaction/client-transaction.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransactionTransport } from '../transaction/transaction-transport.js';
import { type Flow, transportParam } from '../transport/flow.js';
import type { BLeg, Call } from './call.js';

const NO_ANSWER_NEEDED: ClientHandlers = {
  response: () => undefined,
  timeout: () => undefined,
  transportError: () => undefined,
};

/** Our Contact toward the caller: the listener the caller reached. */
export function contactA(flow: Flow): string {
  return `<sip:${sipHost(flow.localAddress)}:${flow.localPort}${transportParam(flow.transport)}>`;
}

export function dialogB(b: NonNullable<Call['b']>, res: SipResponse): Dialog {
  const inv = b.invite;
  const contacts = res.contacts();
  return new Dialog({
    callId: inv.callId(),
    localTag: inv.from().params.get('tag') ?? '',
    remoteTag: res.to().params.get('tag') ?? '',
    localUri: `<${inv.from().uri.raw}>`,
    remoteUri: `<${inv.to().uri.raw}>`,
    remoteTarget: contacts === '*' || contacts[0] === undefined ? inv.requestUri : contacts[0].uri.raw,
    routeSet: res
      .recordRoutes()
      .map((r) => r.uri.raw)
      .reverse(),
    localSeq: inv.cseq().seq,
    remoteSeq: 0,
    contact: inv.header('contact') ?? '',
    transport: b.dest.transport,
    flow: undefined,
    fallback: b.dest,
  });
}

export function dialogA(call: Call, aTag: string): Dialog {
  const a = call.a;
  const ac = a.invite.contacts();
  return new Dialog({
    callId: a.invite.callId(),
    localTag: aTag,
    remoteTag: a.invite.from().params.get('tag') ?? '',
    localUri: `<${a.invite.to().uri.raw}>`,
    remoteUri: `<${a.invite.from().uri.raw}>`,
    remoteTarget:
      ac === '*' || ac[0] === undefined ? `sip:${sipHost(a.flow.remoteAddress)}:${a.flow.remotePort}` : ac[0].uri.raw,
    routeSet: a.invite.recordRoutes().map((r) => r.uri.raw),
    localSeq: 0,
    remoteSeq: a.invite.cseq().seq,
    contact: contactA(a.flow),
    transport: a.flow.transport,
    flow: a.flow,
    fallback: undefined,
  });
}

/** ACK a 2xx to the B leg's INVITE on the dialog it makes (RFC 3261 §13.2.2.4); undefined when no listener reaches it. */
export function ackAnswer(b: BLeg, res: SipResponse, transport: TransactionTransport): Dialog | undefined {
  const dialog = dialogB(b, res);
  const via = transport.sentBy(dialog.destination());
  if (via === undefined) return undefined;
  transport.send(dialog.request('ACK', via, { cseq: b.invite.cseq().seq }), dialog.destination());
  return dialog;
}

/**
 * Another fork answered the B leg's INVITE after the call took a first answer: the UAC must ACK every 2xx
 * and ends the dialogs it does not want with BYE (RFC 3261 §13.2.2.4). Its retransmissions get the same.
 */
export function endOtherFork(
  b: BLeg,
  res: SipResponse,
  d: { transport: TransactionTransport; transactions: Pick<TransactionLayer, 'sendRequest'> },
): void {
  const fork = ackAnswer(b, res, d.transport);
  const via = fork === undefined ? undefined : d.transport.sentBy(fork.destination());
  if (fork === undefined || via === undefined) return;
  d.transactions.sendRequest(fork.request('BYE', via), fork.destination(), NO_ANSWER_NEEDED);
}
