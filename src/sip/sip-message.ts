/**
 * The lossless SIP message model. Headers stay in arrival order with their raw bytes; the few headers the
 * stack needs are parsed on first access and cached until a header changes. An unchanged message
 * serializes to exactly the bytes it was parsed from (start line, headers, blank line and body).
 */
import { LIST_HEADERS, headerKey } from './header-names.js';
import { isToken, isWs, splitList } from './lexer.js';
import { type NameAddr, parseNameAddr } from './name-addr.js';
import { SipHeader } from './sip-header.js';
import { fail } from './sip-parse-error.js';
import { type Uri, parseUri } from './sip-uri.js';
import { type Via, formatVia, parseVia } from './via.js';

export interface CSeq {
  seq: number;
  readonly method: string;
}

const MAX_CSEQ = 2 ** 32 - 1;

/** `1*DIGIT LWS Method` with the number in 0..2^32-1 (RFC 3261 §20.16, RFC 4475 §3.1.2.4). */
function parseCSeq(v: string): CSeq {
  let i = 0;
  let seq = 0;
  while (i < v.length && v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57 && i < 11) seq = seq * 10 + v.charCodeAt(i++) - 48;
  const sp = i;
  while (i < v.length && isWs(v.charCodeAt(i))) i++;
  const method = v.slice(i);
  if (sp === 0 || i === sp || seq > MAX_CSEQ || !isToken(method)) {
    fail('header-value', 'invalid CSeq (number must be 0..2^32-1, then a method)');
  }
  return { seq, method };
}

/** One fixed shape for the parsed-header cache, so property access stays monomorphic. */
class ParsedCache {
  via: Via[] | undefined = undefined;
  from: NameAddr | undefined = undefined;
  to: NameAddr | undefined = undefined;
  callId: string | undefined = undefined;
  cseq: CSeq | undefined = undefined;
  maxForwards: number | null | undefined = undefined;
  contacts: NameAddr[] | '*' | undefined = undefined;
  routes: NameAddr[] | undefined = undefined;
  recordRoutes: NameAddr[] | undefined = undefined;
  ruri: Uri | undefined = undefined;
}

export const EMPTY_BODY = Buffer.alloc(0);

export abstract class SipMessage {
  headers: SipHeader[];
  body: Buffer;
  version: string;
  /** Line end after the start line and of the blank line: `\r\n`, or `\n` from lenient peers. */
  startEol = '\r\n';
  headEol = '\r\n';
  /**
   * A framing problem found while parsing a datagram (bad, negative, conflicting or too large
   * Content-Length). The message is still usable for building the 400 that RFC 4475 §3.1.2.2 asks for.
   */
  framingFault: string | null = null;
  /** Parsed core headers, filled on first access and dropped whenever a header changes. */
  protected cache = new ParsedCache();

  constructor(version: string, headers: SipHeader[], body: Buffer) {
    this.version = version;
    this.headers = headers;
    this.body = body;
  }

  abstract get startLine(): string;
  abstract isRequest(): this is SipRequest;

  isResponse(): this is SipResponse {
    return !this.isRequest();
  }

  // ---- raw header access -------------------------------------------------------------------------

  getHeaders(name: string): SipHeader[] {
    const key = headerKey(name);
    return this.headers.filter((h) => h.key === key);
  }

  /** First value of a header (the whole field value; not split at commas). */
  header(name: string): string | undefined {
    const key = headerKey(name);
    for (const h of this.headers) if (h.key === key) return h.value;
    return undefined;
  }

  hasHeader(name: string): boolean {
    return this.header(name) !== undefined;
  }

