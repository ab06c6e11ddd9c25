/**
 * CUCM's delayed-offer call, replayed from the real-peer messages (see replay-ua.ts): the INVITE without
 * SDP, the ACK that carries the caller's answer (its media at `rtpPort` on loopback), and the BYE.
 */
import type { SipResponse } from '../../src/sip/sip-message.js';
import type { ReplayUa } from './replay-ua.js';
import type { TestAppOptions } from './app.js';

/** The dial-peer CUCM's call to 1000x leaves on: early offer forced, G.711 both laws offered. */
export function earlyOfferTo(port: number): Pick<TestAppOptions, 'codecClasses' | 'dialPeers'> {
  return {
    codecClasses: [{ kind: 'codec', tag: 3, preferences: ['g711ulaw', 'g711alaw'], offerAll: true }],
    dialPeers: [
      {
        tag: 6,
        destinationPattern: '1000.$',
        sessionTarget: `ipv4:127.0.0.1:${port}`,
        earlyOfferForced: true,
        voiceClassCodec: 3,
      },
    ],
  };
}

export class CucmDelayedOffer {
  private ok: SipResponse | null = null;

  constructor(
    private readonly ua: ReplayUa,
    private readonly sbcPort: number,
    readonly callId = `eo-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
  ) {}

  /** Send the INVITE and wait for the 200 (whose SDP is the caller's offer). */
  async invite(): Promise<SipResponse> {
    this.ua.send(
      this.ua.adapt('cucm-invite-delayed-offer.sip', {
        ruri: `sip:10001@127.0.0.1:${this.sbcPort}`,
        callId: this.callId,
      }),
    );
    this.ok = await this.ua.response(this.callId, 200, 'INVITE');
    return this.ok;
  }

  private inDialog(): { ruri: string; callId: string; toTag: string } {
    const ok = this.ok;
    if (ok === null) throw new Error('no 200 yet');
    const contact = ok.contacts();
    return {
      ruri: contact === '*' ? '' : (contact[0]?.uri.raw ?? ''),
      callId: this.callId,
      toTag: ok.to().params.get('tag') ?? '',
    };
  }

  /** The ACK with CUCM's answer, its media moved to 127.0.0.1:`rtpPort` (RTCP on the next port). */
  ack(rtpPort: number): void {
    const ack = this.ua.adapt('cucm-ack-with-answer-sdp.sip', this.inDialog());
    const answer = ack.body
      .toString('latin1')
      .replace(/4070/g, String(rtpPort))
      .replace(/4071/g, String(rtpPort + 1))
      .replace(/^c=IN IP4 \S+/gm, 'c=IN IP4 127.0.0.1');
    ack.setBody(Buffer.from(answer, 'latin1'), 'application/sdp');
    this.ua.send(ack);
  }

  /** The caller hangs up; resolves on the 200 to its BYE. */
  async bye(): Promise<void> {
    const bye = this.ua.adapt('microsip-bye.sip', this.inDialog());
    bye.setHeader('From', `<sip:192.168.80.100>;tag=22130~27aa66c8-2714-422d-b044-24d65024d146-29314073`);
    bye.setHeader('CSeq', '102 BYE');
    this.ua.send(bye);
    await this.ua.response(this.callId, 200, 'BYE');
  }
}
