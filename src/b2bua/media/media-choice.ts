/** Which media a call attempt gets (flow-through, flow-around, codec classes), and how a call ends for want of it. */
import type { MediaEngine } from './media-engine.js';
import type { DialPeer } from '../../routing/dial-peer.js';
import type { Call } from '../call.js';
import { CallMedia } from './call-media.js';

/**
 * Flow-through or flow-around for this attempt of the call (the outbound dial-peer's choice, the inbound
 * one's, the global one), and the codec classes of both legs. A call needs no CallMedia when its media flows
 * around and neither dial-peer has a codec class.
 */
export function chooseMedia(
  call: Call,
  peer: DialPeer,
  global: { engine: MediaEngine; address: string; mode: 'flow-through' | 'flow-around' } | undefined,
): void {
  const through =
    (peer.media ?? call.inbound.media ?? global?.mode ?? 'flow-around') === 'flow-through' && global !== undefined;
  if (call.media !== null && call.media.relayed !== through) {
    call.media.close(); // hunting between a flow-through and a flow-around dial-peer
    call.media = null;
  }
  if (call.media === null && (through || peer.voiceClassCodec !== null || call.inbound.voiceClassCodec !== null)) {
    call.media = new CallMedia(through ? global.engine : null, global?.address ?? '', call.id);
  }
  if (call.media !== null) {
    call.media.codecs.a = call.inbound.voiceClassCodec;
    call.media.codecs.b = peer.voiceClassCodec;
    call.media.dtmf.a = call.inbound.dtmfRelay;
    call.media.dtmf.b = peer.dtmfRelay;
  }
}

/** What the call-detail record says when the relay ended a silent call (Q.850 41, temporary failure). */
export const MEDIA_INACTIVITY = { cause: 41, text: 'media inactivity' };
