/**
 * The lossless SIP message model. Headers stay in arrival order with their raw bytes; the few headers the
 * stack needs are parsed on first access and cached until a header changes. An unchanged message
 * serializes to exactly the bytes it was parsed from (start line, headers, blank line and body).
 */
import { LIST_HEADERS, headerKey } from './header-names.js';
import { type CSeq, parseCSeq } from './cseq.js';
import { splitList } from './lexer.js';
import { type NameAddr, parseNameAddr } from './name-addr.js';
import { SipHeader } from './sip-header.js';
import { fail } from './sip-parse-error.js';
import { type Uri, parseUri } from './sip-uri.js';
import { type Via, formatVia, parseVia } from './via.js';

/** One fixed shape for the parsed-header cache, so property access stays monomorphic. */
class ParsedCache {
  via: Via[] | undefined = undefined;
  topVia: Via | undefined = undefined;
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

/** Where an unedited message came from: its bytes can be copied instead of rebuilt. */
interface Source {
  buf: Buffer;
  start: number;
  end: number;
}

export abstract class SipMessage {
  private hdrs: SipHeader[];
  private bodyBuf: Buffer;
  /** Set by the parser. While nothing is edited, serialize() copies this span as it is. */
  protected source: Source | null = null;
  /** The buffer parsed headers point into (SipHeader.src); kept after edits to copy untouched runs. */
  private srcBuf: Buffer | null = null;
  /** Offsets in srcBuf of the start line, the blank line and the body, or -1 once they changed. */
  protected startSrc = -1;
  private headEolSrc = -1;
  private bodySrc = -1;
  readonly version: string;
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
    this.hdrs = headers;
    this.bodyBuf = body;
  }

  /** Header fields in order. Edit them through addHeader/setHeader/removeHeader/setTopVia. */
  get headers(): readonly SipHeader[] {
    return this.hdrs;
  }

  get body(): Buffer {
    return this.bodyBuf;
  }

