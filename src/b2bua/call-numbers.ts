/**
 * Number translation on a call (cube-reference §3): the inbound dial-peer's incoming profile runs before
 * the outbound lookup, the outbound dial-peer's outgoing profile on its leg. The called number reaches the
 * Request-URI and To, the calling number From, P-Asserted-Identity and Remote-Party-ID, the redirect number
 * Diversion. A reject rule blocks the call with its cause.
 */
import type { DialPeer } from '../routing/dial-peer.js';
import { BLOCK_CAUSE_CODES, type Numbers, type TranslationProfile } from '../rewrite/translation.js';
import { headerKey } from '../sip/header-names.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { SipHeader } from '../sip/sip-header.js';
import type { SipRequest } from '../sip/sip-message.js';
import { type Uri, isSipUri, uriUser } from '../sip/sip-uri.js';
import { causeText } from './cause-map.js';
import type { InboundKeys } from '../routing/dial-plan.js';
import { bareHost } from '../sip/host.js';

export interface Blocked {
  /** The numbers as they were when the rule blocked them (for the call-detail record). */
  numbers: Numbers;
  cause: number;
  text: string;
  /** For the log: which profile, number and rule. */
  detail: string;
}

/** The user part of the first Diversion header (RFC 5806): the number the call was diverted from. */
export function redirectNumber(invite: SipRequest): string | null {
  const value = invite.header('diversion');
  if (value === undefined) return null;
  try {
    return uriUser(parseNameAddr(value.split(',')[0] ?? '').uri);
  } catch {
    return null;
  }
}

/** Numbers after a translation profile (none: as they are), or why the call is blocked. */
export function translate(profile: TranslationProfile | null, numbers: Numbers): Numbers | Blocked {
  if (profile === null) return numbers;
  const r = profile.apply(numbers);
  if (r.kind === 'translated') return r.numbers;
  const cause = BLOCK_CAUSE_CODES[r.cause];
  return {
    numbers,
    cause,
    text: causeText(cause),
    detail: `translation-profile ${profile.name} blocked the ${r.number} number on translation-rule ${r.tag} rule ${r.rule}`,
  };
}

export function isBlocked(x: Numbers | Blocked): x is Blocked {
  return 'cause' in x;
}

/** The numbers, translated or (when blocked) as they came. */
export function numbersOf(x: Numbers | Blocked): Numbers {
  return isBlocked(x) ? x.numbers : x;
}

/** The numbers of a new call after the incoming translation of its inbound dial-peer. */
export function incomingNumbers(inbound: DialPeer, invite: SipRequest): Numbers | Blocked {
  const keys = inboundKeys(invite);
  return translate(inbound.translationIncoming, {
    called: keys.calledNumber,
    calling: keys.callingNumber,
    redirectCalled: redirectNumber(invite),
  });
}

/**
 * Replace the user part `from` by `to` in the URIs of these headers of `req` (a translated calling number
 * in P-Asserted-Identity and Remote-Party-ID, a translated redirect number in Diversion).
 */
export function replaceUser(req: SipRequest, headers: readonly string[], from: string, to: string): void {
  if (from === to || from === '') return;
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const user = new RegExp(`((?:sips?|tel):)${escaped}(?=[@;>?]|$)`, 'g');
  const keys = new Set(headers.map(headerKey));
  if (!req.headers.some((h) => keys.has(h.key) && h.value.search(user) >= 0)) return;
  req.replaceHeaders(
    req.headers.map((h) =>
      keys.has(h.key) && h.value.search(user) >= 0 ? SipHeader.create(h.name, h.value.replace(user, `$1${to}`)) : h,
    ),
  );
}

/** What inbound dial-peer matching reads of an INVITE: the numbers, and the URIs of Via, Request-URI, To, From. */
export function inboundKeys(invite: SipRequest): InboundKeys {
  const ruri = invite.uri();
  const from = invite.from();
  const parts = (u: Uri) => ({ uri: u.raw, host: isSipUri(u) ? bareHost(u.host) : '', user: uriUser(u) });
  const via = invite.topVia();
  return {
    calledNumber: uriUser(ruri) ?? '',
    callingNumber: uriUser(from.uri) ?? '',
    uris: {
      via: { uri: `sip:${via.host}`, host: bareHost(via.host), user: null },
      request: parts(ruri),
      to: parts(invite.to().uri),
      from: parts(from.uri),
    },
  };
}
