/**
 * What a UAS (the A side of the B2BUA) must reject before anything else looks at a request, in the order
 * RFC 3261 §8.2 and §16.3 give: framing, version, mandatory headers, Request-URI scheme, method, Require,
 * loops. Each rejection names its fault; the transaction layer turns it into a response with a Warning.
 */
import { KNOWN_METHODS, SUPPORTED_OPTION_TAGS, answeredLocally } from './capabilities.js';
import { SINGLE_VALUED } from './header-names.js';
import type { SipRequest, SipResponse } from './sip-message.js';
import { SipParseError } from './sip-parse-error.js';
import { isSipUri } from './sip-uri.js';

export interface Rejection {
  status: number;
  reason: string;
  /** Human text for `Warning: 399 <agent> "<text>"`; null when the status says it all. */
  warning: string | null;
  /** Extra headers the RFC asks for (Unsupported, Allow, Accept). */
  headers: Array<[string, string]>;
}

export interface CheckOptions {
  /** Methods this element implements; any other gets 501 (RFC 3261 §8.2.1). */
  knownMethods: ReadonlySet<string>;
  /** Option tags understood in Require (RFC 3261 §8.2.2.3). */
  supported: ReadonlySet<string>;
  /** Whether this request would be relayed onward (then Max-Forwards 0 gets 483, §16.3 step 3). */
  relays: (req: SipRequest) => boolean;
}

function reject(
  status: number,
  reason: string,
  warning: string | null,
  headers: Array<[string, string]> = [],
): Rejection {
  return { status, reason, warning, headers };
}

const bad = (warning: string): Rejection => reject(400, 'Bad Request', warning);

/** Returns the rejection for `req`, or null when it may go on to the transaction user. */
export function checkRequest(req: SipRequest, opts: CheckOptions): Rejection | null {
  if (req.framingFault !== null) return bad(req.framingFault);
  if (!/^SIP\/[0-9]+\.[0-9]+$/.test(req.version)) return bad('malformed Request-Line');
  if (req.version !== 'SIP/2.0') return reject(505, 'Version Not Supported', `${req.version} is not supported`);
  const fault = headerFault(req) ?? uriFault(req);
  if (fault !== null) return fault;
  if (!opts.knownMethods.has(req.method)) {
    return reject(501, 'Not Implemented', `method ${req.method} is not implemented`, [
      ['Allow', [...opts.knownMethods].join(', ')],
    ]);
  }
  if (req.cseq().method !== req.method) return bad('CSeq method does not match the Request-Line');
  try {
    return extensionFault(req, opts) ?? bodyFault(req);
  } catch (err) {
    if (err instanceof SipParseError) return bad(err.message);
    throw err;
  }
}

const CHECKED_LISTS = ['require', 'proxy-require', 'supported', 'allow', 'accept', 'allow-events'];

/** The mandatory headers exist once each and parse (RFC 3261 §8.1.1, §20). */
function headerFault(req: SipRequest): Rejection | null {
  for (const key of SINGLE_VALUED) {
    if (req.getHeaders(key).length > 1) return bad(`more than one ${key} header`);
  }
  try {
    if (req.vias().length === 0) return bad('missing Via header');
    req.callId();
    req.cseq();
    req.from();
    req.to();
    req.maxForwards();
    req.contacts();
    req.routes();
    req.recordRoutes();
    // Every list header the B2BUA may read later (Supported, Allow, Accept...) splits cleanly now, so
    // nothing downstream meets a malformed one.
    for (const key of CHECKED_LISTS) req.tokens(key);
  } catch (err) {
    if (err instanceof SipParseError) return bad(err.message);
    throw err;
  }
  return null;
}

/** RFC 3261 §8.2.2.1: an unknown scheme gets 416; headers in a Request-URI are malformed (§19.1.1). */
function uriFault(req: SipRequest): Rejection | null {
  try {
    const uri = req.uri();
    if (isSipUri(uri)) {
      if (uri.headers !== null) return bad('headers are not allowed in a Request-URI');
      return null;
    }
    if (uri.scheme === 'tel') return null;
    return reject(416, 'Unsupported URI Scheme', `URI scheme ${uri.scheme} is not supported`);
  } catch (err) {
    if (err instanceof SipParseError) return bad(`malformed Request-URI: ${err.message}`);
    throw err;
  }
}

/**
 * §8.2.2.3: unknown Require tags get 420 listing them in Unsupported. The SBC relays requests, so it also
 * honours Proxy-Require as a proxy must (§16.3 step 4). Neither is checked for CANCEL; ACK is never answered.
 */
function extensionFault(req: SipRequest, opts: CheckOptions): Rejection | null {
  if (req.method !== 'CANCEL' && req.method !== 'ACK') {
    let tags: string[];
    try {
      tags = [...req.tokens('require'), ...req.tokens('proxy-require')];
    } catch {
      return bad('malformed Require or Proxy-Require header');
    }
    const unknown = tags.filter((t) => !opts.supported.has(t.toLowerCase()));
    if (unknown.length > 0) {
      return reject(420, 'Bad Extension', null, [['Unsupported', unknown.join(', ')]]);
    }
  }
  if (req.maxForwards() === 0 && opts.relays(req)) return reject(483, 'Too Many Hops', null);
  return null;
}

const SESSION_METHODS = new Set(['INVITE', 'UPDATE', 'PRACK']);
const SDP = 'application/sdp';

/** §8.2.3 and §21.4.7: a session body we cannot read gets 415; an Accept we cannot meet gets 406. */
function bodyFault(req: SipRequest): Rejection | null {
  if (!SESSION_METHODS.has(req.method)) return null;
  const type = (req.contentType() ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (req.body.length > 0 && type !== SDP && !type.startsWith('multipart/')) {
    return reject(415, 'Unsupported Media Type', `content type ${type || '(none)'} is not supported`, [
      ['Accept', SDP],
    ]);
  }
  if (req.method === 'INVITE' && req.hasHeader('accept')) {
    const accepted = req.tokens('accept').map((a) => (a.split(';')[0] ?? '').trim().toLowerCase());
    if (!accepted.some((a) => a === SDP || a === 'application/*' || a === '*/*')) {
      return reject(406, 'Not Acceptable', 'only application/sdp answers can be produced', []);
    }
  }
  return null;
}

/**
 * A response the stack may act on: version 2.0, one parseable top Via, CSeq, Call-ID, From and To.
 * Anything else is dropped silently (RFC 4475 §3.1.2.5, §3.1.2.19): responses are never answered.
 */
export function responseFault(res: SipResponse): string | null {
  if (res.framingFault !== null) return res.framingFault;
  if (res.version !== 'SIP/2.0') return `unsupported version ${res.version}`;
  for (const key of SINGLE_VALUED) {
    if (res.getHeaders(key).length > 1) return `more than one ${key} header`;
  }
  try {
    res.topVia();
    res.cseq();
    res.callId();
    res.from();
    res.to();
  } catch (err) {
    if (err instanceof SipParseError) return err.message;
    throw err;
  }
  return null;
}

/** The checks as the SBC runs them: its known methods, its option tags, OPTIONS/CANCEL/ACK answered locally. */
export const STACK_CHECKS: CheckOptions = {
  knownMethods: KNOWN_METHODS,
  supported: SUPPORTED_OPTION_TAGS,
  relays: (req) => !answeredLocally(req.method),
};
