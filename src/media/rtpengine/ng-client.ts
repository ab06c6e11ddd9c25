/**
 * A client of one rtpengine instance over its "ng" control protocol: each command is a datagram
 * `<cookie> <bencoded dictionary>` and its reply comes back as `<cookie> <bencoded dictionary>` with the
 * same cookie. Over UDP a command is sent again when no reply came within the timeout (rtpengine answers a
 * repeated cookie from its cache rather than doing the command twice), and a reply is matched to its
 * command by the cookie alone, so replies may come in any order. `result: error` is an SbcError carrying
 * rtpengine's `error-reason`; no reply after the last try is a timeout error.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { SbcError } from '../../errors/sbc-error.js';
import { type BValue, bdecode, bencode } from './bencode.js';

export type NgDict = { [key: string]: BValue };

export interface NgEndpoint {
  host: string;
  port: number;
}

/** `udp:127.0.0.1:22222`, `udp:[::1]:22222` or `udp:rtpengine.example:22222` (fosip.json `media.rtpengine[].ng`). */
export function parseNgAddress(text: string): NgEndpoint {
  const m = /^udp:(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (m === null || port < 1 || port > 65535 || (m[1] !== undefined && !isIPv6(m[1]))) {
    throw new SbcError(
      'SBC_ERR_MEDIA_ENGINE',
      `invalid ng address "${text}" (expected udp:HOST:PORT or udp:[IPv6]:PORT)`,
    );
  }
  return { host: m[1] ?? m[2] ?? '', port };
}

export interface NgClientOptions {
  endpoint: NgEndpoint;
  /** How long one try waits for its reply (default 1000 ms). */
  timeoutMs?: number;
  /** Tries in all, the first included (default 3). */
  tries?: number;
}

/** Why a command failed: rtpengine said no (`refused`), or nothing answered (`timeout`). */
export class NgError extends SbcError {
  constructor(
    readonly kind: 'refused' | 'timeout' | 'unusable',
    message: string,
  ) {
    super('SBC_ERR_MEDIA_ENGINE', message);
  }
}

interface Pending {
  datagram: Buffer;
  triesLeft: number;
  timer: NodeJS.Timeout;
  resolve: (reply: NgDict) => void;
  reject: (err: Error) => void;
}

export class NgClient {
  private socket: dgram.Socket | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly timeoutMs: number;
  private readonly tries: number;
  private closed = false;

  constructor(private readonly o: NgClientOptions) {
    this.timeoutMs = o.timeoutMs ?? 1000;
    this.tries = Math.max(1, o.tries ?? 3);
  }

  get endpoint(): NgEndpoint {
    return this.o.endpoint;
  }

  /** Send one command and wait for its reply (a dictionary whose `result` is not `error`). */
  command(command: string, args: NgDict = {}): Promise<NgDict> {
    if (this.closed) return Promise.reject(new NgError('unusable', 'the ng client is closed'));
    const cookie = randomBytes(8).toString('hex');
    const datagram = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...args, command })]);
    return new Promise<NgDict>((resolve, reject) => {
      const p: Pending = { datagram, triesLeft: this.tries, timer: setTimeout(() => undefined, 0), resolve, reject };
      this.pending.set(cookie, p);
      this.send(cookie, p);
    });
  }

  private send(cookie: string, p: Pending): void {
    p.triesLeft--;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (p.triesLeft > 0) return this.send(cookie, p);
      this.pending.delete(cookie);
      p.reject(new NgError('timeout', `rtpengine ${this.describe()} did not answer (${this.tries} tries)`));
    }, this.timeoutMs);
    this.ensureSocket().send(p.datagram, this.o.endpoint.port, this.o.endpoint.host, (err) => {
      // a send that fails now (no route, no such host) is a timeout later: the retry may succeed
      if (err !== null && p.triesLeft === 0 && this.pending.get(cookie) === p) {
        clearTimeout(p.timer);
        this.pending.delete(cookie);
        p.reject(new NgError('timeout', `rtpengine ${this.describe()} cannot be reached: ${err.message}`));
      }
    });
  }

  private ensureSocket(): dgram.Socket {
    if (this.socket !== null) return this.socket;
    const type = isIPv6(this.o.endpoint.host) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket(type);
    socket.on('message', (msg) => this.reply(msg));
    socket.on('error', () => undefined); // a lost reply is a retry; nothing to tear down
    socket.unref();
    this.socket = socket;
    return socket;
  }

  private reply(msg: Buffer): void {
    const space = msg.indexOf(0x20);
    const cookie = space < 0 ? '' : msg.toString('latin1', 0, space);
    const p = this.pending.get(cookie);
    if (p === undefined) return; // a late or repeated reply
    this.pending.delete(cookie);
    clearTimeout(p.timer);
    let reply: BValue;
    try {
      reply = bdecode(msg.subarray(space + 1));
    } catch (err) {
      p.reject(
        new NgError('unusable', `rtpengine ${this.describe()} sent an unreadable reply: ${(err as Error).message}`),
      );
      return;
    }
    if (typeof reply !== 'object' || Array.isArray(reply)) {
      p.reject(new NgError('unusable', `rtpengine ${this.describe()} replied with something other than a dictionary`));
    } else if (reply['result'] === 'error') {
      const reason = typeof reply['error-reason'] === 'string' ? reply['error-reason'] : 'no reason given';
      p.reject(new NgError('refused', `rtpengine ${this.describe()}: ${reason}`));
    } else {
      p.resolve(reply);
    }
  }

  private describe(): string {
    const { host, port } = this.o.endpoint;
    return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  }

  /** Commands still waiting for a reply. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Commands still waiting fail; the socket goes. */
  close(): void {
    this.closed = true;
    for (const [cookie, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(cookie);
      p.reject(new NgError('unusable', 'the ng client was closed'));
    }
    this.socket?.close();
    this.socket = null;
  }
}
