/**
 * Bencode, the encoding of rtpengine's "ng" control protocol (BitTorrent's BEP 3): integers `i42e`, byte
 * strings `4:spam`, lists `l...e`, dictionaries `d...e`. Strings are UTF-8 on the way in and decoded as
 * UTF-8 on the way out (SDP is ASCII; call-ids and tags are whatever SIP put there). Dictionary keys are
 * written sorted, as the format asks; they are read in any order, because rtpengine does not sort its own.
 */
import { SbcError } from '../../errors/sbc-error.js';

export type BValue = number | string | BValue[] | { [key: string]: BValue };

/** How deep lists and dictionaries may nest in a reply (rtpengine's `query` goes five levels down). */
const MAX_DEPTH = 32;

export function bencode(v: BValue): Buffer {
  const parts: Buffer[] = [];
  write(v, parts);
  return Buffer.concat(parts);
}

function write(v: BValue, out: Buffer[]): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new SbcError('SBC_ERR_MEDIA_ENGINE', `bencode takes whole numbers, not ${v}`);
    out.push(Buffer.from(`i${v}e`));
  } else if (typeof v === 'string') {
    const bytes = Buffer.from(v, 'utf8');
    out.push(Buffer.from(`${bytes.length}:`), bytes);
  } else if (Array.isArray(v)) {
    out.push(Buffer.from('l'));
    for (const item of v) write(item, out);
    out.push(Buffer.from('e'));
  } else {
    out.push(Buffer.from('d'));
    for (const key of Object.keys(v).sort()) {
      const value = v[key];
      if (value === undefined) continue;
      write(key, out);
      write(value, out);
    }
    out.push(Buffer.from('e'));
  }
}

/** The value at the start of `buf`; throws SBC_ERR_MEDIA_ENGINE on anything malformed or left over. */
export function bdecode(buf: Buffer): BValue {
  const r = new Reader(buf);
  const v = r.value(0);
  if (r.at !== buf.length) throw r.fail('bytes after the value');
  return v;
}

class Reader {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  fail(why: string): SbcError {
    return new SbcError('SBC_ERR_MEDIA_ENGINE', `bencode: ${why} at byte ${this.at}`);
  }

  value(depth: number): BValue {
    if (depth > MAX_DEPTH) throw this.fail('nested too deep');
    const c = this.buf[this.at];
    if (c === undefined) throw this.fail('unexpected end');
    if (c === 0x69 /* i */) return this.integer();
    if (c === 0x6c /* l */) {
      this.at++;
      const list: BValue[] = [];
      while (this.buf[this.at] !== 0x65 /* e */) list.push(this.value(depth + 1));
      this.at++;
      return list;
    }
    if (c === 0x64 /* d */) {
      this.at++;
      const dict: { [key: string]: BValue } = {};
      while (this.buf[this.at] !== 0x65) {
        if (this.buf[this.at] === undefined) throw this.fail('unexpected end');
        const key = this.string();
        const v = this.value(depth + 1);
        // a key `__proto__` is an own property like any other, never the prototype
        if (key === '__proto__')
          Object.defineProperty(dict, key, { value: v, enumerable: true, writable: true, configurable: true });
        else dict[key] = v;
      }
      this.at++;
      return dict;
    }
    return this.string();
  }

  /** `i<digits>e`: no leading zeros, no `-0`, within a safe integer. Digits read in place (a reply has hundreds). */
  private integer(): number {
    let at = this.at + 1;
    const negative = this.buf[at] === 0x2d; /* - */
    if (negative) at++;
    const first = at;
    let n = 0;
    for (let c = this.buf[at]; c !== undefined && c >= 0x30 && c <= 0x39; c = this.buf[++at]) n = n * 10 + (c - 0x30);
    const digits = at - first;
    const leadingZero = this.buf[first] === 0x30 && (digits > 1 || negative);
    if (digits === 0 || leadingZero || this.buf[at] !== 0x65 || !Number.isSafeInteger(n))
      throw this.fail('not an integer');
    this.at = at + 1;
    return negative ? -n : n;
  }

  /** `<length>:<bytes>`, the length without leading zeros and at most 9 digits. */
  private string(): string {
    let at = this.at;
    const first = at;
    let length = 0;
    for (let c = this.buf[at]; c !== undefined && c >= 0x30 && c <= 0x39; c = this.buf[++at])
      length = length * 10 + (c - 0x30);
    const digits = at - first;
    if (digits === 0 || digits > 9 || (digits > 1 && this.buf[first] === 0x30) || this.buf[at] !== 0x3a /* : */)
      throw this.fail('not a string length');
    const start = at + 1;
    const end = start + length;
    if (end > this.buf.length) throw this.fail('string past the end');
    this.at = end;
    return this.buf.toString('utf8', start, end);
  }
}
