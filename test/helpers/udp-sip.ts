/** A caller or callee made of a plain UDP socket, for tests that decide exactly when each message is sent. */
import { eventually } from './eventually.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipMessage, SipRequest } from '../../src/sip/sip-message.js';
import type { SbcNode } from '../../src/node/node.js';
import { boundPort, startTestApp } from './app.js';
import { requestText } from './messages.js';
import { UdpPeer } from './net.js';

export const sdpAt = (port: number): string =>
  `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;

/** The messages `peer` got that `match` accepts, once there are `n` of them or `ms` passed. */
export async function receivedMessages(
  peer: UdpPeer,
  match: (m: SipMessage) => boolean,
  n = 1,
  ms = 5000,
): Promise<SipMessage[]> {
  const hits = (): SipMessage[] => peer.received.map((b) => parseMessage(b)).filter(match);
  await eventually(() => hits().length >= n, ms);
  return hits();
}

/** The first message `peer` got that `match` accepts, waiting up to `ms`. */
export async function receivedMessage(
  peer: UdpPeer,
  match: (m: SipMessage) => boolean,
  ms = 5000,
): Promise<SipMessage | undefined> {
  return (await receivedMessages(peer, match, 1, ms))[0];
}

export const isRequest =
  (method: string) =>
  (m: SipMessage): m is SipRequest =>
    m.isRequest() && m.method === method;

/**
 * A response to `req` (status line `status`, e.g. '180 Ringing'): `tag` adds the callee's To tag (not for
 * an in-dialog request, whose To has it), `contactPort` a Contact, `sdp` a body.
 */
export function responseTo(
  req: SipRequest,
  status: string,
  opts: { tag?: string; contactPort?: number; sdp?: string } = {},
): string {
  const body = opts.sdp ?? '';
  return [
    `SIP/2.0 ${status}`,
    ...req.getHeaders('via').map((h) => `Via: ${h.value}`),
    `From: ${req.header('from') ?? ''}`,
    `To: ${req.header('to') ?? ''}${opts.tag === undefined ? '' : `;tag=${opts.tag}`}`,
    `Call-ID: ${req.callId()}`,
    `CSeq: ${req.header('cseq') ?? ''}`,
    ...(opts.contactPort === undefined ? [] : [`Contact: <sip:bob@127.0.0.1:${opts.contactPort}>`]),
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

/** A callee's 200 to `invite` with To tag `tag`, its Contact at `calleePort` and an SDP answer. */
export function okFromCallee(invite: SipRequest, calleePort: number, tag: string): string {
  return responseTo(invite, '200 OK', { tag, contactPort: calleePort, sdp: sdpAt(40000) });
}

/** A 200 to an in-dialog request (BYE) that needs no body. */
export function okTo(req: SipRequest): string {
  return responseTo(req, '200 OK');
}

/** A caller and a callee socket around an in-process SBC whose dial-peer 1 (2...) reaches the callee, media flowing around. */
export async function socketsAroundSbc(): Promise<{
  caller: UdpPeer;
  callee: UdpPeer;
  app: SbcNode;
  port: number;
  close: () => Promise<void>;
}> {
  const caller = await UdpPeer.open();
  const callee = await UdpPeer.open();
  const app = await startTestApp({
    listen: ['udp:127.0.0.1:0'],
    dialPeers: [
      { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${callee.port}`, media: 'flow-around' },
    ],
  });
  const close = async (): Promise<void> => {
    await app.stop();
    caller.close();
    callee.close();
  };
  return { caller, callee, app, port: boundPort(app, 'udp'), close };
}

/** The caller's INVITE to 2001 through the SBC at `port`, with an SDP offer. */
export function callerInvite(caller: UdpPeer, port: number, callId: string): string {
  return requestText({
    method: 'INVITE',
    uri: `sip:2001@127.0.0.1:${port}`,
    via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`,
    branch: `z9hG4bK${callId.replace(/\W/g, '')}`,
    callId,
    fromTag: 'caller1',
    extra: [`Contact: <sip:alice@127.0.0.1:${caller.port}>`],
    body: sdpAt(30000),
  });
}
