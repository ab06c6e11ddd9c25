/**
 * The outbound INVITE: a new dialog in every respect (Call-ID, From tag, branch, Via and Contact of the
 * SBC); the Request-URI and To carry the called number at the session target's host. Of the inbound
 * INVITE the body, the headers that negotiate the session and the headers unknown to the SBC (as the
 * dial-peer's pass or drop list says) cross over; its Via, Contact, Record-Route, Call-ID and addresses
 * never do (topology hiding).
 */
import { newCallId, newTag } from '../dialog/dialog.js';
import { SipHeader } from '../sip/sip-header.js';
import { EMPTY_BODY, SipRequest } from '../sip/sip-message.js';
import { sipHost } from '../sip/host.js';
import { TransactionLayer } from '../transaction/transaction-layer.js';
import { type Destination, defaultPort, transportParam } from '../transport/flow.js';
import { type Toward, crossing } from './header-passing.js';

/** Headers of the inbound INVITE that cross to the outbound one (session negotiation, not topology). */
const CARRIED = ['content-type', 'session-expires', 'min-se', 'accept', 'allow-events'];

export interface OutboundRequest {
  request: SipRequest;
  fromTag: string;
  contact: string;
}

/**
 * A request that starts a new outbound leg (INVITE, or an out-of-dialog MESSAGE/OPTIONS; with no inbound
 * request `a`, one of the SBC's own such as a keepalive OPTIONS): new Call-ID,
 * From tag, branch, the SBC's Via and Contact; `carried` names the inbound headers that always cross,
 * `to` (the outbound dial-peer's leg, whose host is `via.host`) says which unknown ones do and shields them,
 * `extra` adds headers of our own. The body crosses as it is.
 */
export function buildOutboundRequest(
  method: string,
  a: SipRequest | null,
  dest: Destination,
  via: { host: string; port: number },
  numbers: { called: string; calling: string; display: string | null },
  carried: readonly string[],
  to: Toward | null,
  extra: Array<[string, string]> = [],
): OutboundRequest {
  const target = sipHost(dest.address);
  const port = dest.port === defaultPort(dest.transport) ? '' : `:${dest.port}`;
  const tp = transportParam(dest.transport);
  // an empty called number (a call to `sip:host`) gives a URI without a user part, never `sip:@host`
  const user = numbers.called === '' ? '' : `${numbers.called}@`;
  const ruri = `sip:${user}${target}${port}${tp}`;
  const fromTag = newTag();
  const contact = `<sip:${numbers.calling || 'fosip'}@${via.host}:${via.port}${tp}>`;
  const mf = a === null ? null : a.maxForwards();
  const headers = [
    SipHeader.create(
      'Via',
      `SIP/2.0/${dest.transport.toUpperCase()} ${via.host}:${via.port};branch=${TransactionLayer.newBranch()};rport`,
    ),
    SipHeader.create('Max-Forwards', String(mf === null ? 70 : Math.max(0, mf - 1))),
    SipHeader.create(
      'From',
      `${numbers.display === null ? '' : `${numbers.display} `}<sip:${numbers.calling || 'anonymous'}@${via.host}>;tag=${fromTag}`,
    ),
    SipHeader.create('To', `<sip:${user}${target}>`),
    SipHeader.create('Call-ID', newCallId(via.host)),
    SipHeader.create('CSeq', `1 ${method}`),
    SipHeader.create('Contact', contact),
    ...extra.map(([name, value]) => SipHeader.create(name, value)),
  ];
  if (a !== null && to !== null)
    for (const [name, value] of crossing(a, carried, to, new Set(headers.map((h) => h.key))))
      headers.push(SipHeader.create(name, value));
  const body = a === null || a.body.length === 0 ? EMPTY_BODY : a.body;
  headers.push(SipHeader.create('Content-Length', String(body.length)));
  return { request: new SipRequest(method, ruri, 'SIP/2.0', headers, body), fromTag, contact };
}

/** The outbound INVITE; option tags cross as the caller sent them, so 100rel and timer work end to end. */
export function buildOutboundInvite(
  a: SipRequest,
  dest: Destination,
  via: { host: string; port: number },
  numbers: { called: string; calling: string; display: string | null },
  allow: string,
  to: Toward,
): OutboundRequest {
  const extra: Array<[string, string]> = [['Allow', allow]];
  const supported = a.tokens('supported');
  if (supported.length > 0) extra.push(['Supported', supported.join(', ')]);
  const required = a.tokens('require');
  if (required.length > 0) extra.push(['Require', required.join(', ')]);
  return buildOutboundRequest('INVITE', a, dest, via, numbers, CARRIED, to, extra);
}
