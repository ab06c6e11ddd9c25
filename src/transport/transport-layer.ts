/**
 * The transport layer: UDP, TCP and TLS listeners behind one interface. Inbound it parses, stamps the top Via
 * with received/rport (RFC 3261 §18.2.1, RFC 3581 §4) and hands the message up with its flow. Outbound it
 * routes responses by §18.2.2 (the connection the request came on, else the source address, never a host
 * named only in Via) and sends requests over the transport the next hop asks for.
 */
import { SbcError } from '../errors/sbc-error.js';
import type { Logger } from 'pino';
import { parseMessage } from '../sip/message-parser.js';
import { buildResponse } from '../sip/response-builder.js';
import { bareHost, sipHost } from '../sip/host.js';
import type { SipMessage, SipResponse } from '../sip/sip-message.js';
import { SipParseError } from '../sip/sip-parse-error.js';
import { type Destination, type Flow, defaultPort } from './flow.js';
import { type ListenSpec, type TransportName, formatListenSpec } from './listen-spec.js';
import { TcpTransport, type TlsContext } from './tcp-transport.js';
import { DEFAULT_LIMITS, type TransportLimits } from './transport-limits.js';
import { TransportStats, countSip } from './transport-stats.js';
import { UdpTransport } from './udp-transport.js';

export type MessageHandler = (msg: SipMessage, flow: Flow) => void;

export interface TransportLayerOptions {
  log: Logger;
  limits?: Partial<TransportLimits>;
  stats?: TransportStats;
  /** Certificate, key and verification for TLS; without it there are no TLS listeners or connections. */
  tls?: TlsContext;
}

export class TransportLayer {
  readonly stats: TransportStats;
  readonly limits: TransportLimits;
  private readonly log: Logger;
  private readonly udp: UdpTransport;
  private readonly tcp: TcpTransport;
  private readonly tls: TcpTransport | null;
  private handler: MessageHandler = () => undefined;
  private beforeSend: ((msg: SipMessage, dest: Destination) => void) | null = null;
  private readonly bound: ListenSpec[] = [];

  constructor(opts: TransportLayerOptions) {
    this.log = opts.log;
    this.stats = opts.stats ?? new TransportStats();
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.udp = new UdpTransport(this.log, (bytes, flow) => this.onDatagram(bytes, flow), this.limits.udpBufferBytes);
    this.tcp = new TcpTransport(this.log, this.limits, this.stats, (bytes, flow) => this.receive(bytes, flow, true));
    this.tls =
      opts.tls === undefined
        ? null
        : new TcpTransport(
            this.log,
            this.limits,
            this.stats,
            (bytes, flow) => this.receive(bytes, flow, true),
            'tls',
            opts.tls,
          );
  }

