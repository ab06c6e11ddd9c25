/**
 * What a dial-peer's `srtp` asks of the SDP on its leg, whichever engine relays the call. An RTP stream is
 * SRTP when its profile is one of the secure ones (RFC 3711 §12: RTP/SAVP, RTP/SAVPF; RFC 5764 §8:
 * UDP/TLS/RTP/SAVP(F) for DTLS-SRTP). Plain RTP carrying `a=crypto` (RFC 8643's opportunistic SRTP) is
 * not: `required` means no RTP fallback, as CUBE's `srtp` does.
 */
import type { SrtpPolicy } from '../../config/dial-config.js';
import type { MediaSection, Sdp } from '../../media/sdp.js';
import { MediaFailure } from './media-failure.js';

export type { SrtpPolicy } from '../../config/dial-config.js';

/** An RTP stream (not T.38's UDPTL, nor any other non-RTP transport) that is in use (port not 0). */
function activeRtp(m: MediaSection): boolean {
  return !m.rejected && m.proto.toUpperCase().includes('RTP/');
}

export function isSrtp(m: MediaSection): boolean {
  return m.proto.toUpperCase().includes('/SAVP');
}

/**
 * Whether SDP text mentions SRTP anywhere (a SAVP profile, SDES keys, a DTLS fingerprint), read without
 * parsing it: enough to decide that rtpengine must be told to offer plain RTP.
 */
export function mentionsSrtp(text: string): boolean {
  return /\/SAVP|^a=crypto:|^a=fingerprint:/m.test(text);
}

/**
 * 488 when `policy` is `required` and an RTP stream of this SDP is plain RTP (`leg` names the dial-peer's
 * side in the Warning: the caller's offer, the callee's answer, or what would be offered to a leg).
 */
export function srtpRefusal(sdp: Sdp, policy: SrtpPolicy, what: string): MediaFailure | null {
  if (policy !== 'required') return null;
  const plain = sdp.media.find((m) => activeRtp(m) && !isSrtp(m));
  return plain === undefined
    ? null
    : new MediaFailure(488, `srtp required: ${what} has ${plain.media} over ${plain.proto} (plain RTP)`);
}
