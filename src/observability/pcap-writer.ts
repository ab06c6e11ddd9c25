/**
 * Standard pcap (libpcap 2.4, microsecond timestamps, Ethernet link type) of what the SBC sent and
 * received: each message is framed as the kernel would have put it on the wire, with the real addresses
 * and ports (synthesized Ethernet, IPv4 or IPv6, and UDP or TCP headers), so Wireshark and tshark decode
 * SIP and RTP as from a real capture.
 */

export interface WirePacket {
  /** ms since the epoch (fractions kept down to the µs). */
  at: number;
  src: { address: string; port: number };
  dst: { address: string; port: number };
  /** TLS is written as the TCP it rides on, with the SIP in clear (the SBC captures before encryption). */
  transport: 'udp' | 'tcp' | 'tls';
  payload: Buffer;
}

export const PCAP_HEADER_BYTES = 24;

/** The file header: magic a1b2c3d4 (µs timestamps), version 2.4, snaplen 262144, Ethernet. */
export function pcapFileHeader(): Buffer {
  const b = Buffer.alloc(PCAP_HEADER_BYTES);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(262144, 16);
  b.writeUInt32LE(1, 20);
  return b;
}

function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

function ipv6Bytes(a: string): Buffer {
  const bare = a.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const [head = '', tail] = bare.split('::');
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(g & 0xffff, 2 * i));
  return b;
}

/** The 16-bit ones' complement sum used by IP, UDP and TCP checksums. */
function checksum(parts: Buffer[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i + 1 < p.length; i += 2) sum += p.readUInt16BE(i);
    if (p.length % 2 === 1) sum += (p[p.length - 1] as number) << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** TCP sequence numbers per direction of a flow, so that Wireshark reassembles SIP over TCP. */
const tcpSeq = new Map<string, number>();

function transportHeader(p: WirePacket, pseudo: (length: number, proto: number) => Buffer): Buffer {
  if (p.transport === 'udp') {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(p.src.port, 0);
    h.writeUInt16BE(p.dst.port, 2);
    h.writeUInt16BE(8 + p.payload.length, 4);
    h.writeUInt16BE(checksum([pseudo(8 + p.payload.length, 17), h, p.payload]) || 0xffff, 6);
    return h;
  }
  const key = `${p.src.address}:${p.src.port}>${p.dst.address}:${p.dst.port}`;
  const seq = tcpSeq.get(key) ?? 1;
  tcpSeq.set(key, (seq + p.payload.length) >>> 0);
  if (tcpSeq.size > 10_000) tcpSeq.clear();
  const h = Buffer.alloc(20);
  h.writeUInt16BE(p.src.port, 0);
  h.writeUInt16BE(p.dst.port, 2);
  h.writeUInt32BE(seq, 4);
  h.writeUInt32BE(1, 8);
  h.writeUInt8(5 << 4, 12); // header length: 5 words
  h.writeUInt8(0x18, 13); // PSH, ACK
  h.writeUInt16BE(65535, 14);
  h.writeUInt16BE(checksum([pseudo(20 + p.payload.length, 6), h, p.payload]), 16);
  return h;
}

/** One record: the pcap record header, then the Ethernet frame. */
export function pcapRecord(p: WirePacket): Buffer {
  const v6 = p.src.address.includes(':');
  const src = v6 ? ipv6Bytes(p.src.address) : ipv4Bytes(p.src.address);
  const dst = v6 ? ipv6Bytes(p.dst.address) : ipv4Bytes(p.dst.address);
  const proto = p.transport === 'udp' ? 17 : 6;
  const pseudo = (length: number, protocol: number): Buffer => {
    const b = Buffer.alloc(v6 ? 40 : 12);
    if (v6) {
      src.copy(b, 0);
      dst.copy(b, 16);
      b.writeUInt32BE(length, 32);
      b.writeUInt8(protocol, 39);
    } else {
      src.copy(b, 0);
      dst.copy(b, 4);
      b.writeUInt8(protocol, 9);
      b.writeUInt16BE(length, 10);
    }
    return b;
  };
  const l4 = transportHeader(p, pseudo);
  const l4Length = l4.length + p.payload.length;
  let ip: Buffer;
  if (v6) {
    ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(l4Length, 4);
    ip.writeUInt8(proto, 6);
    ip.writeUInt8(64, 7);
    src.copy(ip, 8);
    dst.copy(ip, 24);
  } else {
    ip = Buffer.alloc(20);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(20 + l4Length, 2);
    ip.writeUInt16BE(0x4000, 6); // don't fragment
    ip.writeUInt8(64, 8);
    ip.writeUInt8(proto, 9);
    src.copy(ip, 12);
    dst.copy(ip, 16);
    ip.writeUInt16BE(checksum([ip]), 10);
  }
  const eth = Buffer.from([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00]);
  const frameLength = eth.length + ip.length + l4Length;
  const rec = Buffer.alloc(16);
  const us = Math.round(p.at * 1000);
  rec.writeUInt32LE(Math.floor(us / 1e6), 0);
  rec.writeUInt32LE(us % 1e6, 4);
  rec.writeUInt32LE(frameLength, 8);
  rec.writeUInt32LE(frameLength, 12);
  return Buffer.concat([rec, eth, ip, l4, p.payload]);
}
