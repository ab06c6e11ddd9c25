/**
 * `fosip show dialplan number <digits>`: the inbound path of a call to that number as the node would take
 * it, run on an INVITE made for the purpose through the node's own steps: the global inbound SIP profile,
 * the inbound dial-peer (matched on the previous hop, the URIs and the numbers), its inbound SIP profile,
 * its incoming translation (which may block the call); then the outbound dial-peers it would hunt
 * through, in order, each with whether it would be tried now (like IOS `show dialplan number`, with the
 * node's live state: keepalive busyout, calls against max-conn) and, given the caller's codecs, whether
 * the dial-peer's codec class leaves any.
 */
import { inboundKeys, incomingNumbers, isBlocked } from '../b2bua/call-numbers.js';
import { statusOfCause } from '../b2bua/cause-map.js';
import type { GlobalProfiles } from '../b2bua/leg-profiles.js';
import { applyProfile } from '../b2bua/message-edit.js';
import { SbcError } from '../errors/sbc-error.js';
import type { CodecName } from '../media/codec-class.js';
import type { DialPeer } from '../routing/dial-peer.js';
import type { DialPlan, InboundMatch } from '../routing/dial-plan.js';
import { formatSessionTarget } from '../routing/session-target.js';
import type { SipProfile } from '../rewrite/sip-profile.js';
import { parseMessage } from '../sip/message-parser.js';
import type { SipRequest } from '../sip/sip-message.js';
import { table } from './show-calls.js';

/** What the node knows that changes the hunt: busied-out dial-peers and calls per outbound dial-peer. */
export interface HuntState {
  busyout: ReadonlySet<number>;
  activeOut: ReadonlyMap<number, number>;
}

/**
 * Where the simulated call comes from: the previous hop's address (the top Via a PBX writes, or a whole
 * Via sent-by as `viaUri`), the calling number, and the codecs the caller offers (null: not judged).
 */
export interface CallOrigin {
  callingNumber: string;
  fromAddress: string | null;
  viaUri?: string | null;
  codecs?: CodecName[] | null;
}

export interface DialplanReport {
  calledNumber: string;
  callingNumber: string;
  fromAddress: string | null;
  /** The SIP profiles that ran on the INVITE before the numbers were read (global, then the inbound dial-peer's). */
  inboundProfiles: { global: number | null; dialPeer: number | null };
  inbound: { tag: number; criterion: InboundMatch['criterion']; pattern: string | null; description: string };
  /** The numbers after the inbound dial-peer's incoming translation (what the outbound lookup uses). */
  translated: { called: string; calling: string };
  /** The incoming translation blocks the call: its SIP status and why. */
  blocked: { status: number; text: string } | null;
  outbound: Array<{
    /** `would try`, or `skipped: <why>` (busied out, at max-conn, after a huntstop, no common codec). */
    verdict: string;
    order: number;
    tag: number;
    destinationPattern: string;
    preference: number;
    sessionTarget: string;
    sessionTransport: string;
    huntstop: boolean;
    maxConn: number | null;
    description: string;
  }>;
}

function inboundPattern(m: InboundMatch): string | null {
  if (m.criterion === 'called-number') return m.peer.incomingCalledNumber?.source ?? null;
  if (m.criterion === 'answer-address') return m.peer.answerAddress?.source ?? null;
  if (m.criterion === 'destination-pattern') return m.peer.destinationPattern?.source ?? null;
  return null;
}

