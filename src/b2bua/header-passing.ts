/**
 * Which headers of a message cross to the other leg. Headers the SBC writes itself or that carry the far
 * side's topology, transaction state or credentials never do; the headers a feature needs (body types,
 * session timers, event packages...) always do; every other header is "unknown" to the SBC and crosses
 * unless the receiving leg's dial-peer says otherwise (a pass-list or a drop-list). CUBE drops unknown
 * headers by default; passing them is what operators keep asking for (cube-reference, complaints).
 */
import type { DialPeer, HeaderPolicy } from '../routing/dial-peer.js';
import type { SipMessage, SipRequest, SipResponse } from '../sip/sip-message.js';
import { type SanitizeSettings, type ShieldDrop, type ShieldTarget, shieldHeaders } from './header-shield.js';

/** The receiving leg as header passing sees it: its dial-peer's header policy, and the shield toward it. */
export interface Toward {
  policy: HeaderPolicy | null;
  shield: ShieldTarget;
}

/** The node's shield settings (fosip.json `sanitize`) and where a header held back is reported (with its call). */
export interface ShieldContext {
  readonly sanitize: SanitizeSettings;
  dropped(name: string, reason: ShieldDrop, callId?: string): void;
}

/**
 * The leg toward `peer` (its dial-peer, or none), on which the SBC's own host is `host`: the dial-peer's
 * `sanitize` over the node's, and hosts kept in the headers its pass list names. `callId`: the call whose
 * message crosses (none out of dialog), named where a held-back header is reported.
 */
export function toward(
  peer: Pick<DialPeer, 'headerPolicy' | 'sanitize'> | null | undefined,
  host: string,
  ctx: ShieldContext,
  callId?: string,
): Toward {
  const policy = peer?.headerPolicy ?? null;
  return {
    policy,
    shield: {
      settings: peer?.sanitize ? { ...ctx.sanitize, ...peer.sanitize } : ctx.sanitize,
      host,
      keepsHosts: (key) => policy !== null && 'pass' in policy && policy.pass.has(key),
      dropped: (name, reason) => ctx.dropped(name, reason, callId),
    },
  };
}

/** Headers of an in-dialog request or its answer that always cross to the other leg (Content-Type follows the body). */
export const IN_DIALOG_CARRIED = [
  'content-disposition',
  'event',
  'subscription-state',
  'refer-to',
  'referred-by',
  'session-expires',
  'min-se',
  'supported',
  'require',
  'rseq',
  'rack',
  'info-package',
  'reason',
  'allow-events',
  'accept',
  'expires',
];

/**
 * Headers of the callee's final failure that always reach the caller: Reason (RFC 3326: the Q.850 cause a
 * PBX such as CUCM shows and acts on), Retry-After (RFC 3261 §20.33, when to try again), Min-SE (422),
 * Accept (415) and the others an in-dialog message carries.
 */
const FAILURE_CARRIED = [...IN_DIALOG_CARRIED, 'retry-after'];

/** Never copied across: the SBC's own, topology, transaction and dialog state, credentials, framing. */
const OWNED: ReadonlySet<string> = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'max-forwards',
  'route',
  'record-route',
  'content-length',
  'content-type',
  'allow',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'authentication-info',
  'proxy-authentication-info',
  'path',
  'service-route',
  'proxy-require',
  'security-client',
  'security-server',
  'security-verify',
  'replaces',
  'join',
  'rack',
]);

const NONE: ReadonlySet<string> = new Set();

/** Whether an unknown header crosses to a leg with this policy. */
function passes(key: string, policy: HeaderPolicy | null): boolean {
  if (policy === null) return true;
  return 'pass' in policy ? policy.pass.has(key) : !policy.drop.has(key);
}

/**
 * The headers of `from` that cross to the leg `to`: `known` always, unknown ones by its dial-peer's policy,
 * none that the message for it already has (the SBC wrote its own); then through the shield (well formed,
 * bounded, hosts hidden).
 */
export function crossing(
  from: SipMessage,
  known: readonly string[],
  to: Toward,
  own: ReadonlySet<string> = NONE,
): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (const h of from.headers) {
    const key = h.key;
    if (own.has(key)) continue;
    if (!known.includes(key) && (OWNED.has(key) || !passes(key, to.policy))) continue;
    result.push([h.name, h.value]);
  }
  return shieldHeaders(result, to.shield);
}

/**
 * The headers of the caller's final failure: `warning` (the SBC's own Warning value, when it failed the call
 * itself) and what the callee's failure `res` carries across (known headers always, unknown ones by the
 * caller's dial-peer `policy`). The status may be CUBE's mapping of the callee's; the headers still tell why.
 */
export function failureHeaders(
  res: SipResponse | undefined,
  to: Toward,
  warning: string | null,
): Array<[string, string]> {
  const headers: Array<[string, string]> = warning === null ? [] : [['Warning', warning]];
  return res === undefined ? headers : [...headers, ...crossing(res, FAILURE_CARRIED, to)];
}

/** Add the crossing headers to a request for the other leg. */
export function carry(out: SipRequest, headers: Array<[string, string]>): void {
  for (const [name, value] of headers) out.addHeader(name, value);
}
