/**
 * Codec classes (`voice class codec N`) applied to SDP: on the way to a leg, each audio stream keeps only
 * the codecs of that leg's class, in the class's order of preference, plus telephone-event (RFC 4733), so
 * DTMF keeps working. An offer left with no codec cannot go on (the offerer gets 488); an answer is never
 * emptied (it can no longer be refused), only trimmed.
 */
import type { MediaSection, Sdp } from './sdp.js';

export type CodecName = 'g711ulaw' | 'g711alaw' | 'g729r8' | 'g722' | 'opus' | 'ilbc';

export interface CodecClass {
  tag: number;
  preferences: CodecName[];
  offerAll: boolean;
}

interface CodecInfo {
  encoding: string;
  clockRate: number;
  /** The static payload type (RFC 3551), or the dynamic one we use when building an offer. */
  payloadType: number;
  channels?: number;
  fmtp?: string;
}

export const CODECS: Readonly<Record<CodecName, CodecInfo>> = {
  g711ulaw: { encoding: 'PCMU', clockRate: 8000, payloadType: 0 },
  g711alaw: { encoding: 'PCMA', clockRate: 8000, payloadType: 8 },
  g729r8: { encoding: 'G729', clockRate: 8000, payloadType: 18, fmtp: 'annexb=no' },
  g722: { encoding: 'G722', clockRate: 8000, payloadType: 9 },
  // dynamic payload types as CUBE numbers them (cube-reference §2: opus 114, iLBC 116)
  opus: { encoding: 'opus', clockRate: 48000, payloadType: 114, channels: 2 },
  ilbc: { encoding: 'iLBC', clockRate: 8000, payloadType: 116, fmtp: 'mode=30' },
};

/** RFC 3551's static payload types, for formats offered without an rtpmap line. */
const STATIC: Readonly<Record<string, string>> = {
  '0': 'PCMU/8000',
  '8': 'PCMA/8000',
  '9': 'G722/8000',
  '18': 'G729/8000',
};

/** What a format of an m= line is: one of our codecs, telephone-event, or something else. */
export function formatKind(m: MediaSection, pt: string): CodecName | 'telephone-event' | null {
  const map = m.rtpmaps().get(pt);
  const name = map ? `${map.encoding}/${map.clockRate}` : STATIC[pt];
  if (name === undefined) return null;
  const [encoding, rate] = name.split('/');
  if (encoding?.toLowerCase() === 'telephone-event') return 'telephone-event';
  for (const [codec, info] of Object.entries(CODECS) as Array<[CodecName, CodecInfo]>) {
    if (info.encoding.toLowerCase() === encoding?.toLowerCase() && info.clockRate === Number(rate)) return codec;
  }
  return null;
}

/**
 * Filter and order the audio streams of `sdp` by `cls`. Returns false when an offer would be left
 * without a codec in some audio stream (nothing is changed then).
 */
export function applyCodecClass(sdp: Sdp, cls: CodecClass, kind: 'offer' | 'answer'): boolean {
  const plans: Array<[MediaSection, string[]]> = [];
  for (const m of sdp.media) {
    if (m.media !== 'audio' || m.rejected) continue;
    const kept = m.formats
      .map((pt) => ({ pt, kind: formatKind(m, pt) }))
      .filter((f) => f.kind === 'telephone-event' || (f.kind !== null && cls.preferences.includes(f.kind)));
    const rank = (k: CodecName | 'telephone-event' | null): number =>
      k === 'telephone-event' ? 1000 : cls.preferences.indexOf(k as CodecName);
    kept.sort((x, y) => rank(x.kind) - rank(y.kind));
    if (!kept.some((f) => f.kind !== 'telephone-event')) {
      if (kind === 'offer') return false;
      continue; // an answer outside the class: left as it is rather than emptied
    }
    plans.push([m, kept.map((f) => f.pt)]);
  }
  for (const [m, formats] of plans) m.setFormats(formats);
  return true;
}

/** The m= line payload list, rtpmap and fmtp lines of an offer built from a class (delayed offer to early offer). */
export function offerFormats(cls: CodecClass): { formats: string[]; lines: string[] } {
  const list = cls.offerAll ? cls.preferences : cls.preferences.slice(0, 1);
  const formats: string[] = [];
  const lines: string[] = [];
  for (const name of list) {
    const c = CODECS[name];
    formats.push(String(c.payloadType));
    lines.push(`a=rtpmap:${c.payloadType} ${c.encoding}/${c.clockRate}${c.channels ? `/${c.channels}` : ''}`);
    if (c.fmtp) lines.push(`a=fmtp:${c.payloadType} ${c.fmtp}`);
  }
  formats.push('101');
  lines.push('a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16');
  return { formats, lines };
}
