/** A tshark capture on loopback (installed by deploy/setup.sh), for counting packets on the wire. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Packet {
  /** Capture time, seconds since the epoch. */
  time: number;
  srcPort: number;
  dstPort: number;
  /** With `rtpPorts` given to stop(): the RTP payload type, and for RFC 4733 packets the event and E bit. */
  payloadType?: number;
  event?: number;
  end?: boolean;
}

export class Capture {
  private stopped = false;

  private constructor(private readonly child: ChildProcess, private readonly file: string) {}

  /** Start capturing UDP on lo with a BPF `filter`; resolves once tshark says it is capturing. */
  static async start(filter: string): Promise<Capture> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-cap-')), 'cap.pcapng');
    const child = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
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
    return new Capture(child, file);
  }

  /** Stop, and read the UDP ports of every captured packet; packets to `rtpPorts` are decoded as RTP. */
  async stop(rtpPorts: number[] = []): Promise<Packet[]> {
    if (this.stopped) return [];
    this.stopped = true;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGINT');
    await exited;
    const decode = rtpPorts.flatMap((p) => ['-d', `udp.port==${p},rtp`]);
    const fields = ['frame.time_epoch', 'udp.srcport', 'udp.dstport', 'rtp.p_type', 'rtpevent.event_id', 'rtpevent.end_of_event'].flatMap((f) => ['-e', f]);
    // one line per packet: 50 calls of RTP are megabytes, past spawnSync's default 1 MiB, which cut the list short
    const read = spawnSync('tshark', ['-r', this.file, ...decode, '-T', 'fields', ...fields], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true });
    if (read.error !== undefined) throw new Error(`tshark could not read the capture: ${read.error.message}`);
    return read.stdout.trim().split('\n').filter((l) => l !== '').map((l) => {
      const [time, src, dst, pt, event, end] = l.split('\t');
      return {
        time: Number(time), srcPort: Number(src), dstPort: Number(dst),
        ...(pt ? { payloadType: Number(pt) } : {}), ...(event ? { event: Number(event) } : {}), ...(end ? { end: end === '1' || end === 'True' } : {}),
      };
    });
  }
}
