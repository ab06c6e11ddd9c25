/**
 * The display name the B2BUA writes into the From of the leg it starts: what the caller wrote, bounded and
 * re-serialized, never its bytes. Equipment behind the SBC is not always ready for what the Internet sends
 * (a 4,000-character display name once crashed a callee), so the name is cut to a sane length (CUBE-like:
 * 128 characters), stripped of control characters, and written as a quoted-string with `"` and `\`
 * escaped (RFC 3261 §25.1 quoted-string, quoted-pair), or as the tokens it was when it was tokens.
 */
import type { NameAddr } from '../sip/name-addr.js';
import { displayText } from '../sip/name-addr.js';

export const MAX_DISPLAY_NAME = 128;

export function boundedDisplayName(na: NameAddr, max = MAX_DISPLAY_NAME): string | null {
  const text = displayText(na);
  if (text === null) return null;
  // by code point, so a cut never splits a character in two
  const kept = [...text.replace(/[\u0000-\u001f\u007f]/g, '')].slice(0, max).join('').trim();
  if (kept === '') return null;
  // a display name of tokens (`Alice Smith`, RFC 3261 §25.1 *(token LWS)) stays as it was written
  if (na.displayName?.startsWith('"') !== true && /^[A-Za-z0-9\-.!%*_+`'~ ]+$/.test(kept)) return kept;
  return `"${kept.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
