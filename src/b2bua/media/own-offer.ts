/**
 * The offer the SBC makes itself for a delayed-offer call (`earlyOfferForced`), whichever engine relays it:
 * the outbound codec class (every codec with offerAll, else the first), G.711 mu-law and A-law without one,
 * plus telephone-event, on one audio stream at `address:port`.
 */
import { isIPv6 } from 'node:net';
import { type CodecClass, offerFormats } from '../../media/codec-class.js';

/** What the SBC offers for a delayed-offer call when the outbound dial-peer has no codec class. */
export const OWN_OFFER_DEFAULT: CodecClass = { tag: 0, preferences: ['g711ulaw', 'g711alaw'], offerAll: true };

/** `rtcp`: name the RTCP port (port + 1) explicitly (RFC 3605). */
export function ownOfferSdp(cls: CodecClass | null, address: string, port: number, rtcp: boolean): string {
  const { formats, lines } = offerFormats(cls ?? OWN_OFFER_DEFAULT);
  const family = isIPv6(address) ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=FoSIP 0 0 IN ${family} ${address}`,
    's=SIP Call',
    `c=IN ${family} ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP ${formats.join(' ')}`,
    ...lines,
    ...(rtcp ? [`a=rtcp:${port + 1}`] : []),
    'a=sendrecv',
    '',
  ].join('\r\n');
}
