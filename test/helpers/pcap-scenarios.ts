/** SIPp callers that play RTP from pcap files: the built-in uac_pcap (fixture), and variants of it. */
import fs from 'node:fs';

/**
 * The built-in scenario as `sipp -sd uac_pcap` prints it: G.711 audio (4.7 s), then the RFC 2833 digit '1';
 * except that every call sends its RTP from the `-mp` port itself. SIPp's [auto_media_port] gives call n the
 * port `-mp` + 4(n - 1) (mod 10,000), sent from through a raw socket that binds nothing: a caller of many
 * calls sent RTP from, and drew echoes to, hundreds of ports that no check had reserved, among them the
 * ports other tests' SIPp had bound (a stray echo reached another test's callee), and past 65535 the port
 * wrapped (one call sent from port 0). The SBC tells calls apart by its own ports, so one caller port will do.
 */
export function uacPcap(): string {
  return fs
    .readFileSync(new URL('../../../test/fixtures/uac_pcap.xml', import.meta.url), 'utf8')
    .replace('[auto_media_port]', '[media_port]');
}

/** uac_pcap playing only the digit (a few packets), `beforeMs` after the answer, hanging up `afterMs` later. */
export function digitCall(beforeMs: number, afterMs: number): string {
  return uacPcap()
    .replace(/<nop>\s*<action>\s*<exec play_pcap_audio="pcap\/g711a.pcap"\/>\s*<\/action>\s*<\/nop>/, '')
    .replace('<pause milliseconds="8000"/>', beforeMs > 0 ? `<pause milliseconds="${beforeMs}"/>` : '')
    .replace('<pause milliseconds="1000"/>', `<pause milliseconds="${afterMs}"/>`);
}
