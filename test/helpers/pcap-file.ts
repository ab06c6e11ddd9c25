/**
 * A classic pcap file (Ethernet, IPv4, UDP) of datagrams `intervalMs` apart, for SIPp to play
 * (`play_pcap_image`, `play_pcap_audio`): SIPp takes the payloads and their timing, and sends them from
 * its own media port to the far end's SDP port, whatever addresses the file names.
 */
import fs from 'node:fs';

export function writeUdpPcap(file: string, payloads: Buffer[], intervalMs = 20): void {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // Ethernet
  const records = payloads.map((payload, i) => {
    const frame = Buffer.alloc(14 + 20 + 8 + payload.length);
    frame.writeUInt16BE(0x0800, 12); // IPv4
    const ip = 14;
    frame[ip] = 0x45;
    frame.writeUInt16BE(20 + 8 + payload.length, ip + 2);
    frame[ip + 8] = 64; // TTL
    frame[ip + 9] = 17; // UDP
    Buffer.from([127, 0, 0, 1]).copy(frame, ip + 12);
    Buffer.from([127, 0, 0, 1]).copy(frame, ip + 16);
    const udp = ip + 20;
    frame.writeUInt16BE(40000, udp);
    frame.writeUInt16BE(40002, udp + 2);
    frame.writeUInt16BE(8 + payload.length, udp + 4);
    payload.copy(frame, udp + 8);
    const at = i * intervalMs * 1000; // µs
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1_700_000_000 + Math.floor(at / 1e6), 0);
    record.writeUInt32LE(at % 1e6, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return Buffer.concat([record, frame]);
  });
  fs.writeFileSync(file, Buffer.concat([header, ...records]));
}
