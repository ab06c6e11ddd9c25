/** A tshark capture on loopback (installed by deploy/setup.sh), for counting packets on the wire. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Packet {
  /** Capture time, seconds since the epoch. */
  time: number;
  srcPort: number;
  dstPort: number;
  /** The UDP payload's length in bytes. */
  size?: number;
  /** With `rtpPorts` given to stop(): the RTP payload type, and for RFC 4733 packets the event and E bit. */
  payloadType?: number;
  event?: number;
  end?: boolean;
  /** The UDP payload, hex. */
  payload?: string;
}

/**
 * dumpcap hands packets over in batches (every 250 ms or so) and loses the batch under way when it is told
 * to stop, and it starts capturing a moment after it says "Capturing on": seven packets sent right after
 * start, or less than 200 ms before stop, were all lost. So the capture proves itself live, and complete:
 * a marker datagram (a socket sending to itself, added to the filter) is sent until the file holds it, at
 * start and again before stop; the markers are left out of what stop() returns.
 */
export class Capture {
  private stopped = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly file: string,
    private readonly marker: dgram.Socket,
  ) {}

  /** Start capturing UDP on lo with a BPF `filter`; resolves once packets are seen to reach the file. */
  static async start(filter: string): Promise<Capture> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-cap-')), 'cap.pcapng');
    const marker = dgram.createSocket('udp4');
    await new Promise<void>((r) => marker.bind(0, '127.0.0.1', () => r()));
    const mp = marker.address().port;
    const child = spawn(
      'tshark',
      ['-i', 'lo', '-f', `(${filter}) or (udp and src port ${mp} and dst port ${mp})`, '-w', file, '-q'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tshark did not start capturing:\n${err}`)), 15_000);
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('Capturing on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('error', (e) => reject(new Error(`cannot run tshark (deploy/setup.sh installs it): ${e.message}`)));
    });
    const capture = new Capture(child, file, marker);
    if (!(await capture.mark())) {
      await capture.end();
      throw new Error(`tshark wrote no marker datagram to its file within 15 s of starting:\n${err}`);
    }
    return capture;
  }

  /** Send marker datagrams until one is in the file (true): everything sent before it is in the file too. */
  private async mark(): Promise<boolean> {
    const token = crypto.randomBytes(16);
    const port = this.marker.address().port;
    for (let waited = 0; waited < 15_000; waited += 25) {
      this.marker.send(token, port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 25));
      if (tailHas(this.file, token)) return true;
    }
    return false;
  }

  /** tshark stopped (it writes what it has), the marker socket closed. */
  private async end(): Promise<void> {
    this.marker.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGINT');
    await exited;
  }

  /**
   * Stop, and read the UDP ports of every captured packet; packets to `rtpPorts` are decoded as RTP, with
   * RFC 4733 events under payload type `eventPt`.
   */
  async stop(rtpPorts: number[] = [], eventPt = 101): Promise<Packet[]> {
    if (this.stopped) return [];
    this.stopped = true;
    const port = this.marker.address().port;
    const marked = await this.mark();
    await this.end();
    if (!marked)
      throw new Error(
        'tshark wrote no marker datagram to its file within 15 s before stopping: the capture may be short',
      );
    const decode = [
      ...rtpPorts.flatMap((p) => ['-d', `udp.port==${p},rtp`]),
      ...(rtpPorts.length > 0 ? ['-o', `rtpevent.event_payload_type_value:${eventPt}`] : []),
    ];
    const fields = [
      'frame.time_epoch',
      'udp.srcport',
      'udp.dstport',
      'udp.length',
      'rtp.p_type',
      'rtpevent.event_id',
      'rtpevent.end_of_event',
      'udp.payload',
    ].flatMap((f) => ['-e', f]);
    // one line per packet: 50 calls of RTP are megabytes, past spawnSync's default 1 MiB, which cut the list short
    const read = spawnSync('tshark', ['-r', this.file, ...decode, '-T', 'fields', ...fields], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true });
    if (read.error !== undefined) throw new Error(`tshark could not read the capture: ${read.error.message}`);
    const packets = read.stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [time, src, dst, length, pt, event, end, payload] = l.split('\t');
        return {
          time: Number(time),
          srcPort: Number(src),
          dstPort: Number(dst),
          ...(length ? { size: Number(length) - 8 } : {}),
          ...(pt ? { payloadType: Number(pt) } : {}),
          ...(event ? { event: Number(event) } : {}),
          ...(end ? { end: end === '1' || end === 'True' } : {}),
          ...(payload ? { payload: payload.replaceAll(':', '') } : {}),
        };
      });
    return packets.filter((p) => !(p.srcPort === port && p.dstPort === port));
  }
}

/** Whether the last 1 MiB of `file` contains `token` (the newest packets are at its end). */
function tailHas(file: string, token: Buffer): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 1024 * 1024);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, size - length);
    return buf.includes(token);
  } catch {
    return false; // not created yet
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
