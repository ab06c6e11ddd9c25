/** Which media a call attempt gets (flow-through, flow-around, codec classes), and how a call ends for want of it. */
import type { CallMediaSession } from './call-media-session.js';
import type { MediaEngine } from './media-engine.js';
import type { DialPeer } from '../../routing/dial-peer.js';
import type { Call } from '../call.js';
import { CallMedia } from './call-media.js';
import { RtpengineCallMedia, type RtpengineMediaOptions } from './rtpengine-call-media.js';
import type { RtpengineFleet } from '../../media/rtpengine/fleet.js';
import type { StreamStatsReport } from '../../media/relay-protocol.js';

/** The media the B2BUA is given: the built-in relay, rtpengine when configured, and the defaults. */
export interface MediaChoices {
  engine: MediaEngine;
  address: string;
  mode: 'flow-through' | 'flow-around';
  /** The engine of flow-through calls whose dial-peers do not choose (default builtin). */
  defaultEngine?: 'builtin' | 'rtpengine';
  rtpengine?: RtpengineFleet | null;
  /** Told of what rtpengine could not do for a call (a failed delete). */
  warn?: (what: string, err: unknown, callId: string) => void;
  /** Something a call's dial-peers asked for is switched off for it, and why (logged once per call). */
  note?: (what: string, callId: string) => void;
  /** A call rtpengine relayed has ended: its final counters. */
  closed?: (report: StreamStatsReport[]) => void;
  /** rtpengine calls: no RTP for this long (ms) after the answer ends the call (`media.inactivitySeconds`). */
  inactivityMs?: number;
  /** The same while either leg holds the call (`media.holdInactivitySeconds`; 0: never). */
  holdInactivityMs?: number;
  inactive?: (callId: string) => void;
}

/**
 * Flow-through or flow-around for this attempt of the call (the outbound dial-peer's choice, the inbound
 * one's, the global one), and the codec classes and SRTP policies of both legs. A call needs no CallMedia when
 * its media flows around and neither dial-peer has a codec class or requires SRTP.
 */
export function chooseMedia(call: Call, peer: DialPeer, global: MediaChoices | undefined): void {
  const through =
    (peer.media ?? call.inbound.media ?? global?.mode ?? 'flow-around') === 'flow-through' && global !== undefined;
  const engine = through ? (peer.mediaEngine ?? call.inbound.mediaEngine ?? global.defaultEngine ?? 'builtin') : null;
  if (call.media !== null && call.media.engineKind !== engine) {
    call.media.close(); // hunting between dial-peers whose media go different ways
    call.media = null;
  }
  if (call.media === null && engine === 'rtpengine' && global?.rtpengine) {
    const fleet = global.rtpengine;
    call.media = new RtpengineCallMedia({
      fleet,
      ng: fleet.choose(),
      id: call.id,
      warn: (what, err) => global.warn?.(what, err, call.id),
      ...rtpengineHooks(global, call.id),
    });
  } else if (
    call.media === null &&
    (through ||
      peer.voiceClassCodec !== null ||
      call.inbound.voiceClassCodec !== null ||
      peer.srtp === 'required' ||
      call.inbound.srtp === 'required')
  ) {
    call.media = new CallMedia(through ? global.engine : null, global?.address ?? '', call.id, (what) =>
      global?.note?.(what, call.id),
    );
  }
  if (call.media !== null) applyDialPeers(call.media, call.inbound, peer);
}

/** What an rtpengine call tells the node: its final counters, and that it has been silent too long. */
export function rtpengineHooks(
  global: MediaChoices,
  id: string,
): Pick<RtpengineMediaOptions, 'closed' | 'inactivityMs' | 'holdInactivityMs' | 'inactive'> {
  return {
    ...(global.closed !== undefined ? { closed: global.closed } : {}),
    inactivityMs: global.inactivityMs ?? 0,
    holdInactivityMs: global.holdInactivityMs ?? 0,
    inactive: () => global.inactive?.(id),
  };
}

/** What each leg's dial-peer asks of the call's media: codec class, DTMF relay, SRTP, media interface. */
export function applyDialPeers(media: CallMediaSession, inbound: DialPeer, outbound: DialPeer | null): void {
  media.codecs.a = inbound.voiceClassCodec;
  media.codecs.b = outbound?.voiceClassCodec ?? null;
  media.dtmf.a = inbound.dtmfRelay;
  media.dtmf.b = outbound?.dtmfRelay ?? null;
  media.srtp.a = inbound.srtp;
  media.srtp.b = outbound?.srtp ?? 'off';
  media.interfaces.a = inbound.mediaInterface;
  media.interfaces.b = outbound?.mediaInterface ?? null;
}

/** What the call-detail record says when the relay ended a silent call (Q.850 41, temporary failure). */
export const MEDIA_INACTIVITY = { cause: 41, text: 'media inactivity' };