  /** All values of a header, split at top-level commas for list headers (RFC 3261 §7.3.1). */
  headerValues(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const h of this.headers) {
      if (h.key !== key) continue;
      const v = h.value;
      if (LIST_HEADERS.has(key) && (v.includes(',') || v.length === 0)) out.push(...splitList(v));
      else out.push(v);
    }
    return out;
  }

  /** Append a header, or insert it before all others of the same key with `first`. */
  addHeader(name: string, value: string, first = false): void {
    const h = SipHeader.create(name, value);
    const at = first ? this.headers.findIndex((x) => x.key === h.key) : -1;
    if (at >= 0) this.headers.splice(at, 0, h);
    else this.headers.push(h);
    this.invalidate();
  }

  /** Replace every copy of a header with one field holding `value` (at the first copy's place). */
  setHeader(name: string, value: string): void {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    const h = SipHeader.create(name, value);
    this.headers = this.headers.filter((x) => x.key !== key);
    if (at >= 0) this.headers.splice(Math.min(at, this.headers.length), 0, h);
    else this.headers.push(h);
    this.invalidate();
  }

  removeHeader(name: string): void {
    const key = headerKey(name);
    this.headers = this.headers.filter((h) => h.key !== key);
    this.invalidate();
  }

  /** Replace the first Via element (e.g. to add received/rport on arrival, RFC 3261 §18.2.1). */
  setTopVia(via: Via): void {
    const i = this.headers.findIndex((h) => h.key === 'via');
    const h = this.headers[i];
    if (h === undefined) return;
    const parts = splitList(h.value);
    parts[0] = formatVia(via);
    const vias = this.vias().slice();
    this.headers[i] = SipHeader.create(h.name, parts.join(', '));
    this.invalidate();
    vias[0] = via;
    this.cache.via = vias;
  }

  /** Replace the body and keep Content-Length true. */
  setBody(body: Buffer, contentType?: string): void {
    this.body = body;
    this.setHeader('Content-Length', String(body.length));
    if (contentType !== undefined) this.setHeader('Content-Type', contentType);
    else if (body.length === 0) this.removeHeader('Content-Type');
  }

  protected invalidate(): void {
    this.cache = new ParsedCache();
  }

  // ---- structured access (throws SipParseError when malformed) -----------------------------------

  vias(): Via[] {
    return (this.cache.via ??= this.headerValues('via').map(parseVia));
  }

  topVia(): Via {
    const v = this.vias()[0];
    if (v === undefined) fail('header-value', 'missing Via');
    return v;
  }

  from(): NameAddr {
    return (this.cache.from ??= parseNameAddr(this.single('from')));
  }

  to(): NameAddr {
    return (this.cache.to ??= parseNameAddr(this.single('to')));
  }

  callId(): string {
    if (this.cache.callId === undefined) {
      const v = this.single('call-id');
      if (v.length === 0 || /\s/.test(v)) fail('header-value', 'invalid Call-ID');
      this.cache.callId = v;
    }
    return this.cache.callId;
  }

  cseq(): CSeq {
    if (this.cache.cseq === undefined) {
      this.cache.cseq = parseCSeq(this.single('cseq'));
    }
    return this.cache.cseq;
  }

  /** Max-Forwards, or null when absent (RFC 2543 peers); 0..255 per RFC 3261 §20.22. */
  maxForwards(): number | null {
    if (this.cache.maxForwards === undefined) {
      const v = this.header('max-forwards');
      if (v !== undefined && (!/^[0-9]{1,9}$/.test(v) || Number(v) > 255)) {
        fail('header-value', 'Max-Forwards must be 0..255');
      }
      this.cache.maxForwards = v === undefined ? null : Number(v);
    }
    return this.cache.maxForwards;
  }

  contacts(): NameAddr[] | '*' {
    if (this.cache.contacts === undefined) {
      const values = this.headerValues('contact');
      this.cache.contacts = values.length === 1 && values[0] === '*' ? '*' : values.map(parseNameAddr);
    }
    return this.cache.contacts;
  }

  routes(): NameAddr[] {
    return (this.cache.routes ??= this.headerValues('route').map(parseNameAddr));
  }

  recordRoutes(): NameAddr[] {
    return (this.cache.recordRoutes ??= this.headerValues('record-route').map(parseNameAddr));
  }

  /** Option tags of Require/Supported/Proxy-Require/Unsupported, or method names of Allow. */
  tokens(name: string): string[] {
    return this.headers.some((h) => h.key === headerKey(name)) ? this.headerValues(name) : [];
  }

  contentType(): string | undefined {
    return this.header('content-type');
  }

  private single(key: string): string {
    const v = this.header(key);
    if (v === undefined) fail('header-value', `missing ${key} header`);
    return v;
  }

  // ---- serialization -----------------------------------------------------------------------------

  serialize(): Buffer {
    let head = this.startLine + this.startEol;
    for (const h of this.headers) head += h.raw + h.eol;
    head += this.headEol;
    const headLen = Buffer.byteLength(head, 'latin1');
    const out = Buffer.allocUnsafe(headLen + this.body.length);
    out.write(head, 0, headLen, 'latin1');
    this.body.copy(out, headLen);
    return out;
  }
}

export class SipRequest extends SipMessage {
  readonly method: string;
  private uriText: string;
  private rawStartLine: string | null;

  constructor(method: string, uri: string, version: string, headers: SipHeader[], body: Buffer, raw?: string) {
    super(version, headers, body);
    this.method = method;
    this.uriText = uri;
    this.rawStartLine = raw ?? null;
  }

  get startLine(): string {
    return this.rawStartLine ?? `${this.method} ${this.uriText} ${this.version}`;
  }

  isRequest(): this is SipRequest {
    return true;
  }

  /** The Request-URI as written. */
  get requestUri(): string {
    return this.uriText;
  }

  set requestUri(uri: string) {
    this.uriText = uri;
    this.rawStartLine = null;
    this.invalidate();
  }

  uri(): Uri {
    return (this.cache.ruri ??= parseUri(this.uriText));
  }
}

export class SipResponse extends SipMessage {
  readonly status: number;
  readonly reason: string;
  private rawStartLine: string | null;

  constructor(status: number, reason: string, version: string, headers: SipHeader[], body: Buffer, raw?: string) {
    super(version, headers, body);
    this.status = status;
    this.reason = reason;
    this.rawStartLine = raw ?? null;
  }

  get startLine(): string {
    return this.rawStartLine ?? `${this.version} ${this.status} ${this.reason}`;
  }

  isRequest(): this is SipRequest {
    return false;
  }
}
