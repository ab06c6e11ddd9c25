/**
 * A user agent that replays the byte-exact real-peer messages: each is parsed and only what must change
 * on loopback is rewritten (Request-URI, Via, tags, Call-ID, Contact, private addresses in the SDP);
 * every other header stays as the real product sent it.
 */
import { eventually } from './eventually.js';
import { randomBytes } from 'node:crypto';
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/sip-message.js';
import { realPeerMessage } from './corpus.js';
import { UdpPeer } from './net.js';

export interface Rewrite {
  ruri: string;
  fromTag?: string;
  toTag?: string;
  callId: string;
}

export class ReplayUa {
  private constructor(
    readonly peer: UdpPeer,
    private readonly sbcPort: number,
  ) {}

  static async open(sbcPort: number): Promise<ReplayUa> {
    return new ReplayUa(await UdpPeer.open(), sbcPort);
  }

  /** The real message `file`, rewritten for this loopback run. */
  adapt(file: string, r: Rewrite): SipRequest {
    const m = parseMessage(realPeerMessage(file));
    if (!m.isRequest()) throw new Error(`${file} is not a request`);
    m.requestUri = r.ruri;
    m.setHeader('Via', `SIP/2.0/UDP 127.0.0.1:${this.peer.port};rport;branch=z9hG4bK${randomBytes(8).toString('hex')}`);
    m.setHeader('Call-ID', r.callId);
    if (r.fromTag !== undefined)
      m.setHeader('From', m.header('from')?.replace(/;tag=[^;>]+/, `;tag=${r.fromTag}`) ?? '');
    const to = (m.header('to') ?? '').replace(/;tag=[^;>]+/, '');
    m.setHeader('To', r.toTag === undefined ? to : `${to};tag=${r.toTag}`);
    if (m.hasHeader('contact')) m.setHeader('Contact', `<sip:127.0.0.1:${this.peer.port}>`);
    if (m.body.length > 0)
      m.setBody(
        Buffer.from(m.body.toString('latin1').replace(/192\.168\.\d+\.\d+/g, '127.0.0.1'), 'latin1'),
        m.contentType(),
      );
    return m;
  }

  send(m: SipRequest): void {
    this.peer.send(m.serialize(), this.sbcPort);
  }

  /** The first message received for `callId` that `pred` accepts (waits up to `ms`). */
  async expect(callId: string, pred: (m: SipMessage) => boolean, ms = 20_000): Promise<SipMessage> {
    const find = (): SipMessage | undefined =>
      this.peer.received.map((b) => parseMessage(b)).find((m) => m.header('call-id') === callId && pred(m));
    if (await eventually(() => find() !== undefined, { ms, everyMs: 10 })) return find() as SipMessage;
    throw new Error(
      `no matching message for ${callId}; got:\n${this.peer.received.map((b) => b.toString('latin1').split('\r\n')[0]).join('\n')}`,
    );
  }

  async response(callId: string, status: number, method: string): Promise<SipResponse> {
    const m = await this.expect(callId, (x) => x.isResponse() && x.status === status && x.cseq().method === method);
    if (!m.isResponse()) throw new Error('not a response');
    return m;
  }

  close(): void {
    this.peer.close();
  }
}
