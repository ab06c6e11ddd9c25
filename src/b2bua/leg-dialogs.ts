/**
 * The dialogs of a call's two legs (RFC 3261 §12.1), built from the messages that make them: the B leg's
 * from our INVITE and the callee's response (its Contact and Record-Route), the A leg's from the caller's
 * INVITE and our To tag.
 */
import { Dialog } from '../dialog/dialog.js';
import { sipHost } from '../sip/host.js';
import type { SipResponse } from '../sip/sip-message.js';
import { type Flow, transportParam } from '../transport/flow.js';
import type { Call } from './call.js';

/** Our Contact toward the caller: the listener the caller reached. */
export function contactA(flow: Flow): string {
  return `<sip:${sipHost(flow.localAddress)}:${flow.localPort}${transportParam(flow.transport)}>`;
}

export function dialogB(b: NonNullable<Call['b']>, res: SipResponse): Dialog {
  const inv = b.invite;
  const contacts = res.contacts();
  return new Dialog({
    callId: inv.callId(), localTag: inv.from().params.get('tag') ?? '', remoteTag: res.to().params.get('tag') ?? '',
    localUri: `<${inv.from().uri.raw}>`, remoteUri: `<${inv.to().uri.raw}>`,
    remoteTarget: contacts === '*' || contacts[0] === undefined ? inv.requestUri : contacts[0].uri.raw,
    routeSet: res.recordRoutes().map((r) => r.uri.raw).reverse(), localSeq: inv.cseq().seq, remoteSeq: 0,
    contact: inv.header('contact') ?? '', transport: b.dest.transport, flow: undefined, fallback: b.dest,
  });
}

export function dialogA(call: Call, aTag: string): Dialog {
  const a = call.a;
  const ac = a.invite.contacts();
  return new Dialog({
    callId: a.invite.callId(), localTag: aTag, remoteTag: a.invite.from().params.get('tag') ?? '',
    localUri: `<${a.invite.to().uri.raw}>`, remoteUri: `<${a.invite.from().uri.raw}>`,
    remoteTarget: ac === '*' || ac[0] === undefined ? `sip:${sipHost(a.flow.remoteAddress)}:${a.flow.remotePort}` : ac[0].uri.raw,
    routeSet: a.invite.recordRoutes().map((r) => r.uri.raw), localSeq: 0, remoteSeq: a.invite.cseq().seq,
    contact: contactA(a.flow), transport: a.flow.transport, flow: a.flow, fallback: undefined,
  });
}
