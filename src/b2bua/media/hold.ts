/**
 * Whether an SDP puts its sender's call on hold (RFC 3264 §8.4): an audio stream in use that is not
 * `sendrecv`, or whose connection address is 0.0.0.0 (RFC 2543's old form). A held leg may send no RTP
 * at all, so media inactivity has a limit of its own for held calls, whichever engine relays them.
 */
import type { Sdp } from '../../media/sdp.js';

export function holds(sdp: Sdp): boolean {
  return sdp.media.some(
    (m) =>
      m.media === 'audio' &&
      !m.rejected &&
      (m.direction !== 'sendrecv' || m.connection?.address === '0.0.0.0' || m.connection?.address === '::'),
  );
}

/** Whether SDP text could hold a call at all, read without parsing it (most SDP cannot: no parse then). */
export function mayHold(text: string): boolean {
  return /^a=(?:sendonly|recvonly|inactive)\r?$|^c=IN IP[46] (?:0\.0\.0\.0|::)\r?$/m.test(text);
}
