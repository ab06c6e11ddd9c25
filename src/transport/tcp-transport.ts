/**
 * TCP and TLS: listeners, a connection table keyed by the peer's address and port (so responses and in-dialog
 * requests reuse the connection a peer opened, RFC 3261 §18.2.2, RFC 5626), outbound connections opened on
 * demand, and the limits: total and per-source connections, idle timeout, slow-drip deadline, size. TLS is
 * the same over a TLS socket: TLS 1.2 at least, our certificate both ways, client certificates asked for
 * and verified only when configured, server certificates verified against the CAs, and their names
 * compared with the name we meant to reach only when configured (as CUBE's `cn-san validate server`).
 */
import { SbcError } from '../errors/sbc-error.js';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { Destination, Flow } from './flow.js';
import type { ListenSpec } from './listen-spec.js';
import { serverIdentityError, sniFor } from './server-identity.js';
import { StreamFramer } from './stream-framer.js';
import type { TransportLimits } from './transport-limits.js';
import type { TransportStats } from './transport-stats.js';

export type StreamHandler = (bytes: Buffer, flow: Flow) => void;

/** What a TLS transport is made with (PEM). */
export interface TlsContext {
  cert: Buffer;
  key: Buffer;
  /** CAs to verify peers by; none: Node's bundled roots. */
  ca?: Buffer;
  /** Ask inbound peers for a certificate and refuse a connection whose certificate does not verify. */
  verifyClient: boolean;
  /** Refuse a server whose certificate does not verify against the CAs. */
  verifyServer: boolean;
  /** Refuse a server whose certificate does not name the destination's server name (or its address). */
  validateServerName: boolean;
  /** Clients whose verified certificate names one of these are trusted wherever they connect from. */
  trustedClientNames: string[];
}

interface Connection {
  id: number;
  socket: net.Socket;
  flow: Flow;
  framer: StreamFramer;
  connected: boolean;
  queue: Buffer[];
  dripTimer: NodeJS.Timeout | undefined;
}

export class TcpTransport {
  private readonly servers: Array<{ spec: ListenSpec; server: net.Server | tls.Server }> = [];
  private readonly byId = new Map<number, Connection>();
  private readonly byPeer = new Map<string, Connection>();
  private readonly perSource = new Map<string, number>();
  private nextId = 1;

  constructor(
    private readonly log: Logger,
    private readonly limits: TransportLimits,
    private readonly stats: TransportStats,
    private readonly handler: StreamHandler,
    private readonly name: 'tcp' | 'tls' = 'tcp',
    private readonly tls: TlsContext | null = null,
  ) {}

  async listen(spec: ListenSpec): Promise<ListenSpec> {
    const t = this.tls;
    const server =
      t === null
        ? net.createServer((socket) => this.accept(socket, spec))
        : tls.createServer(
            {
              cert: t.cert,
              key: t.key,
              ...(t.ca ? { ca: t.ca } : {}),
              minVersion: 'TLSv1.2',
              requestCert: t.verifyClient,
              rejectUnauthorized: t.verifyClient,
              handshakeTimeout: this.limits.connectTimeoutMs,
            },
            (socket) => this.accept(socket, spec),
          );
    if (server instanceof tls.Server) {
      server.on('tlsClientError', (err) => {
        this.stats.connectionsRejected++;
        this.log.debug({ err: err.message }, 'tls handshake failed');
      });
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: spec.port, host: spec.address, ipv6Only: spec.address.includes(':') }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    const bound: ListenSpec = { ...spec, port: typeof addr === 'object' && addr !== null ? addr.port : spec.port };
    server.on('error', (err) => this.log.warn({ err, listen: bound }, `${this.name} server error`));
    this.servers.push({ spec: bound, server });
    return bound;
  }

  get connectionCount(): number {
    return this.byId.size;
  }

  localFor(address: string): ListenSpec | undefined {
    const v6 = address.includes(':');
    return this.servers.find((s) => s.spec.address.includes(':') === v6)?.spec;
  }

  private accept(socket: net.Socket, spec: ListenSpec): void {
    const remote = socket.remoteAddress ?? '';
    const fromSource = this.perSource.get(remote) ?? 0;
    if (this.byId.size >= this.limits.maxConnections || fromSource >= this.limits.maxConnectionsPerSource) {
      this.stats.connectionsRejected++;
      socket.destroy();
      return;
    }
    this.stats.connectionsAccepted++;
    const flow: Flow = {
      transport: this.name,
      localAddress: spec.address,
      localPort: socket.localPort ?? spec.port,
      remoteAddress: remote,
      remotePort: socket.remotePort ?? 0,
    };
    if (socket instanceof tls.TLSSocket && this.namesTrustedClient(socket)) flow.trustedByCertificate = true;
    this.register(socket, flow, true);
  }

  /** Whether a TLS client's certificate verified and names a trusted client. */
  private namesTrustedClient(socket: tls.TLSSocket): boolean {
    const names = this.tls?.trustedClientNames ?? [];
    if (names.length === 0 || !socket.authorized) return false;
    const cert = socket.getPeerCertificate();
    return names.some((n) => serverIdentityError(n, cert) === undefined);
  }

