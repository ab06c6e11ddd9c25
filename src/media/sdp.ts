import { SbcError } from '../errors/sbc-error.js';
/**
 * Lossless, line-level SDP (RFC 8866, offer/answer RFC 3264). Every line is kept as it came, in order,
 * with the message's own line ending; only the lines an edit touches are rewritten. The session level is
 * the lines before the first `m=`; each media section runs from its `m=` to the next.
 */

export class SdpError extends SbcError {
  constructor(message: string) {
    super('SBC_ERR_MEDIA_SDP', message);
  }
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
const DIRECTIONS: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

export interface Connection {
  family: 'IP4' | 'IP6';
  address: string;
}

export interface RtpMap {
  encoding: string;
  clockRate: number;
  channels: number | null;
}

export class MediaSection {
  constructor(
    private readonly sdp: Sdp,
    /** Which `m=` line this is (0 for the first); line indexes are found again on each use, as edits move them. */
    readonly index: number,
  ) {}

  /** Index of this section's `m=` line in the SDP's lines. */
  get at(): number {
    let n = -1;
    for (let i = 0; i < this.sdp.lines.length; i++)
      if (this.sdp.lines[i]?.startsWith('m=') && ++n === this.index) return i;
    throw new SdpError(`no m= line number ${this.index}`);
  }

  private get fields(): string[] {
    return (this.sdp.lines[this.at] ?? '').slice(2).split(' ');
  }

  get media(): string {
    return this.fields[0] ?? '';
  }

  get port(): number {
    return Number((this.fields[1] ?? '').split('/')[0]);
  }

  get proto(): string {
    return this.fields[2] ?? '';
  }

  /** Payload types (or other formats), in the offerer's order of preference. */
  get formats(): string[] {
    return this.fields.slice(3).filter((f) => f !== '');
  }

  /** A rejected or disabled stream (RFC 3264 §6, port 0). */
  get rejected(): boolean {
    return this.port === 0;
  }

  /** Line indexes of this section, the `m=` line included. */
  get range(): [number, number] {
    const next = this.sdp.lines.findIndex((l, i) => i > this.at && l.startsWith('m='));
    return [this.at, next < 0 ? this.sdp.lines.length : next];
  }

  private attributeLines(): number[] {
    const [from, to] = this.range;
    const out: number[] = [];
    for (let i = from + 1; i < to; i++) if (this.sdp.lines[i]?.startsWith('a=')) out.push(i);
    return out;
  }

  /** Values of `a=<name>:...` (or `a=<name>` as ''), in order. */
  attributes(name: string): string[] {
    const out: string[] = [];
    for (const i of this.attributeLines()) {
      const v = attributeValue(this.sdp.lines[i] ?? '', name);
      if (v !== null) out.push(v);
    }
    return out;
  }

  /** The media-level `c=`, else the session's (RFC 8866 §5.7). */
  get connection(): Connection | null {
    const [from, to] = this.range;
    for (let i = from + 1; i < to; i++)
      if (this.sdp.lines[i]?.startsWith('c=')) return parseConnection(this.sdp.lines[i] ?? '');
    return this.sdp.sessionConnection;
  }

  get direction(): Direction {
    for (const i of this.attributeLines()) {
      const v = (this.sdp.lines[i] ?? '').slice(2).trim();
      if (DIRECTIONS.has(v)) return v as Direction;
    }
    return this.sdp.sessionDirection;
  }

  rtpmaps(): Map<string, RtpMap> {
    const out = new Map<string, RtpMap>();
    for (const v of this.attributes('rtpmap')) {
      const m = /^([0-9]+)\s+([^/\s]+)\/([0-9]+)(?:\/([0-9]+))?/.exec(v);
      if (m)
        out.set(m[1] ?? '', {
          encoding: m[2] ?? '',
          clockRate: Number(m[3]),
          channels: m[4] === undefined ? null : Number(m[4]),
        });
    }
    return out;
  }

  /** `a=rtcp` port (RFC 3605), when given. */
  get rtcpPort(): number | null {
    const v = this.attributes('rtcp')[0];
    return v === undefined ? null : Number(v.split(' ')[0]);
  }

