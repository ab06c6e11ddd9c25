/** UDP listeners: one socket per `udp:` listen address; datagrams in, datagrams out from the same socket. */
import { SbcError } from '../errors/sbc-error.js';
import dgram from 'node:dgram';
import type { Logger } from 'pino';
import type { Flow } from './flow.js';
import type { ListenSpec } from './listen-spec.js';

export type DatagramHandler = (bytes: Buffer, flow: Flow) => void;

export class UdpTransport {
  private readonly sockets: Array<{ spec: ListenSpec; socket: dgram.Socket }> = [];

  constructor(
    private readonly log: Logger,
    private readonly onDatagram: DatagramHandler,
    private readonly bufferBytes: number,
  ) {}

  async listen(spec: ListenSpec): Promise<ListenSpec> {
    const v6 = spec.address.includes(':');
    const socket = dgram.createSocket(v6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(spec.port, spec.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const bound: ListenSpec = { ...spec, port: socket.address().port };
    try {
      socket.setRecvBufferSize(this.bufferBytes);
      socket.setSendBufferSize(this.bufferBytes);
    } catch (err) {
      this.log.warn({ err, bytes: this.bufferBytes }, 'cannot size the UDP socket buffers');
    }
    socket.on('error', (err) => this.log.warn({ err, listen: bound }, 'udp socket error'));
    socket.on('message', (bytes, rinfo) => {
      this.onDatagram(bytes, {
        transport: 'udp',
        localAddress: bound.address,
        localPort: bound.port,
        remoteAddress: rinfo.address,
        remotePort: rinfo.port,
      });
    });
    this.sockets.push({ spec: bound, socket });
    return bound;
  }

  /** The listener a flow arrived on, else the first one of the destination's address family. */
  private pick(address: string, flow?: Flow): { spec: ListenSpec; socket: dgram.Socket } | undefined {
    if (flow !== undefined) {
      const same = this.sockets.find((s) => s.spec.address === flow.localAddress && s.spec.port === flow.localPort);
      if (same) return same;
    }
    const v6 = address.includes(':');
    return this.sockets.find((s) => s.spec.address.includes(':') === v6);
  }

  localFor(address: string): ListenSpec | undefined {
    return this.pick(address)?.spec;
  }

  send(bytes: Buffer, address: string, port: number, flow: Flow | undefined, onError: (err: Error) => void): void {
    const s = this.pick(address, flow);
    if (s === undefined) {
      onError(new SbcError('SBC_ERR_TRANSPORT_SEND', `no UDP listener for ${address}`));
      return;
    }
    try {
      s.socket.send(bytes, port, address, (err) => {
        if (err) onError(err);
      });
    } catch (err) {
      // a socket closed under the send (the node is stopping): reported like any send error, never thrown
      onError(err as Error);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.socket.close(() => resolve()))));
    this.sockets.length = 0;
  }
}