  /**
   * For the parser: the body it framed, and the span of `buf` the message occupies, which serialize()
   * copies while nothing has been edited.
   */
  framed(body: Buffer, source: Source | null, bodyStart = -1): void {
    this.bodyBuf = body;
    this.source = source;
    this.srcBuf = source?.buf ?? null;
    if (source !== null && bodyStart >= 0) {
      this.startSrc = source.start;
      this.headEolSrc = bodyStart - this.headEol.length;
      this.bodySrc = bodyStart;
    }
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
      if (!LIST_HEADERS.has(key)) out.push(v);
      // An empty list header (`Accept:`, `Supported:`) is legal and has no elements (§20.1, §20.37).
      else if (v.trim().length > 0) out.push(...splitList(v));
    }
    return out;
  }

  /** Append a header, or insert it before all others of the same key with `first`. */
  addHeader(name: string, value: string, first = false): void {
    const h = SipHeader.create(name, value);
    const at = first ? this.hdrs.findIndex((x) => x.key === h.key) : -1;
    if (at >= 0) this.hdrs.splice(at, 0, h);
    else this.hdrs.push(h);
    this.invalidate();
  }

  /** Replace every copy of a header with one field holding `value` (at the first copy's place). */
  setHeader(name: string, value: string): void {
    const key = headerKey(name);
    const at = this.hdrs.findIndex((h) => h.key === key);
    const h = SipHeader.create(name, value);
    this.hdrs = this.hdrs.filter((x) => x.key !== key);
    if (at >= 0) this.hdrs.splice(Math.min(at, this.hdrs.length), 0, h);
    else this.hdrs.push(h);
    this.invalidate();
  }

  /** Replace the whole header list (a SIP profile's result); headers kept from the old list keep their bytes. */
  replaceHeaders(headers: SipHeader[]): void {
    this.hdrs = headers;
    this.invalidate();
  }

  removeHeader(name: string): void {
    const key = headerKey(name);
    this.hdrs = this.hdrs.filter((h) => h.key !== key);
    this.invalidate();
  }

  /** Replace the first Via element (e.g. to add received/rport on arrival, RFC 3261 §18.2.1). */
  setTopVia(via: Via): void {
    const i = this.hdrs.findIndex((h) => h.key === 'via');
    const h = this.hdrs[i];
    if (h === undefined) return;
    const parts = splitList(h.value);
    parts[0] = formatVia(via);
    this.hdrs[i] = SipHeader.create(h.name, parts.join(', '));
    this.invalidate();
    this.cache.topVia = via;
  }

  /** Replace the body and keep Content-Length true. */
  setBody(body: Buffer, contentType?: string): void {
    this.bodyBuf = body;
    this.bodySrc = -1;
    this.setHeader('Content-Length', String(body.length));
    if (contentType !== undefined) this.setHeader('Content-Type', contentType);
    else if (body.length === 0) this.removeHeader('Content-Type');
  }

  protected invalidate(): void {
    this.cache = new ParsedCache();
    this.source = null;
  }

  // ---- structured access (throws SipParseError when malformed) -----------------------------------

  vias(): Via[] {
    return (this.cache.via ??= this.headerValues('via').map(parseVia));
  }

  /** The top Via alone: the others are parsed only when vias() is asked for. */
  topVia(): Via {
    if (this.cache.topVia === undefined) {
      if (this.cache.via !== undefined) {
        this.cache.topVia = this.cache.via[0];
      } else {
        const h = this.hdrs.find((x) => x.key === 'via');
        if (h !== undefined) {
          const v = h.value;
          this.cache.topVia = parseVia(v.includes(',') ? (splitList(v)[0] ?? '') : v);
        }
      }
    }
    if (this.cache.topVia === undefined) fail('header-value', 'missing Via');
    return this.cache.topVia;
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
    const src = this.source;
    if (src !== null) {
      // nothing was edited: the parsed bytes are the serialization (lossless by construction)
      const out = Buffer.allocUnsafe(src.end - src.start);
      src.buf.copy(out, 0, src.start, src.end);
      return out;
    }
    return this.rebuild();
  }

  /**
   * Serialize after edits into one buffer of the exact size. What is still as parsed (start line, header
   * runs, blank line, body) is copied from the source in as few pieces as possible; the rest is written
   * as latin1 text. A header edit therefore costs a few copies, not a rebuild of the whole head.
   */
  private rebuild(): Buffer {
    const startText = this.startLine + this.startEol;
    let size = startText.length + this.headEol.length + this.bodyBuf.length;
    for (const h of this.hdrs) size += h.raw.length + h.eol.length;
    const out = Buffer.allocUnsafe(size);
    const src = this.srcBuf;
    let pos = 0;
    let runFrom = -1;
    let runTo = -1;
    let text = '';
    const flush = (): void => {
      if (runFrom >= 0 && src !== null) pos += src.copy(out, pos, runFrom, runTo);
      if (text.length > 0) pos += out.write(text, pos, 'latin1');
      runFrom = -1;
      text = '';
    };
    const piece = (from: number, len: number, asText: string | (() => string)): void => {
      if (src !== null && from >= 0) {
        if (text.length > 0 || (runFrom >= 0 && runTo !== from)) flush();
        if (runFrom < 0) runFrom = from;
        runTo = from + len;
      } else {
        if (runFrom >= 0) flush();
        text += typeof asText === 'string' ? asText : asText();
      }
    };
    piece(this.startSrc, startText.length, startText);
    for (const h of this.hdrs) piece(h.src, h.raw.length + h.eol.length, () => h.raw + h.eol);
    piece(this.headEolSrc, this.headEol.length, this.headEol);
    if (this.bodySrc >= 0) piece(this.bodySrc, this.bodyBuf.length, '');
    flush();
    if (this.bodySrc < 0) this.bodyBuf.copy(out, pos);
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
    this.startSrc = -1;
    this.invalidate();
  }

  uri(): Uri {
    return (this.cache.ruri ??= parseUri(this.uriText));
  }
}

export class SipResponse extends SipMessage {
  /** Changed only through setStatusLine (a SIP profile rewriting the status line). */
  status: number;
  reason: string;
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

  setStatusLine(status: number, reason: string): void {
    this.status = status;
    this.reason = reason;
    this.rawStartLine = null;
    this.startSrc = -1;
    this.invalidate();
  }

  isRequest(): this is SipRequest {
    return false;
  }
}
