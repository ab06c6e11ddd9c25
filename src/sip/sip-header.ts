/** One header field line, kept byte-exact (as latin1 text) with its line end, folding and case. */
import { headerKey } from './header-names.js';
import { isWs, unfold } from './lexer.js';

export class SipHeader {
  /** Canonical key: lower case with compact forms expanded (`v` -> `via`). */
  readonly key: string;
  private cachedValue: string | undefined;

  constructor(
    /** The name as written, e.g. `v`, `MaX-fOrWaRdS`. */
    readonly name: string,
    /** The whole field as it arrived, continuation lines included, without its final line end. */
    readonly raw: string,
    /** Offset in `raw` just past the colon. */
    private readonly valueStart: number,
    readonly eol: string = '\r\n',
    /** Offset of `raw` in the buffer it was parsed from, or -1 for a header made here. */
    readonly src: number = -1,
  ) {
    this.key = headerKey(name);
  }

  static create(name: string, value: string): SipHeader {
    return new SipHeader(name, `${name}: ${value}`, name.length + 1);
  }

  /** The value with folds replaced by one space and surrounding white space trimmed. */
  get value(): string {
    if (this.cachedValue === undefined) {
      const r = this.raw;
      let s = this.valueStart;
      let e = r.length;
      while (s < e && isWs(r.charCodeAt(s))) s++;
      while (e > s && isWs(r.charCodeAt(e - 1))) e--;
      const v = r.slice(s, e);
      this.cachedValue = v.includes('\n') ? unfold(v) : v;
    }
    return this.cachedValue;
  }
}