  /** The stream transport of `t`, or null (TLS without a certificate). */
  private stream(t: TransportName): TcpTransport | null {
    return t === 'tls' ? this.tls : this.tcp;
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  async listen(specs: ListenSpec[]): Promise<ListenSpec[]> {
    for (const spec of specs) {
      const stream = this.stream(spec.transport);
      if (spec.transport !== 'udp' && stream === null)
        throw new SbcError(
          'SBC_ERR_TRANSPORT_SEND',
          `${formatListenSpec(spec)} needs a TLS certificate and key (fosip.json tls.certFile, tls.keyFile)`,
        );
      this.bound.push(
        spec.transport === 'udp' || stream === null ? await this.udp.listen(spec) : await stream.listen(spec),
      );
    }
    return [...this.bound];
  }

  get listening(): readonly ListenSpec[] {
    return this.bound;
  }

  get tcpConnections(): number {
    return this.tcp.connectionCount + (this.tls?.connectionCount ?? 0);
  }

  /** Our sent-by for a Via toward `dest`: the listener of that transport and address family. */
  sentBy(dest: Destination): { host: string; port: number } | undefined {
    const spec =
      dest.transport === 'udp' ? this.udp.localFor(dest.address) : this.stream(dest.transport)?.localFor(dest.address);
    return spec && { host: sipHost(spec.address), port: spec.port };
  }

  private onDatagram(bytes: Buffer, flow: Flow): void {
    if (isKeepalive(bytes)) {
      this.stats.keepalives++;
      return;
    }
    if (bytes.length > this.limits.maxMessageBytes) {
      this.stats.tooLarge++;
      this.answerTooLarge(bytes, flow);
      return;
    }
    this.receive(bytes, flow, false);
  }

  /** The edge: whatever one message does, it never throws into the socket that brought it. */
  private receive(bytes: Buffer, flow: Flow, stream: boolean): void {
    this.stats.messagesIn++;
    this.stats.bytesIn += bytes.length;
    let msg: SipMessage;
    try {
      msg = parseMessage(bytes, { stream });
    } catch (err) {
      this.stats.parseErrors++;
      const reason = err instanceof SipParseError ? err.reason : 'unexpected';
      this.log.debug({ peer: flow.remoteAddress, reason, err }, 'unparseable message dropped');
      return;
    }
    countSip(this.stats.sip, 'in', msg.isRequest() ? msg.method : null, msg.isResponse() ? msg.status : null);
    try {
      if (msg.isRequest()) stampVia(msg, flow);
      if (this.log.isLevelEnabled('trace')) {
        this.log.trace(
          { peer: flow.remoteAddress, port: flow.remotePort, transport: flow.transport, sip: bytes.toString('latin1') },
          'sip received',
        );
      }
      this.handler(msg, flow);
    } catch (err) {
      // one bad message must not take the listener (or another call) down
      this.log.error({ err, peer: flow.remoteAddress }, 'message handling failed');
    }
  }

  /** RFC 3261 §21.5.14: a request too large to process gets 513 when its head can be read. */
  private answerTooLarge(bytes: Buffer, flow: Flow): void {
    try {
      const msg = parseMessage(bytes);
      if (!msg.isRequest() || msg.method === 'ACK') return;
      stampVia(msg, flow);
      this.sendResponse(buildResponse(msg, 513), flow);
    } catch {
      // unreadable: dropped, already counted
    }
  }

  /**
   * Send a response the way RFC 3261 §18.2.2 (with RFC 3581) says. A request whose Via cannot be read
   * (it gets a 400) is answered to the address and port it came from: the only place known to be right.
   */
  sendResponse(res: SipResponse, flow: Flow | undefined): void {
    let dest: Destination;
    try {
      dest = responseDestination(res, flow);
    } catch {
      if (flow === undefined) {
        this.log.debug({ status: res.status }, 'response without a usable Via dropped');
        return;
      }
      dest = { transport: flow.transport, address: flow.remoteAddress, port: flow.remotePort };
    }
    this.send(res, dest, flow);
  }

  /**
   * A step every outgoing message goes through just before it is serialized (SIP profiles: the last step
   * before a message leaves). Retransmissions pass again with the same object.
   */
  onSend(hook: (msg: SipMessage, dest: Destination) => void): void {
    this.beforeSend = hook;
  }

  /** Send a message to `dest`; a stream flow that is still open is reused. */
  send(msg: SipMessage, dest: Destination, flow?: Flow, onError?: (err: Error) => void): void {
    this.beforeSend?.(msg, dest);
    const bytes = msg.serialize();
    const fail = (err: Error): void => {
      this.stats.sendErrors++;
      this.log.debug({ err, dest }, 'send failed');
      onError?.(err);
    };
    if (dest.transport === 'udp' && bytes.length > this.limits.maxMessageBytes) {
      fail(new SbcError('SBC_ERR_TRANSPORT_SEND', 'message too large for UDP'));
      return;
    }
    this.stats.messagesOut++;
    this.stats.bytesOut += bytes.length;
    countSip(this.stats.sip, 'out', msg.isRequest() ? msg.method : null, msg.isResponse() ? msg.status : null);
    if (this.log.isLevelEnabled('trace')) {
      this.log.trace(
        { peer: dest.address, port: dest.port, transport: dest.transport, sip: bytes.toString('latin1') },
        'sip sent',
      );
    }
    const sameFlow = flow !== undefined && flow.transport === dest.transport ? flow : undefined;
    const stream = this.stream(dest.transport);
    if (dest.transport === 'udp') this.udp.send(bytes, dest.address, dest.port, sameFlow, fail);
    else if (stream !== null) stream.send(bytes, dest, sameFlow, fail);
    else fail(new SbcError('SBC_ERR_TRANSPORT_SEND', 'no TLS certificate configured'));
  }

  async close(): Promise<void> {
    await Promise.all([this.udp.close(), this.tcp.close(), this.tls?.close()]);
  }
}

/** A datagram of nothing but CR/LF (RFC 5626 §3.5.1 style keep-alive over UDP): absorbed. */
function isKeepalive(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 13 && b !== 10 && b !== 32 && b !== 0) return false;
  return true;
}

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: record where the request really came from in its top Via. A
 * `received` or `rport` value the client wrote itself is overwritten: responses are routed by them, so
 * trusting them would let a request aim our responses at a third party.
 */
function stampVia(msg: SipMessage, flow: Flow): void {
  let via;
  try {
    via = msg.topVia();
  } catch {
    return; // malformed Via: the core answers 400, sent to the source address
  }
  const rport = via.params.get('rport');
  const received = via.params.get('received');
  const source = flow.remoteAddress;
  const honest =
    rport === undefined && bareHost(via.host) === source && (received === undefined || received === source);
  if (honest) return;
  via.params.set('received', source);
  if (rport !== undefined) via.params.set('rport', String(flow.remotePort));
  msg.setTopVia(via);
}

/**
 * §18.2.2: back over the transport the request came on. Over a stream, the connection it came on (the
 * flow, reused by send while open), else a new connection to the `received` address at the sent-by port.
 * Over UDP, the `received` address (stampVia sets it whenever the source differs from sent-by) at the
 * rport, the sent-by port, or 5060. `maddr` is ignored on purpose: honouring it would let a request aim
 * our responses at a third party.
 */
export function responseDestination(res: SipResponse, flow: Flow | undefined): Destination {
  const via = res.topVia();
  const transport: TransportName =
    flow?.transport ?? (via.transport === 'UDP' ? 'udp' : via.transport === 'TLS' ? 'tls' : 'tcp');
  const received = via.params.get('received');
  const address = received ? bareHost(received) : bareHost(via.host);
  const rport = via.params.get('rport');
  const port = transport === 'udp' && rport ? Number(rport) : (via.port ?? defaultPort(transport));
  // port 0 cannot be sent to: answer where the request came from
  if (port === 0 && flow !== undefined) return { transport, address, port: flow.remotePort };
  return { transport, address, port };
}