/** The INVITE a caller at `origin` would send for `calledNumber` (what the node's inbound steps read). */
function simulatedInvite(calledNumber: string, origin: CallOrigin): SipRequest {
  const hop = (origin.viaUri ?? '').replace(/^sips?:/i, '') || origin.fromAddress || 'caller.invalid';
  const host = origin.fromAddress ?? 'caller.invalid';
  const text = [
    `INVITE sip:${calledNumber}@sbc.invalid SIP/2.0`,
    `Via: SIP/2.0/UDP ${hop};branch=z9hG4bK-dialplan`,
    `From: <sip:${origin.callingNumber === '' ? '' : `${origin.callingNumber}@`}${host}>;tag=dialplan`,
    `To: <sip:${calledNumber}@sbc.invalid>`,
    'Call-ID: dialplan@sbc.invalid',
    'CSeq: 1 INVITE',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const refused = (why: string): SbcError =>
    new SbcError(
      'SBC_ERR_USAGE',
      `cannot make a call to ${calledNumber} from ${hop}: ${why} (use the digits and + of a number, an address)`,
    );
  let msg;
  try {
    msg = parseMessage(Buffer.from(text, 'latin1'));
  } catch (err) {
    throw refused((err as Error).message);
  }
  if (!msg.isRequest()) throw refused('not a request');
  return msg;
}

function runProfile(profile: SipProfile | null, invite: SipRequest): number | null {
  if (profile === null) return null;
  applyProfile(profile, invite, false, { vars: new Map() });
  return profile.tag;
}

export function dialplanReport(
  plan: DialPlan,
  calledNumber: string,
  origin: CallOrigin,
  state: HuntState = { busyout: new Set(), activeOut: new Map() },
  profiles: GlobalProfiles = { inbound: null, outbound: null },
): DialplanReport {
  const { callingNumber, fromAddress } = origin;
  const invite = simulatedInvite(calledNumber, origin);
  // the node's order (edge step, then B2BUA): the global inbound profile, the match, the dial-peer's profile
  const globalProfile = runProfile(profiles.inbound, invite);
  const inbound = plan.inbound(inboundKeys(invite));
  const peerProfile = runProfile(inbound.peer.sipProfilesInbound, invite);
  const numbers = incomingNumbers(inbound.peer, invite);
  const blocked = isBlocked(numbers) ? numbers : null;
  const translated = isBlocked(numbers) ? null : numbers;
  const offered = origin.codecs ?? null;
  let stopped: number | null = null;
  const outbound = (translated === null ? [] : plan.outbound(translated.called)).map((dp: DialPeer, i) => {
    const active = state.activeOut.get(dp.tag) ?? 0;
    const codecs = dp.voiceClassCodec;
    const verdict =
      stopped !== null
        ? `skipped: huntstop on dial-peer ${stopped}`
        : state.busyout.has(dp.tag)
          ? 'skipped: busied out (OPTIONS keepalive)'
          : dp.maxConn !== null && active >= dp.maxConn
            ? `skipped: max-conn ${dp.maxConn} reached`
            : offered !== null && codecs !== null && !codecs.preferences.some((c) => offered.includes(c))
              ? `skipped: no common codec (voice class codec ${codecs.tag}: ${codecs.preferences.join(' ')})`
              : 'would try';
    if (stopped === null && dp.huntstop && verdict === 'would try') stopped = dp.tag;
    return {
      verdict,
      order: i + 1,
      tag: dp.tag,
      destinationPattern: dp.destinationPattern?.source ?? '',
      preference: dp.preference,
      sessionTarget: dp.sessionTarget ? formatSessionTarget(dp.sessionTarget) : '',
      sessionTransport: dp.sessionTransport,
      huntstop: dp.huntstop,
      maxConn: dp.maxConn,
      description: dp.description,
    };
  });
  const read = inboundKeys(invite);
  return {
    calledNumber,
    callingNumber,
    fromAddress,
    inboundProfiles: { global: globalProfile, dialPeer: peerProfile },
    inbound: {
      tag: inbound.peer.tag,
      criterion: inbound.criterion,
      pattern: inboundPattern(inbound),
      description: inbound.peer.description,
    },
    translated:
      translated === null
        ? { called: read.calledNumber, calling: read.callingNumber }
        : { called: translated.called, calling: translated.calling },
    blocked: blocked === null ? null : { status: statusOfCause(blocked.cause), text: blocked.detail },
    outbound,
  };
}

export function renderDialplan(r: DialplanReport): string {
  const from = r.fromAddress === null ? '' : `, from ${r.fromAddress}`;
  const lines = [
    `Called number ${r.calledNumber}${r.callingNumber ? `, calling number ${r.callingNumber}` : ''}${from}`,
    '',
  ];
  const via = r.inbound.pattern === null ? r.inbound.criterion : `${r.inbound.criterion} ${r.inbound.pattern}`;
  lines.push(
    `Inbound dial-peer: ${r.inbound.tag} (${via})${r.inbound.tag === 0 ? '  ! no inbound dial-peer matched' : ''}`,
  );
  const { global, dialPeer } = r.inboundProfiles;
  if (global !== null || dialPeer !== null)
    lines.push(
      `SIP profiles on the INVITE: ${[global === null ? '' : `global inbound ${global}`, dialPeer === null ? '' : `dial-peer inbound ${dialPeer}`].filter((x) => x !== '').join(', ')}`,
    );
  if (r.blocked !== null) {
    lines.push(
      '',
      `Blocked by the incoming translation (${r.blocked.text}): the call would be rejected with ${r.blocked.status}.`,
    );
    return lines.join('\n');
  }
  if (r.translated.called !== r.calledNumber || r.translated.calling !== r.callingNumber)
    lines.push(
      `After incoming translation: called ${r.translated.called}, calling ${r.translated.calling || '(none)'}`,
    );
  lines.push('');
  if (r.outbound.length === 0) {
    lines.push('No outbound dial-peer matches: the call would be rejected with 404.');
    return lines.join('\n');
  }
  lines.push('Outbound dial-peers in hunt order:');
  const header = 'ORDER TAG DEST-PATTERN PREF SESS-TARGET TRANSPORT HUNTSTOP MAX-CONN VERDICT'.split(' ');
  const rows = r.outbound.map((o) => [
    String(o.order),
    String(o.tag),
    o.destinationPattern,
    String(o.preference),
    o.sessionTarget,
    o.sessionTransport,
    o.huntstop ? 'yes' : 'no',
    o.maxConn === null ? 'unlimited' : String(o.maxConn),
    o.verdict,
  ]);
  lines.push(table(header, rows));
  if (r.outbound.every((o) => o.verdict !== 'would try'))
    lines.push(
      '',
      'No outbound dial-peer would be tried now: the call would be rejected (404, or the errorCodeOverride).',
    );
  return lines.join('\n');
}
