/**
 * A real rtpengine (Debian's rtpengine-daemon, installed by deploy/setup.sh) in userspace (`--table=-1`, no
 * kernel module), its ng control on a free loopback port and its media ports in a small range of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { NgClient, parseNgAddress } from '../../src/media/rtpengine/ng-client.js';
import { eventually } from './eventually.js';
import { freePort } from './net.js';

export class Rtpengine {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    readonly media: { portMin: number; portMax: number },
    readonly address: string,
    /** Media addresses besides `address` (an IPv6 one, to relay between families). */
    readonly also: string[] = [],
    /** Named logical interfaces (`NAME/ADDRESS`) instead of the unnamed `address` and `also`. */
    readonly named: string[] = [],
    /** Where it sends the DTMF events it sees (`--dtmf-log-dest`, HOST:PORT). */
    readonly dtmfLogDest: string | null = null,
  ) {}

  /** Started and answering pings on `udp:<address>:<port>`. */
  static async start(
    opts: { port?: number; address?: string; also?: string[]; interfaces?: string[]; dtmfLogDest?: string } = {},
  ): Promise<Rtpengine> {
    const e = new Rtpengine(
      opts.port ?? (await freePort('udp')),
      rtpengineRange(),
      opts.address ?? '127.0.0.1',
      opts.also ?? [],
      opts.interfaces ?? [],
      opts.dtmfLogDest ?? null,
    );
    await e.run();
    return e;
  }

  /** The ng address as fosip.json names it. */
  get ng(): string {
    return this.address.includes(':') ? `udp:[${this.address}]:${this.port}` : `udp:${this.address}:${this.port}`;
  }

  /** What it logged, for a failing test. */
  get log(): string {
    return this.output;
  }

  async run(): Promise<void> {
    const ngHost = this.address.includes(':') ? `[${this.address}]` : this.address;
    this.child = spawn(
      'rtpengine',
      [
        '--config-file=none',
        '--foreground',
        '--table=-1',
        ...(this.named.length > 0
          ? this.named.map((i) => `--interface=${i}`)
          : [`--interface=${this.address}`, ...this.also.map((a) => `--interface=${a}`)]),
        `--listen-ng=${ngHost}:${this.port}`,
        `--port-min=${this.media.portMin}`,
        `--port-max=${this.media.portMax}`,
        '--log-stderr',
        '--log-level=6',
        '--no-redis-required',
        '--delete-delay=0',
        ...(this.dtmfLogDest !== null ? [`--dtmf-log-dest=${this.dtmfLogDest}`] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.on(
      'error',
      (err) => (this.output += `cannot run rtpengine (deploy/setup.sh installs it): ${err.message}\n`),
    );
    if (!(await eventually(() => this.pong(), { ms: 10_000, everyMs: 100 }))) {
      await this.kill();
      throw new Error(`rtpengine did not start:\n${this.output.slice(-2000)}`);
    }
  }

  /** One ping answered (a throwaway socket, 200 ms). */
  private pong(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = dgram.createSocket(this.address.includes(':') ? 'udp6' : 'udp4');
      const done = (ok: boolean): void => {
        clearTimeout(t);
        s.close();
        resolve(ok);
      };
      const t = setTimeout(() => done(false), 200);
      s.on('message', (m) => done(m.toString().includes('pong')));
      s.on('error', () => done(false));
      s.send(Buffer.from('probe d7:command4:pinge'), this.port, this.address);
    });
  }

  /** The call ids it holds now (its `list` command). */
  async calls(): Promise<string[]> {
    const client = new NgClient({ endpoint: parseNgAddress(this.ng) });
    try {
      const reply = await client.command('list');
      return Array.isArray(reply['calls']) ? reply['calls'].map(String).sort() : [];
    } finally {
      client.close();
    }
  }

  /** Ended at once (SIGKILL), as a crashed instance is. */
  kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/**
 * 100 media ports for one rtpengine, in 4000-7999: below the test SBCs' relay ports (8000-32766) and the
 * kernel's ephemeral ports, and apart from the 3000-3999 of the restart test, so that a port in this range
 * is rtpengine's and nobody else's.
 */
function rtpengineRange(): { portMin: number; portMax: number } {
  const portMin = 4000 + 100 * Math.floor(Math.random() * 40);
  return { portMin, portMax: portMin + 99 };
}
