/** One header field line, kept byte-exact (as latin1 text) with its line end, folding and case. */
import { headerKey } from './header-names.js';
import { unfold } from './lexer.js';

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
  ) {
    this.key = headerKey(name);
  }

  static create(name: string, value: string): SipHeader {
    return new SipHeader(name, `${name}: ${value}`, name.length + 1);
  }

  /** The value with folds replaced by one space and surrounding white space trimmed. */
  get value(): string {
    if (this.cachedValue === undefined) this.cachedValue = unfold(this.raw.slice(this.valueStart)).trim();
    return this.cachedValue;
  }
}
