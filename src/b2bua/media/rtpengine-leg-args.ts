/**
 * What rtpengine is asked to do toward a leg in an offer or answer, from that leg's dial-peer: its SRTP
 * (`srtp`) and DTMF interworking (`dtmfRelay`). Plain data for the ng command; rtpengine-call-media.ts
 * sends it.
 */
import type { NgDict } from '../../media/rtpengine/ng-client.js';
import { type SrtpPolicy, mentionsSrtp } from './srtp-policy.js';

/** Suites that authenticate but do not encrypt: never offered on our own (RFC 4568 §6.2's NULL cipher). */
const SDES_OFFER = ['no-NULL_HMAC_SHA1_80', 'no-NULL_HMAC_SHA1_32'];

/**
 * How rtpengine offers to a leg, from that leg's dial-peer `srtp`: SDES-SRTP (RTP/SAVP; DTLS-SRTP is for
 * UDP/TLS profiles, which SIP trunks do not speak), RFC 8643's opportunistic SRTP (RTP/AVP with keys, so
 * an RTP-only answer still works), the SRTP of the other leg untouched, or plain RTP (only said when
 * the offer carries SRTP; otherwise there is nothing to change).
 */
export function srtpArgs(toward: SrtpPolicy, offer: string): NgDict & { flags?: string[] } {
  switch (toward) {
    case 'required':
      return { 'transport-protocol': 'RTP/SAVP', DTLS: 'off', SDES: SDES_OFFER };
    case 'fallback':
      return { 'transport-protocol': 'RTP/AVP', OSRTP: ['offer'], DTLS: 'off', SDES: SDES_OFFER };
    case 'pass-thru':
      return { flags: ['passthrough'] };
    case 'off':
      return mentionsSrtp(offer) ? { 'transport-protocol': 'RTP/AVP', DTLS: 'off', SDES: ['off'] } : {};
  }
}

/**
 * DTMF interworking (one leg rtp-nte, the other sip-info): rtpengine must be able to play digits into the
 * call (`inject DTMF`, in offers and answers alike), the rtp-nte leg is always offered telephone-event
 * (rtpengine adds it when the offer has none) and the sip-info leg never is, as with the built-in relay.
 */
export function dtmfArgs(
  kind: 'offer' | 'answer',
  toward: 'rtp-nte' | 'sip-info' | null,
): NgDict & { flags?: string[] } {
  if (kind === 'answer') return { flags: ['inject-DTMF'] };
  const codec = toward === 'rtp-nte' ? { transcode: ['telephone-event'] } : { consume: ['telephone-event'] };
  return { codec, flags: ['inject-DTMF'] };
}
