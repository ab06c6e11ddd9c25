/**
 * A dialog (RFC 3261 §12): the peer-to-peer relationship one leg of a call has with its far end. It builds
 * the in-dialog requests of that leg (§12.2.1.1: Request-URI = remote target, Route = route set, From/To
 * with the tags, CSeq counting up) and knows where to send them.
 */
import { SbcError } from '../errors/sbc-error.js';
import { randomBytes } from 'node:crypto';
import { bareHost } from '../sip/host.js';
import { SipHeader } from '../sip/sip-header.js';
import { EMPTY_BODY, SipRequest } from '../sip/sip-message.js';
import { isSipUri, parseUri } from '../sip/sip-uri.js';
import { type Destination, type Flow, defaultPort, uriTransport } from '../transport/flow.js';
import type { TransportName } from '../transport/listen-spec.js';
import { TransactionLayer } from '../transaction/transaction-layer.js';

export interface DialogInit {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From (UAC) or To (UAS) as we present ourselves, without tag: `<sip:...>`. */
  localUri: string;
  remoteUri: string;
  /** The far end's Contact URI. */
  remoteTarget: string;
  /** Route set URIs, in the order requests carry them (§12.1.1 UAS, §12.1.2 UAC reversed). */
  routeSet: string[];
  localSeq: number;
  remoteSeq: number;
  /** Our Contact for this leg. */
  contact: string;
  transport: TransportName;
  /** The flow the far end uses, for symmetric sending (reused while it is open). */
  flow: Flow | undefined;
  /** Where requests go when the remote target names a host we cannot resolve (the session target). */
  fallback: Destination | undefined;
}

export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  remoteTag: string;
  localSeq: number;
  remoteSeq: number;
  remoteTarget: string;
  routeSet: string[];
  readonly localUri: string;
  readonly remoteUri: string;
  readonly contact: string;
  readonly transport: TransportName;
  flow: Flow | undefined;
  readonly fallback: Destination | undefined;

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.contact = init.contact;
    this.transport = init.transport;
    this.flow = init.flow;
    this.fallback = init.fallback;
  }

  /** Key under which in-dialog requests from the far end are found: Call-ID, our tag, their tag. */
  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /** A new in-dialog request (§12.2.1.1); ACK and CANCEL reuse the INVITE's CSeq number. */
  request(
    method: string,
    via: { host: string; port: number },
    opts: { cseq?: number; maxForwards?: number } = {},
  ): SipRequest {
    const seq = opts.cseq ?? ++this.localSeq;
    const loose = this.routeSet.length === 0 || /;lr(?:[;=>]|$)/.test(this.routeSet[0] ?? '');
    const ruri = loose ? this.remoteTarget : (this.routeSet[0] ?? this.remoteTarget);
    const routes = loose ? this.routeSet : [...this.routeSet.slice(1), this.remoteTarget];
    const headers = [
      SipHeader.create(
        'Via',
        `SIP/2.0/${this.transport.toUpperCase()} ${via.host}:${via.port};branch=${TransactionLayer.newBranch()};rport`,
      ),
      SipHeader.create('Max-Forwards', String(opts.maxForwards ?? 70)),
      SipHeader.create('From', `${this.localUri};tag=${this.localTag}`),
      SipHeader.create('To', `${this.remoteUri};tag=${this.remoteTag}`),
      SipHeader.create('Call-ID', this.callId),
      SipHeader.create('CSeq', `${seq} ${method}`),
      ...routes.map((r) => SipHeader.create('Route', `<${r}>`)),
      SipHeader.create('Contact', this.contact),
      SipHeader.create('Content-Length', '0'),
    ];
    return new SipRequest(method, ruri, 'SIP/2.0', headers, EMPTY_BODY);
  }

  /**
   * Where in-dialog requests go: the flow the far end talks to us on (symmetric, NAT-proof, and the
   * connection it opened), else the first Route or the remote target when it names an address, else
   * the session target.
   */
  destination(): Destination {
    const next = this.routeSet[0] ?? this.remoteTarget;
    try {
      const uri = parseUri(next);
      if (isSipUri(uri) && /^[0-9.]+$|^\[/.test(uri.host)) {
        const transport = uriTransport(uri.scheme, uri.params.get('transport'), this.transport);
        const dest: Destination = { transport, address: bareHost(uri.host), port: uri.port ?? defaultPort(transport) };
        if (this.flow !== undefined && this.flow.transport === transport) {
          return this.sameServer({ transport, address: this.flow.remoteAddress, port: this.flow.remotePort });
        }
        return this.sameServer(dest);
      }
    } catch {
      // an unusable target: fall through to what we know works
    }
    if (this.flow !== undefined)
      return this.sameServer({
        transport: this.flow.transport,
        address: this.flow.remoteAddress,
        port: this.flow.remotePort,
      });
    if (this.fallback !== undefined) return this.fallback;
    throw new SbcError('SBC_ERR_DIALOG_NO_ROUTE', `no destination for dialog ${this.callId}`);
  }

  /** The server the dialog was set up to keeps the name its certificate was checked against (TLS). */
  private sameServer(dest: Destination): Destination {
    const f = this.fallback;
    if (
      f?.serverName === undefined ||
      f.transport !== dest.transport ||
      f.address !== dest.address ||
      f.port !== dest.port
    )
      return dest;
    return { ...dest, serverName: f.serverName };
  }
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

export function newCallId(host: string): string {
  return `${randomBytes(12).toString('hex')}@${host}`;
}
