/**
 * Cuts a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3, required on streams) and
 * recognises RFC 5626 §4.4.1 keep-alives: a double CRLF ping (answered with a single CRLF pong) and a
 * lone CRLF (pong or stray line end, ignored). Pure: no sockets, no timers.
 */
import { findHeadEnd } from '../sip/message-parser.js';

export type FrameEvent =
  { kind: 'message'; bytes: Buffer } | { kind: 'ping' } | { kind: 'error'; reason: string; tooLarge: boolean };

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)$/gim;

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes of a message that has started but is not complete yet (for the slow-drip deadline). */
  get pending(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const events: FrameEvent[] = [];
    for (;;) {
      const ev = this.next();
      if (ev === null) break;
      events.push(ev);
      if (ev.kind === 'error') {
        this.failed = true;
        this.buf = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  private next(): FrameEvent | null {
    const keepalive = this.keepalive();
    if (keepalive !== undefined) return keepalive;
    if (this.buf.length === 0) return null;
    const end = findHeadEnd(this.buf, 0);
    if (end === null) {
      return this.buf.length > this.maxMessageBytes ? this.error('headers larger than the message limit', true) : null;
    }
    const head = this.buf.toString('latin1', 0, end.at);
    const lengths = [...head.matchAll(CONTENT_LENGTH)].map((m) => (m[1] ?? '').trim());
    const first = lengths[0];
    if (first === undefined) return this.error('Content-Length is required on stream transports', false);
    if (lengths.some((l) => l !== first) || !/^[0-9]{1,10}$/.test(first)) {
      return this.error('invalid or conflicting Content-Length', false);
    }
    const total = end.at + end.sep + Number(first);
    if (total > this.maxMessageBytes) return this.error('message larger than the limit', true);
    if (this.buf.length < total) return null;
    const bytes = this.buf.subarray(0, total);
    this.buf = this.buf.subarray(total);
    return { kind: 'message', bytes };
  }

  /**
   * Leading line ends. `\r\n\r\n` is a ping; other CR/LF before a start line are skipped (RFC 3261 §7.5).
   * Returns a ping, null to wait for more bytes (only CR/LF so far, which may grow into a ping), or
   * undefined when the buffer now starts with something else.
   */
  private keepalive(): FrameEvent | null | undefined {
    const b = this.buf;
    let i = 0;
    while (i < b.length && (b[i] === 13 || b[i] === 10)) i++;
    if (i === 0) return undefined;
    if (i >= 4 && b[0] === 13 && b[1] === 10 && b[2] === 13 && b[3] === 10) {
      this.buf = b.subarray(4);
      return { kind: 'ping' };
    }
    if (i === b.length && i < 4) return null;
    this.buf = b.subarray(i);
    return undefined;
  }

  private error(reason: string, tooLarge: boolean): FrameEvent {
    return { kind: 'error', reason, tooLarge };
  }
}
