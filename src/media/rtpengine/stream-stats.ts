/**
 * rtpengine's per-stream counters (the reply to `query`, and to `delete`, which carries the same) in the
 * shape the built-in relay reports, so that `show` and `/metrics` read both engines alike. In rtpengine's
 * reply each monologue (a tag: one leg) lists its media, and each media its RTP and RTCP streams: the port
 * rtpengine faces that leg with, where it sends to that leg (`endpoint`, latched once `confirmed`), and what
 * it received from that leg. Loss and jitter come from the leg's RTCP reports, per SSRC (rtpengine computes
 * nothing from RTP alone): without RTCP they read 0, as the built-in relay's do before its first packet.
 */
import type { BValue } from './bencode.js';
import type { NgDict } from './ng-client.js';
import type { SideStats, StreamStatsReport } from '../relay-protocol.js';

const dict = (v: BValue | undefined): NgDict => (typeof v === 'object' && !Array.isArray(v) ? v : {});
const list = (v: BValue | undefined): BValue[] => (Array.isArray(v) ? v : []);
const num = (v: BValue | undefined): number => (typeof v === 'number' ? v : 0);
const strs = (v: BValue | undefined): string[] => list(v).map(String);

const EMPTY: SideStats = {
  localPort: 0,
  remote: null,
  latched: false,
  packets: 0,
  bytes: 0,
  lost: 0,
  jitterMs: 0,
  lastArrival: null,
  forwarded: 0,
  dropped: 0,
  rttMs: null,
};

/** The RTP stream of one medium of one monologue, as one side of a report. */
function side(media: NgDict, ssrcs: NgDict): SideStats {
  const rtp = list(media['streams'])
    .map(dict)
    .find((s) => strs(s['flags']).includes('RTP'));
  if (rtp === undefined) return EMPTY;
  const stats = dict(rtp['stats']);
  const endpoint = dict(rtp['endpoint']);
  const address = endpoint['address'];
  const packets = num(stats['packets']);
  const errors = num(stats['errors']);
  const last = num(rtp['last packet']);
  // the leg's own SSRC: its RTCP reports (RFC 3550 §6.4) say what it lost and its jitter; MOS x10, times in µs
  const ssrc = rtp['SSRC'] === undefined ? {} : dict(ssrcs[String(num(rtp['SSRC']))]);
  const average = dict(ssrc['average MOS']);
  const reported = Object.keys(average).length > 0;
  return {
    localPort: num(rtp['local port']),
    remote: typeof address === 'string' && address !== '' ? { address, port: num(endpoint['port']) } : null,
    latched: strs(rtp['flags']).includes('confirmed'),
    packets,
    bytes: num(stats['bytes']),
    lost: num(ssrc['cumulative loss']),
    jitterMs: num(average['jitter']),
    lastArrival: packets > 0 && last > 0 ? last * 1000 : null,
    forwarded: Math.max(0, packets - errors),
    dropped: errors,
    rttMs: reported ? Math.round(num(average['round-trip time']) / 1000) : null,
  };
}

/**
 * One report per medium of the call, from the monologues tagged `tags.a` and `tags.b` (the legs). Media are
 * numbered from 0 as the SDP's m= lines are; a medium only one leg has yet (an offer not yet answered)
 * reports the other side empty.
 */
export function streamReports(reply: NgDict, tags: { a: string; b: string }): StreamStatsReport[] {
  const monologues = dict(reply['tags']);
  const ssrcs = dict(reply['SSRC']);
  const media = (tag: string): NgDict[] => list(dict(monologues[tag])['medias']).map(dict);
  const a = media(tags.a);
  const b = media(tags.b);
  const out: StreamStatsReport[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const ma = a[i];
    const mb = b[i];
    out.push({
      stream: i,
      a: ma === undefined ? EMPTY : side(ma, ssrcs),
      b: mb === undefined ? EMPTY : side(mb, ssrcs),
    });
  }
  return out;
}