  // ---- edits ----

  setPort(port: number): void {
    const f = this.fields;
    const count = (f[1] ?? '').split('/')[1];
    f[1] = count === undefined ? String(port) : `${port}/${count}`;
    this.sdp.lines[this.at] = `m=${f.join(' ')}`;
  }

  /** Whether the section has a `c=` of its own (else the session's applies). */
  get hasOwnConnection(): boolean {
    const [from, to] = this.range;
    for (let i = from + 1; i < to; i++) if (this.sdp.lines[i]?.startsWith('c=')) return true;
    return false;
  }

  /** Set this section's own `c=` (added after the `m=` line's `i=` when it had none). */
  setConnection(c: Connection): void {
    const [from, to] = this.range;
    for (let i = from + 1; i < to; i++) {
      if (this.sdp.lines[i]?.startsWith('c=')) {
        this.sdp.lines[i] = formatConnection(this.sdp.lines[i] ?? '', c);
        return;
      }
    }
    let at = from + 1;
    if (this.sdp.lines[at]?.startsWith('i=')) at++;
    this.sdp.lines.splice(at, 0, formatConnection('c=IN IP4 0.0.0.0', c));
  }

  /** Rewrite `a=rtcp:<port>[ IN IP4 <addr>]` when present (RFC 3605), keeping its form. */
  setRtcp(port: number, c: Connection): void {
    for (const i of this.attributeLines()) {
      const v = attributeValue(this.sdp.lines[i] ?? '', 'rtcp');
      if (v === null) continue;
      const parts = v.split(' ');
      this.sdp.lines[i] = parts.length >= 4 ? `a=rtcp:${port} IN ${c.family} ${c.address}` : `a=rtcp:${port}`;
    }
  }

  setDirection(d: Direction): void {
    for (const i of this.attributeLines()) {
      if (DIRECTIONS.has((this.sdp.lines[i] ?? '').slice(2).trim())) {
        this.sdp.lines[i] = `a=${d}`;
        return;
      }
    }
    this.sdp.lines.splice(this.range[1], 0, `a=${d}`);
  }

  /** Add a format at the end of the `m=` line, with its attribute lines (rtpmap, fmtp) after the section's last rtpmap/fmtp. */
  addFormat(pt: string, attributes: string[]): void {
    this.sdp.lines[this.at] = `${this.sdp.lines[this.at] ?? ''} ${pt}`;
    const [from, to] = this.range;
    let at = to;
    for (let i = from + 1; i < to; i++) if (/^a=(rtpmap|fmtp):/.test(this.sdp.lines[i] ?? '')) at = i + 1;
    this.sdp.lines.splice(at, 0, ...attributes);
  }

  /**
   * Keep only `keep` (in that order) on the `m=` line, and drop the rtpmap/fmtp/rtcp-fb lines of the
   * formats that went.
   */
  setFormats(keep: string[]): void {
    const f = this.fields;
    this.sdp.lines[this.at] = `m=${[...f.slice(0, 3), ...keep].join(' ')}`;
    const gone = new Set(f.slice(3).filter((x) => !keep.includes(x)));
    const [from, to] = this.range;
    for (let i = to - 1; i > from; i--) {
      const m = /^a=(?:rtpmap|fmtp|rtcp-fb):([0-9]+|\*)[\s]/.exec(`${this.sdp.lines[i] ?? ''} `);
      if (m && gone.has(m[1] ?? '')) this.sdp.lines.splice(i, 1);
    }
  }
}

function attributeValue(line: string, name: string): string | null {
  if (!line.startsWith(`a=${name}`)) return null;
  const rest = line.slice(2 + name.length);
  if (rest === '') return '';
  return rest.startsWith(':') ? rest.slice(1) : null;
}

function parseConnection(line: string): Connection | null {
  const m = /^c=IN (IP4|IP6) ([^\s/]+)/.exec(line);
  return m ? { family: m[1] as 'IP4' | 'IP6', address: m[2] ?? '' } : null;
}

/** Keep a multicast TTL/count suffix if the line had one. */
function formatConnection(line: string, c: Connection): string {
  const suffix = /^c=IN IP[46] [^\s/]+(\/\S*)?/.exec(line)?.[1] ?? '';
  return `c=IN ${c.family} ${c.address}${suffix}`;
}

export class Sdp {
  readonly lines: string[];
  readonly eol: string;

