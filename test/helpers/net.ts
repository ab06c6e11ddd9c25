/** Loopback socket helpers for integration tests. */
import { eventually } from './eventually.js';
import fs from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';

/** A free port on 127.0.0.1 for the given protocol (bound, read, released). */
export async function freePort(kind: 'udp' | 'tcp' = 'udp'): Promise<number> {
  if (kind === 'tcp') {
    const s = net.createServer();
    s.listen(0, '127.0.0.1');
    await once(s, 'listening');
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * An even UDP port whose next `count - 1` ports are free too (RTP, RTCP and a second stream for sipp's
 * `-mp`): each candidate block is bound whole before it is handed out. A single free port & ~1 could name
 * a port in use or be followed by one, and sipp then exits at once. Blocks come from 61000-65535: above
 * Linux's ephemeral range (32768-60999), which every socket of a parallel test draws from, and above the
 * SBC's default relay pool (8000-48198), where the SBCs of other tests bind between the check and sipp.
 * (Every call of a SIPp caller sends its RTP from this port: see uacPcap.)
 */
export async function freeUdpBlock(count = 4): Promise<number> {
  const top = 65536 - count;
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 61000 + 2 * Math.floor(Math.random() * ((top - 61000) / 2 + 1));
    const sockets: dgram.Socket[] = [];
    let ok = true;
    for (let i = 0; i < count && ok; i++) {
      const s = dgram.createSocket('udp4');
      s.on('error', () => undefined);
      ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.bind(base + i, '127.0.0.1', () => resolve(true));
      });
      sockets.push(s);
    }
    await Promise.all(
      sockets.map(
        (s) =>
          new Promise<void>((r) => {
            try {
              s.close(() => r());
            } catch {
              r();
            }
          }),
      ),
    );
    if (ok) return base;
  }
  throw new Error(`no block of ${count} free UDP ports`);
}

/** A UDP socket that collects what it receives. */
export class UdpPeer {
  readonly received: Buffer[] = [];
  /** The source port of each datagram in `received` (same index). */
  readonly sources: number[] = [];
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (m, rinfo) => {
      this.received.push(m);
      this.sources.push(rinfo.port);
    });
    socket.unref(); // a failed assertion that skips close() must not keep the test process alive
  }

  static async open(port = 0, address = '127.0.0.1'): Promise<UdpPeer> {
    const s = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    s.bind(port, address);
    await once(s, 'listening');
    return new UdpPeer(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(bytes: Buffer | string, port: number, address = '127.0.0.1'): void {
    this.socket.send(typeof bytes === 'string' ? Buffer.from(bytes) : bytes, port, address);
  }

  /** Wait until `n` datagrams arrived or `ms` passed. */
  async waitFor(n: number, ms = 1000): Promise<Buffer[]> {
    await eventually(() => this.received.length >= n, { ms, everyMs: 10 });
    return this.received;
  }

  close(): void {
    this.socket.close();
  }
}

/** A TCP client that collects everything it reads and notices when the server closes. */
export class TcpPeer {
  data = Buffer.alloc(0);
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => (this.data = Buffer.concat([this.data, d])));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
    socket.unref();
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<TcpPeer> {
    const s = net.connect(port, host);
    await once(s, 'connect');
    return new TcpPeer(s);
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  async until(pred: (p: TcpPeer) => boolean, ms = 2000): Promise<boolean> {
    return eventually(() => pred(this), { ms, everyMs: 10 });
  }

  close(): void {
    this.socket.destroy();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The relay pool of a test's SBC unless the test sets one: below Linux's ephemeral ports (32768-60999), so
 * that its sockets never take a port another test just got from freePort() and has yet to bind.
 */
export const TEST_RELAY_PORTS = { portMin: 8000, portMax: 32766 };

/** A relay pool of `pairs` port pairs somewhere in TEST_RELAY_PORTS (the SBCs of parallel tests set aside what the other holds). */
export function relayRange(pairs: number): { portMin: number; portMax: number } {
  const span = (TEST_RELAY_PORTS.portMax + 1 - TEST_RELAY_PORTS.portMin) / 2 - pairs;
  const portMin = TEST_RELAY_PORTS.portMin + 2 * Math.floor(Math.random() * span);
  return { portMin, portMax: portMin + 2 * pairs - 1 };
}

/** UDP datagrams the kernel dropped for a full receive buffer, in this network namespace (/proc/net/snmp RcvbufErrors). */
export function udpReceiveDrops(): number {
  const lines = fs
    .readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp: '));
  const [names, values] = lines.map((l) => l.slice(5).trim().split(/\s+/));
  const i = names?.indexOf('RcvbufErrors') ?? -1;
  return i < 0 ? 0 : Number(values?.[i] ?? 0);
}

/**
 * Resolves once a socket of any process in this network namespace is bound to 127.0.0.1:`port` (UDP) or
 * listens there (TCP), as /proc/net says, or after `ms`: reading the table never takes the port itself,
 * as a test bind would (and a process it is waiting for may fail to bind then).
 */
export async function portBound(port: number, transport: 'udp' | 'tcp', ms = 10_000): Promise<boolean> {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = transport === 'udp' ? '/proc/net/udp' : '/proc/net/tcp';
  return eventually(() => {
    const rows = fs
      .readFileSync(table, 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/));
    // UDP rows are 07 (unconnected); a TCP listener is 0A
    return rows.some((r) => r[1] === hex && (transport === 'udp' || r[3] === '0A'));
  }, ms);
}