  private register(socket: net.Socket, flow: Flow, connected: boolean): Connection {
    const conn: Connection = {
      id: this.nextId++,
      socket,
      flow,
      framer: new StreamFramer(this.limits.maxMessageBytes),
      connected,
      queue: [],
      dripTimer: undefined,
    };
    flow.connectionId = conn.id;
    this.byId.set(conn.id, conn);
    this.byPeer.set(peerKey(flow.remoteAddress, flow.remotePort), conn);
    this.perSource.set(flow.remoteAddress, (this.perSource.get(flow.remoteAddress) ?? 0) + 1);
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleTimeoutMs, () => {
      this.stats.connectionsClosedIdle++;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', (err) => this.log.debug({ err, peer: flow.remoteAddress }, 'tcp connection error'));
    socket.on('close', () => this.forget(conn));
    return conn;
  }

  private onData(conn: Connection, chunk: Buffer): void {
    for (const ev of conn.framer.push(chunk)) {
      if (ev.kind === 'ping') {
        this.stats.keepalives++;
        conn.socket.write('\r\n'); // RFC 5626 §4.4.1 pong
      } else if (ev.kind === 'message') {
        this.handler(ev.bytes, conn.flow);
      } else {
        if (ev.tooLarge) this.stats.tooLarge++;
        else this.stats.framingErrors++;
        this.log.debug({ peer: conn.flow.remoteAddress, reason: ev.reason }, 'tcp framing error, closing');
        conn.socket.end();
        conn.socket.destroySoon();
        return;
      }
    }
    this.armDripTimer(conn);
  }

  /** A message that has started must be complete within messageDeadlineMs (slow-drip defence). */
  private armDripTimer(conn: Connection): void {
    if (conn.framer.pending === 0) {
      clearTimeout(conn.dripTimer);
      conn.dripTimer = undefined;
    } else if (conn.dripTimer === undefined) {
      conn.dripTimer = setTimeout(() => {
        this.stats.framingErrors++;
        this.log.debug({ peer: conn.flow.remoteAddress }, 'tcp message not completed in time, closing');
        conn.socket.destroy();
      }, this.limits.messageDeadlineMs);
    }
  }

  private forget(conn: Connection): void {
    clearTimeout(conn.dripTimer);
    this.byId.delete(conn.id);
    const key = peerKey(conn.flow.remoteAddress, conn.flow.remotePort);
    if (this.byPeer.get(key) === conn) this.byPeer.delete(key);
    const n = (this.perSource.get(conn.flow.remoteAddress) ?? 1) - 1;
    if (n <= 0) this.perSource.delete(conn.flow.remoteAddress);
    else this.perSource.set(conn.flow.remoteAddress, n);
  }

  /** Send on the flow's connection if it is still open, else on any connection to the peer, else a new one. */
  send(bytes: Buffer, dest: Destination, flow: Flow | undefined, onError: (err: Error) => void): void {
    const conn =
      (flow?.connectionId !== undefined ? this.byId.get(flow.connectionId) : undefined) ??
      this.byPeer.get(peerKey(dest.address, dest.port)) ??
      this.connect(dest, onError);
    if (conn === undefined) return;
    if (conn.connected) conn.socket.write(bytes);
    else conn.queue.push(bytes);
  }

  private connect(dest: Destination, onError: (err: Error) => void): Connection | undefined {
    const { address, port } = dest;
    if (this.byId.size >= this.limits.maxConnections) {
      onError(new SbcError('SBC_ERR_TRANSPORT_SEND', 'too many TCP connections'));
      return undefined;
    }
    const local = this.localFor(address);
    const t = this.tls;
    const where = { host: address, port, ...(local ? { localAddress: local.address } : {}) };
    const name = dest.serverName ?? address;
    const sni = sniFor(name);
    const socket =
      t === null
        ? net.connect(where)
        : tls.connect({
            ...where,
            cert: t.cert,
            key: t.key,
            ...(t.ca ? { ca: t.ca } : {}),
            minVersion: 'TLSv1.2',
            ...(sni ? { servername: sni } : {}),
            rejectUnauthorized: t.verifyServer,
            checkServerIdentity: t.validateServerName
              ? (_host, cert) => serverIdentityError(name, cert)
              : () => undefined,
          });
    const flow: Flow = {
      transport: this.name,
      localAddress: local?.address ?? '',
      localPort: 0,
      remoteAddress: address,
      remotePort: port,
    };
    const conn = this.register(socket, flow, false);
    const timer = setTimeout(
      () => socket.destroy(new SbcError('SBC_ERR_TRANSPORT_SEND', 'connect timeout')),
      this.limits.connectTimeoutMs,
    );
    socket.once(t === null ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      conn.connected = true;
      flow.localPort = socket.localPort ?? 0;
      for (const b of conn.queue) socket.write(b);
      conn.queue = [];
    });
    socket.once('error', (err: Error) => {
      clearTimeout(timer);
      if (!conn.connected) onError(err);
    });
    return conn;
  }

  async close(): Promise<void> {
    for (const conn of this.byId.values()) conn.socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.server.close(() => resolve()))));
    this.servers.length = 0;
  }
}

function peerKey(address: string, port: number): string {
  return `${address}|${port}`;
}
