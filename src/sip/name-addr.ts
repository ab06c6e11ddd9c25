/**
 * name-addr / addr-spec values of From, To, Contact, Route, Record-Route, Refer-To (RFC 3261 §20.10, §25.1).
 */
import { endOfQuoted, isToken, type ParamList, parseParams, skipWs, unquote } from './lexer.js';
import { fail } from './sip-parse-error.js';
import { parseUri, type Uri } from './sip-uri.js';

export interface NameAddr {
  /** As written: a quoted string (with quotes) or tokens; null when absent. */
  displayName: string | null;
  uri: Uri;
  /** Whether the URI was written in angle brackets (it must be when it has `,`, `;` or `?`). */
  angle: boolean;
  params: ParamList;
}

export function parseNameAddr(value: string): NameAddr {
  const s = value.trim();
  let i = 0;
  let displayName: string | null = null;
  let angle = false;
  let uriText: string;
  if (s.charCodeAt(0) === 34) {
    i = endOfQuoted(s, 0);
    displayName = s.slice(0, i);
    i = skipWs(s, i);
    if (s.charCodeAt(i) !== 60) fail('header-value', 'quoted display name not followed by <URI>');
  }
  const lt = displayName === null ? s.indexOf('<') : i;
  if (lt >= 0) {
    if (displayName === null) {
      const words = s.slice(0, lt).trim();
      if (words.length > 0) {
        // display-name = *(token LWS) / quoted-string: a comma or other separator needs quotes (§25.1)
        if (!words.split(/\s+/).every(isToken)) fail('header-value', 'display name must be tokens or quoted');
        displayName = words;
      }
    }
    const gt = s.indexOf('>', lt);
    if (gt < 0) fail('header-value', 'missing > after URI');
    uriText = s.slice(lt + 1, gt);
    if (uriText.length === 0 || uriText.trim() !== uriText) fail('header-value', 'spaces inside <URI>');
    angle = true;
    i = gt + 1;
  } else {
    // addr-spec: the URI ends at the first `;`, and may not hold `?` or `,` (§20.10)
    const semi = s.indexOf(';');
    uriText = (semi < 0 ? s : s.slice(0, semi)).trimEnd();
    if (/[?,\s]/.test(uriText)) fail('header-value', 'a URI with ? , or spaces must be in angle brackets');
    i = semi < 0 ? s.length : semi;
  }
  const { params, end } = parseParams(s, i, 'name-addr');
  if (end !== s.length) fail('header-value', 'unexpected text after name-addr parameters');
  return { displayName, uri: parseUri(uriText), angle, params };
}

/** The display name without quotes and escapes; null when absent. */
export function displayText(na: NameAddr): string | null {
  return na.displayName === null ? null : unquote(na.displayName);
}

export function formatNameAddr(na: NameAddr): string {
  const uri = na.uri.raw;
  const lead = na.displayName === null ? '' : `${na.displayName} `;
  const body = na.angle || na.displayName !== null ? `${lead}<${uri}>` : uri;
  return body + na.params.toString();
}
