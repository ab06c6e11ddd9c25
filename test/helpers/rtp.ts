/** RTP endpoints for media tests: a UDP socket that sends numbered G.711 packets and records what arrives. */
import { eventually } from './eventually.js';
import dgram from 'node:dgram';

export function rtpPacket(seq: number, ssrc = 0x1234, payloadType = 0, payloadBytes = 160): Buffer {
  const b = Buffer.alloc(12 + payloadBytes, 0xd5);
  b[0] = 0x80;
  b[1] = payloadType;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 160) >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

export class RtpEndpoint {
  readonly received: Array<{ seq: number; from: string; payloadType: number; marker: boolean }> = [];

  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg, from) =>
      this.received.push({
        seq: msg.length >= 4 ? msg.readUInt16BE(2) : -1,
        from: `${from.address}:${from.port}`,
        payloadType: (msg[1] ?? 0) & 0x7f,
        marker: ((msg[1] ?? 0) & 0x80) !== 0,
      }),
    );
  }

  static async open(address = '127.0.0.1', port = 0): Promise<RtpEndpoint> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(port, address, () => r()));
    return new RtpEndpoint(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get address(): string {
    return this.socket.address().address;
  }

  send(to: number, seqs: number[], address = '127.0.0.1', payloadType = 0): void {
    for (const seq of seqs) this.socket.send(rtpPacket(seq, 0x1234, payloadType), to, address);
  }

  async waitFor(count: number, ms = 3000): Promise<void> {
    await eventually(() => this.received.length >= count, { ms, everyMs: 10 });
  }

  close(): void {
    this.socket.close();
  }
}

/** An SDES packet (RFC 3550 §6.5) of one chunk with these items ([type, text]). */
export function sdes(ssrc: number, items: Array<[number, string]>): Buffer {
  const body = Buffer.concat([
    Buffer.from(ssrc.toString(16).padStart(8, '0'), 'hex'),
    ...items.map(([t, v]) => Buffer.concat([Buffer.from([t, Buffer.byteLength(v)]), Buffer.from(v)])),
  ]);
  const chunk = Buffer.concat([body, Buffer.alloc(4 - (body.length % 4))]);
  const header = Buffer.from([0x81, 202, 0, 0]);
  header.writeUInt16BE(chunk.length / 4, 2);
  return Buffer.concat([header, chunk]);
}