  private constructor(lines: string[], eol: string) {
    this.lines = lines;
    this.eol = eol;
  }

  /** Parse; throws SdpError when the text is not a session description (RFC 8866 §5: starts with v=0, has o=). */
  static parse(text: string): Sdp {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lines = text.split(/\r?\n/);
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines[0] !== 'v=0') throw new SdpError('SDP does not start with v=0');
    if (!lines.some((l) => l.startsWith('o='))) throw new SdpError('SDP has no o= line');
    for (const l of lines) if (!/^[a-z]=/.test(l)) throw new SdpError(`malformed SDP line "${l.slice(0, 40)}"`);
    const sdp = new Sdp(lines, eol);
    for (const m of sdp.media) {
      if (!/^m=\S+ [0-9]+(\/[0-9]+)? \S+( \S+)*$/.test(sdp.lines[m.at] ?? ''))
        throw new SdpError(`malformed m= line "${sdp.lines[m.at] ?? ''}"`);
      // a 16-bit transport port (RFC 8866 §5.14): a larger one names no port, and a peer sending from it wraps
      if (m.port > 65535) throw new SdpError(`m= port ${m.port} is out of range in "${sdp.lines[m.at] ?? ''}"`);
    }
    return sdp;
  }

  toString(): string {
    return this.lines.join(this.eol) + this.eol;
  }

  /** Remove every `a=<name>` and `a=<name>:...` line of these names, at session and media level. */
  dropAttributes(names: readonly string[]): void {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i] ?? '';
      if (names.some((n) => attributeValue(line, n) !== null)) this.lines.splice(i, 1);
    }
  }

  get media(): MediaSection[] {
    const out: MediaSection[] = [];
    for (const l of this.lines) if (l.startsWith('m=')) out.push(new MediaSection(this, out.length));
    return out;
  }

  private get sessionEnd(): number {
    const first = this.lines.findIndex((l) => l.startsWith('m='));
    return first < 0 ? this.lines.length : first;
  }

  get sessionConnection(): Connection | null {
    for (let i = 0; i < this.sessionEnd; i++)
      if (this.lines[i]?.startsWith('c=')) return parseConnection(this.lines[i] ?? '');
    return null;
  }

  get sessionDirection(): Direction {
    for (let i = 0; i < this.sessionEnd; i++) {
      const v = (this.lines[i] ?? '').slice(2).trim();
      if (this.lines[i]?.startsWith('a=') && DIRECTIONS.has(v)) return v as Direction;
    }
    return 'sendrecv';
  }

  /** Rewrite the session-level `c=` (when there is one). */
  setSessionConnection(c: Connection): void {
    for (let i = 0; i < this.sessionEnd; i++) {
      if (this.lines[i]?.startsWith('c=')) this.lines[i] = formatConnection(this.lines[i] ?? '', c);
    }
  }

  /** `o=<user> <sess-id> <version> IN <family> <address>`. */
  get origin(): { user: string; sessionId: string; version: bigint; family: string; address: string } {
    const f = (this.lines.find((l) => l.startsWith('o=')) ?? 'o=').slice(2).split(' ');
    let version = 0n;
    try {
      version = BigInt(f[2] ?? '0');
    } catch {
      version = 0n;
    }
    return { user: f[0] ?? '-', sessionId: f[1] ?? '0', version, family: f[4] ?? 'IP4', address: f[5] ?? '' };
  }

  setOrigin(o: { user: string; sessionId: string; version: bigint; family: string; address: string }): void {
    const i = this.lines.findIndex((l) => l.startsWith('o='));
    this.lines[i] = `o=${o.user} ${o.sessionId} ${o.version} IN ${o.family} ${o.address}`;
  }

  clone(): Sdp {
    return new Sdp([...this.lines], this.eol);
  }
}
