/** Small builders for SIP messages in tests. */
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipRequest, SipResponse } from '../../src/sip/sip-message.js';
import type { Flow } from '../../src/transport/flow.js';

export interface RequestSpec {
  method?: string;
  uri?: string;
  branch?: string | null;
  via?: string;
  cseq?: number;
  cseqMethod?: string;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  extra?: string[];
  body?: string;
}

export function requestText(s: RequestSpec = {}): string {
  const method = s.method ?? 'OPTIONS';
  const branch = s.branch === null ? '' : `;branch=${s.branch ?? 'z9hG4bKtest1'}`;
  const body = s.body ?? '';
  return [
    `${method} ${s.uri ?? 'sip:sbc@127.0.0.1'} SIP/2.0`,
    `Via: ${s.via ?? 'SIP/2.0/UDP 127.0.0.1:5099'}${branch}`,
    `From: <sip:alice@127.0.0.1>;tag=${s.fromTag ?? 'f1'}`,
    `To: <sip:bob@127.0.0.1>${s.toTag ? `;tag=${s.toTag}` : ''}`,
    `Call-ID: ${s.callId ?? 'call-1@127.0.0.1'}`,
    `CSeq: ${s.cseq ?? 1} ${s.cseqMethod ?? method}`,
    'Max-Forwards: 70',
    ...(s.extra ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

export function request(s: RequestSpec = {}): SipRequest {
  const m = parseMessage(Buffer.from(requestText(s)));
  if (!m.isRequest()) throw new Error('not a request');
  return m;
}

export function responseTo(req: SipRequest, status: number, toTag = 'remote1'): SipResponse {
  const lines = [
    `SIP/2.0 ${status} Whatever`,
    ...req.getHeaders('via').map((h) => `Via: ${h.value}`),
    `From: ${req.header('from') ?? ''}`,
    `To: ${req.header('to') ?? ''}${status > 100 ? `;tag=${toTag}` : ''}`,
    `Call-ID: ${req.callId()}`,
    `CSeq: ${req.header('cseq') ?? ''}`,
    'Content-Length: 0',
    '',
    '',
  ];
  const m = parseMessage(Buffer.from(lines.join('\r\n')));
  if (!m.isResponse()) throw new Error('not a response');
  return m;
}

export const udpFlow: Flow = {
  transport: 'udp',
  localAddress: '127.0.0.1',
  localPort: 5060,
  remoteAddress: '127.0.0.1',
  remotePort: 5099,
};

export const tcpFlow: Flow = { ...udpFlow, transport: 'tcp', connectionId: 1 };
