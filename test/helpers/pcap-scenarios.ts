/** SIPp callers that play RTP from pcap files: the built-in uac_pcap (fixture), and variants of it. */
import fs from 'node:fs';

/** The built-in scenario as `sipp -sd uac_pcap` prints it: G.711 audio (4.7 s), then the RFC 2833 digit '1'. */
export function uacPcap(): string {
  return fs.readFileSync(new URL('../../../test/fixtures/uac_pcap.xml', import.meta.url), 'utf8');
}

/** uac_pcap playing only the digit (a few packets), `beforeMs` after the answer, hanging up `afterMs` later. */
export function digitCall(beforeMs: number, afterMs: number): string {
  return uacPcap()
    .replace(/<nop>\s*<action>\s*<exec play_pcap_audio="pcap\/g711a.pcap"\/>\s*<\/action>\s*<\/nop>/, '')
    .replace('<pause milliseconds="8000"/>', beforeMs > 0 ? `<pause milliseconds="${beforeMs}"/>` : '')
    .replace('<pause milliseconds="1000"/>', `<pause milliseconds="${afterMs}"/>`);
}
