/**
 * What endpoints say about themselves in their media, hidden in flow-through (topology hiding): the
 * canonical name of RTCP SDES (RFC 3550 §6.5.1), which softphones write as `user@host` or even a SIP URI
 * with their address and port, and its copies in SDP (`a=ssrc:<n> cname:`, RFC 5576 §6.1; `a=msid`,
 * RFC 8830). Each becomes a token that names nothing: the same original gives the same token within a call
 * (receivers group a call's streams by CNAME for lip sync), and nothing of the original can be read from it.
 */
import crypto from 'node:crypto';
import type { Sdp } from './sdp.js';

/** The token standing for `original` in the call whose media session is `session` (its random id). */
export function identityToken(session: string, original: string): string {
  return crypto.createHash('sha256').update(session).update('\0').update(original).digest('base64url').slice(0, 16);
}

/** `a=ssrc:` attributes whose values name an endpoint (RFC 5576 §6; msid, mslabel and label: WebRTC's). */
const SSRC_NAMING = /^(a=ssrc:\d+ (?:cname|msid|mslabel|label):)(.*)$/;

/**
 * Every identity in the SDP's attributes replaced by its token (RFC 8830 §2: `-` is no stream id), but the
 * `a=ssrc` cname of the media sections in `keepCname` (SRTP ones: the SRTCP reports carry the same CNAME
 * encrypted to the same far end, where the relay cannot change it, so a token in the SDP would hide nothing
 * and only contradict them; RFC 5576 §6.1 makes the two the same name).
 */
export function hideSdpIdentity(sdp: Sdp, session: string, keepCname: ReadonlySet<number> = new Set()): void {
  const token = (v: string): string => (v === '-' || v === '*' ? v : identityToken(session, v));
  const tokens = (values: string): string =>
    values
      .split(' ')
      .filter((v) => v !== '')
      .map(token)
      .join(' ');
  const kept = new Set<number>();
  for (const m of sdp.media) if (keepCname.has(m.index)) for (let i = m.range[0]; i < m.range[1]; i++) kept.add(i);
  for (let i = 0; i < sdp.lines.length; i++) {
    const line = sdp.lines[i] ?? '';
    const ssrc = SSRC_NAMING.exec(line);
    if (ssrc !== null) {
      if (!(kept.has(i) && ssrc[1]?.endsWith(' cname:'))) sdp.lines[i] = `${ssrc[1]}${tokens(ssrc[2] ?? '')}`;
    } else if (line.startsWith('a=msid:')) sdp.lines[i] = `a=msid:${tokens(line.slice(7))}`;
    else if (line.startsWith('a=msid-semantic:')) {
      // `a=msid-semantic: WMS <stream ids>`: the semantic stays, the ids become tokens
      const [semantic = '', ...ids] = line.slice(16).trim().split(' ');
      sdp.lines[i] = `a=msid-semantic: ${[semantic, ...ids.map(token)].join(' ')}`;
    }
  }
}

const SDES = 202;
const CNAME = 1;
/** SDES items kept besides CNAME: TOOL (6) names software, not a party; NAME, EMAIL, PHONE, LOC, NOTE, PRIV go. */
const KEPT_ITEMS = new Set([6]);

/**
 * A compound RTCP packet with the CNAME of every SDES chunk replaced by its token and the other personal
 * items taken out. A packet that does not parse as RTCP end to end (SRTCP: encrypted after its first 8
 * bytes, with an index and a tag after the compound) is returned as it is: it cannot be read, nor changed
 * without breaking its authentication (RFC 3711 §3.4).
 */
export function hideRtcpIdentity(msg: Buffer, session: string): Buffer {
  const packets: Buffer[] = [];
  let changed = false;
  let at = 0;
  while (at < msg.length) {
    if (at + 4 > msg.length || msg[at]! >> 6 !== 2) return msg;
    const end = at + 4 * (msg.readUInt16BE(at + 2) + 1);
    if (end > msg.length) return msg;
    const packet = msg.subarray(at, end);
    if (packet[1] === SDES) {
      const rebuilt = sdesWithTokens(packet, session);
      if (rebuilt === null) return msg;
      packets.push(rebuilt);
      changed = true;
    } else packets.push(packet);
    at = end;
  }
  return changed ? Buffer.concat(packets) : msg;
}

/** One SDES packet (RFC 3550 §6.5) rebuilt, or null when its chunks do not parse. */
function sdesWithTokens(packet: Buffer, session: string): Buffer | null {
  const padded = (packet[0]! & 0x20) !== 0;
  const end = packet.length - (padded ? packet[packet.length - 1]! : 0);
  const count = packet[0]! & 0x1f;
  const chunks: Buffer[] = [];
  let at = 4;
  for (let c = 0; c < count; c++) {
    if (at + 4 > end) return null;
    const items: Buffer[] = [packet.subarray(at, at + 4)]; // the SSRC/CSRC
    at += 4;
    for (;;) {
      if (at >= end) return null;
      const type = packet[at]!;
      if (type === 0) break; // END: the chunk's null octets follow, up to a 32-bit boundary
      if (at + 2 > end || at + 2 + packet[at + 1]! > end) return null;
      const value = packet.subarray(at + 2, at + 2 + packet[at + 1]!);
      if (type === CNAME) {
        const token = Buffer.from(identityToken(session, value.toString('latin1')), 'latin1');
        items.push(Buffer.from([CNAME, token.length]), token);
      } else if (KEPT_ITEMS.has(type)) items.push(packet.subarray(at, at + 2 + value.length));
      at += 2 + value.length;
    }
    at = (at + 4) & ~3; // past END and the null octets (RFC 3550 §6.5: to the next 32-bit boundary)
    const body = Buffer.concat(items);
    chunks.push(body, Buffer.alloc(4 - (body.length % 4))); // END plus padding: at least one null octet
  }
  const payload = Buffer.concat(chunks);
  const header = Buffer.from([0x80 | count, SDES, 0, 0]);
  header.writeUInt16BE(payload.length / 4, 2);
  return Buffer.concat([header, payload]);
}
