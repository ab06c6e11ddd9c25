/**
 * The downstream shield: what the B2BUA copies from one leg's message into the other leg's is well formed
 * and bounded, and names none of the far side's hosts. Equipment behind an SBC is not always ready for what
 * the Internet sends (a 4,000-character display name once crashed a callee), so each header that crosses:
 * * must parse as its grammar says (RFC 3261 §25.1 and the RFC of each header below), else it stays behind;
 * * in the identity and routing headers, is rebuilt from its parts (display name bounded and re-quoted,
 *   URIs re-serialized, never copied as bytes) with each SIP URI's host made the SBC's own address on the
 *   receiving leg (topology hiding: user parts, parameters and display names are kept);
 * * stays behind when its line is longer than `maxHeaderBytes`, or when `maxHeaders` have crossed already.
 * Each header held back is reported (a counter and a debug line naming it). The SBC's own listening side is
 * the parser's concern; this is about what FoSIP sends inside.
 */
import type { SanitizeJson } from '../config/dial-config.js';
import { headerKey } from '../sip/header-names.js';
import { isToken, parseParams, splitList, unfold } from '../sip/lexer.js';
import { type NameAddr, parseNameAddr } from '../sip/name-addr.js';
import { formatUri, isSipUri, isTelUri } from '../sip/sip-uri.js';
import { boundedDisplayName } from './display-name.js';

/** fosip.json's `sanitize` with its defaults; the SBC's own headers are not counted in `maxHeaders`. */
export type SanitizeSettings = Required<SanitizeJson>;

export const DEFAULT_SANITIZE: SanitizeSettings = {
  maxHeaderBytes: 1024,
  maxHeaders: 64,
  maxDisplayName: 128,
  topologyHiding: true,
};

export type ShieldDrop = 'too-long' | 'too-many' | 'malformed' | 'inside-address';

/** Where the copied headers go. */
export interface ShieldTarget {
  settings: SanitizeSettings;
  /** The SBC's own host on the receiving leg: what hidden hosts become. */
  host: string;
  /** Headers (canonical keys) whose hosts cross unchanged: those the dial-peer's pass list names. */
  keepsHosts(key: string): boolean;
  /** Told of each header held back. */
  dropped(name: string, reason: ShieldDrop): void;
}

/**
 * Headers whose values are lists of name-addrs naming parties and hosts: P-Asserted-Identity and
 * P-Preferred-Identity (RFC 3325), Remote-Party-ID (draft-ietf-sip-privacy-04), Diversion (RFC 5806),
 * History-Info (RFC 7044), Call-Info, Reply-To (RFC 3261 §20.9, §20.31), Refer-To (RFC 3515), Referred-By
 * (RFC 3892).
 */
const ADDRESS_HEADERS: ReadonlySet<string> = new Set([
  'p-asserted-identity',
  'p-preferred-identity',
  'remote-party-id',
  'diversion',
  'history-info',
  'call-info',
  'reply-to',
  'refer-to',
  'referred-by',
]);

/** `value *(;param)` with the value checked by `head` (RFC 3261 §25.1 generic-param after it). */
function withParams(head: RegExp): (v: string) => boolean {
  return (v) => {
    const m = head.exec(v);
    if (m === null) return false;
    return parseParams(v, m[0].length, 'header').end === v.length;
  };
}

const tokenList = (v: string): boolean => splitList(v).every(isToken);
const TOKEN_HEAD = /^[A-Za-z0-9\-.!%*_+`'~]+/;
const DIGITS_HEAD = /^\d{1,10}/;

/** The grammar of the known headers that may cross (the others: any printable text, RFC 3261 §25.1 header-value). */
const GRAMMAR: ReadonlyMap<string, (v: string) => boolean> = new Map([
  ['supported', tokenList],
  ['require', tokenList],
  ['allow-events', tokenList],
  ['info-package', tokenList],
  ['session-expires', withParams(DIGITS_HEAD)],
  ['min-se', withParams(DIGITS_HEAD)],
  ['expires', (v: string) => /^\d{1,10}$/.test(v)],
  ['rseq', (v: string) => /^\d{1,10}$/.test(v)],
  ['rack', (v: string) => /^\d{1,10}\s+\d{1,10}\s+[A-Za-z0-9\-.!%*_+`'~]+$/.test(v)],
  ['retry-after', withParams(/^\d{1,10}(\s*\([^()\\]*\))?/)],
  ['event', withParams(TOKEN_HEAD)],
  ['subscription-state', withParams(TOKEN_HEAD)],
  ['content-disposition', withParams(TOKEN_HEAD)],
  ['reason', (v: string) => splitList(v).every(withParams(TOKEN_HEAD))],
  [
    'accept',
    (v: string) => v === '' || splitList(v).every(withParams(/^[A-Za-z0-9\-.!%*_+`'~]+\/[A-Za-z0-9\-.!%*_+`'~]+/)),
  ],
]);

/** Any character but the controls (HTAB aside): what a header-value may hold once unfolded. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The headers as they may cross to the receiving leg: checked, rebuilt, bounded. */
export function shieldHeaders(headers: ReadonlyArray<[string, string]>, to: ShieldTarget): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, raw] of headers) {
    const value = wellFormed(name, unfold(raw), to);
    if (value === null) {
      to.dropped(name, 'malformed');
      continue;
    }
    if (value === '') {
      to.dropped(name, 'inside-address');
      continue;
    }
    if (name.length + 2 + Buffer.byteLength(value) > to.settings.maxHeaderBytes) {
      to.dropped(name, 'too-long');
      continue;
    }
    if (out.length >= to.settings.maxHeaders) {
      to.dropped(name, 'too-many');
      continue;
    }
    out.push([name, value]);
  }
  return out;
}

/** The value to write, '' when nothing of it may cross, or null when it does not parse. */
function wellFormed(name: string, value: string, to: ShieldTarget): string | null {
  if (!isToken(name) || CONTROL.test(value)) return null;
  const key = headerKey(name); // compact forms (RFC 3515 `r`, RFC 3892 `b`) under their full names
  try {
    if (ADDRESS_HEADERS.has(key)) return addresses(key, value, to);
    const grammar = GRAMMAR.get(key);
    return grammar === undefined || grammar(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * A list of name-addrs rebuilt: each display name bounded and re-quoted, each URI re-serialized, and each
 * SIP URI's host (and `maddr`) made the SBC's when hiding. A Call-Info element naming something else than
 * a SIP URI (a web server inside, RFC 3261 §20.9) cannot be pointed at the SBC: it stays behind.
 */
function addresses(key: string, value: string, to: ShieldTarget): string {
  const hide = to.settings.topologyHiding && !to.keepsHosts(key);
  const kept: string[] = [];
  for (const element of splitList(value)) {
    const na: NameAddr = parseNameAddr(element);
    const uri = na.uri;
    if (isSipUri(uri)) {
      if (hide) {
        uri.host = to.host;
        uri.port = null;
        uri.params.delete('maddr');
      }
    } else if (!isTelUri(uri) && hide) continue;
    const display = boundedDisplayName(na, to.settings.maxDisplayName);
    kept.push(`${display === null ? '' : `${display} `}<${formatUri(uri)}>${na.params.toString()}`);
  }
  return kept.join(', ');
}
