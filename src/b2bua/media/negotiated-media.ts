/**
 * What the call views show of a call's media, read from the SDP each leg sends whichever engine relays it
 * (or none, in flow-around): each leg's media address and port, and the codec the answer chose. The
 * SBC's own rewritten SDP is not read here: these are the far ends' facts.
 */
import { formatKind } from '../../media/codec-class.js';
import { Sdp, type MediaSection } from '../../media/sdp.js';
import type { CallRecord, NegotiatedCodec } from '../../state/call-store.js';

/** RFC 3551 §4.5: audio without a=ptime is sent in 20 ms packets. */
const DEFAULT_PTIME_MS = 20;

/** The first stream of an SDP that is in use (not rejected with port 0), or null. */
function firstInUse(sdp: Sdp): MediaSection | null {
  return sdp.media.find((m) => !m.rejected) ?? null;
}

function ptimeOf(m: MediaSection | null | undefined): number | null {
  const v = Number(m?.attributes('ptime')[0]);
  return Number.isFinite(v) && v > 0 ? v : null;
}

function codecName(m: MediaSection, pt: string): string {
  const known = formatKind(m, pt);
  if (known !== null) return known;
  return m.rtpmaps().get(pt)?.encoding.toLowerCase() ?? (m.media === 'image' ? pt : `pt${pt}`);
}

function parsed(body: Buffer): Sdp | null {
  try {
    return Sdp.parse(body.toString('latin1'));
  } catch {
    return null; // unreadable SDP is the media engine's to refuse; the views just learn nothing from it
  }
}

/**
 * Note the SDP that leg `from` sent: its media address and a=ptime on that leg's record, and with an
 * answer the negotiated codec (RFC 3264 §6.1: the answer's formats are the ones the answerer will use,
 * most preferred first), its packetization the answer's a=ptime, else the offerer's, else 20 ms.
 */
export function noteSdp(record: CallRecord, from: 'a' | 'b', body: Buffer, kind: 'offer' | 'answer'): void {
  const [leg, other] = from === 'a' ? [record.aLeg, record.bLeg] : [record.bLeg, record.aLeg];
  const sdp = parsed(body);
  if (leg === null || sdp === null) return;
  const m = firstInUse(sdp);
  const address = m?.connection?.address;
  leg.media = m === null || address === undefined ? null : { address, port: m.port, ptimeMs: ptimeOf(m) };
  const pt = m?.formats[0];
  if (kind !== 'answer' || m === null || pt === undefined) return;
  const codec: NegotiatedCodec = {
    name: codecName(m, pt),
    payloadType: /^[0-9]+$/.test(pt) ? Number(pt) : null,
    ptimeMs: ptimeOf(m) ?? other?.media?.ptimeMs ?? DEFAULT_PTIME_MS,
    media: m.media,
  };
  record.codec = codec;
}
