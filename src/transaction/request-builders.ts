/** Requests a client transaction builds from its INVITE: the ACK of a non-2xx and the CANCEL. */
import { SipHeader } from '../sip/sip-header.js';
import { EMPTY_BODY, SipRequest, type SipResponse } from '../sip/sip-message.js';
import { formatVia } from '../sip/via.js';

/**
 * §17.1.1.3: same Request-URI, Call-ID, From and CSeq number as the INVITE, To from the response (its
 * tag), one Via equal to the INVITE's top Via, the INVITE's Route set.
 */
export function buildAckForFinal(invite: SipRequest, res: SipResponse): SipRequest {
  return derived(invite, 'ACK', res.header('to') ?? invite.header('to') ?? '');
}

/** §9.1: like the ACK, but To as in the INVITE; sent only after a provisional response arrived. */
export function buildCancel(invite: SipRequest, reason?: string): SipRequest {
  const cancel = derived(invite, 'CANCEL', invite.header('to') ?? '');
  if (reason !== undefined) cancel.addHeader('Reason', reason);
  return cancel;
}

function derived(invite: SipRequest, method: string, to: string): SipRequest {
  const headers = [
    SipHeader.create('Via', formatVia(invite.topVia())),
    SipHeader.create('Max-Forwards', '70'),
    SipHeader.create('From', invite.header('from') ?? ''),
    SipHeader.create('To', to),
    SipHeader.create('Call-ID', invite.callId()),
    SipHeader.create('CSeq', `${invite.cseq().seq} ${method}`),
  ];
  for (const h of invite.getHeaders('route')) headers.push(SipHeader.create('Route', h.value));
  headers.push(SipHeader.create('Content-Length', '0'));
  return new SipRequest(method, invite.requestUri, 'SIP/2.0', headers, EMPTY_BODY);
}
