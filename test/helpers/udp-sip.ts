/** A caller or callee made of a plain UDP socket, for tests that decide exactly when each message is sent. */
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipMessage, SipRequest } from '../../src/sip/sip-message.js';
import { type UdpPeer, sleep } from './net.js';

export const sdpAt = (port: number): string =>
  `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;

/** The messages `peer` got that `match` accepts, once there are `n` of them or `ms` passed. */
export async function receivedMessages(peer: UdpPeer, match: (m: SipMessage) => boolean, n = 1, ms = 5000): Promise<SipMessage[]> {
  const end = Date.now() + ms;
  for (;;) {
    const hits = peer.received.map((b) => parseMessage(b)).filter(match);
    if (hits.length >= n || Date.now() > end) return hits;
    await sleep(20);
  }
}

/** The first message `peer` got that `match` accepts, waiting up to `ms`. */
export async function receivedMessage(peer: UdpPeer, match: (m: SipMessage) => boolean, ms = 5000): Promise<SipMessage | undefined> {
  return (await receivedMessages(peer, match, 1, ms))[0];
}

export const isRequest = (method: string) => (m: SipMessage): m is SipRequest => m.isRequest() && m.method === method;

/** A callee's 200 to `invite` with To tag `tag`, its Contact at `calleePort` and an SDP answer. */
export function okFromCallee(invite: SipRequest, calleePort: number, tag: string): string {
  const body = sdpAt(40000);
  return [
    'SIP/2.0 200 OK',
    ...invite.getHeaders('via').map((h) => `Via: ${h.value}`),
    `From: ${invite.header('from') ?? ''}`,
    `To: ${invite.header('to') ?? ''};tag=${tag}`,
    `Call-ID: ${invite.callId()}`,
    `CSeq: ${invite.header('cseq') ?? ''}`,
    `Contact: <sip:bob@127.0.0.1:${calleePort}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

/** A 200 to an in-dialog request (BYE) that needs no body. */
export function okTo(req: SipRequest): string {
  return [
    'SIP/2.0 200 OK',
    ...req.getHeaders('via').map((h) => `Via: ${h.value}`),
    `From: ${req.header('from') ?? ''}`,
    `To: ${req.header('to') ?? ''}`,
    `Call-ID: ${req.callId()}`,
    `CSeq: ${req.header('cseq') ?? ''}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
