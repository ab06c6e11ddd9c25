/**
 * `fosip show dialplan number <digits>`: the inbound path of a call to that number as the node would take
 * it (the inbound dial-peer, matched on the previous hop's address and the numbers; its incoming
 * translation, which may block the call), then the outbound dial-peers it would hunt through, in order,
 * each with whether it would be tried now (like IOS `show dialplan number`, with the node's live state:
 * keepalive busyout, calls against max-conn).
 */
import { isBlocked, translate } from '../b2bua/call-numbers.js';
import { statusOfCause } from '../b2bua/cause-map.js';
import type { DialPeer } from '../routing/dial-peer.js';
import type { DialPlan, InboundMatch } from '../routing/dial-plan.js';
import { formatSessionTarget } from '../routing/session-target.js';
import { table } from './show-calls.js';

/** What the node knows that changes the hunt: busied-out dial-peers and calls per outbound dial-peer. */
export interface HuntState {
  busyout: ReadonlySet<number>;
  activeOut: ReadonlyMap<number, number>;
}

/** Where the simulated call comes from: the previous hop's address (top Via) and the calling number. */
export interface CallOrigin {
  callingNumber: string;
  fromAddress: string | null;
}

export interface DialplanReport {
  calledNumber: string;
  callingNumber: string;
  fromAddress: string | null;
  inbound: { tag: number; criterion: InboundMatch['criterion']; pattern: string | null; description: string };
  /** The numbers after the inbound dial-peer's incoming translation (what the outbound lookup uses). */
  translated: { called: string; calling: string };
  /** The incoming translation blocks the call: its SIP status and why. */
  blocked: { status: number; text: string } | null;
  outbound: Array<{
    /** `would try`, or `skipped: <why>` (busied out, at max-conn, after a huntstop). */
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

export function dialplanReport(
  plan: DialPlan,
  calledNumber: string,
  origin: CallOrigin,
  state: HuntState = { busyout: new Set(), activeOut: new Map() },
): DialplanReport {
  const { callingNumber, fromAddress } = origin;
  const via = fromAddress === null ? undefined : { uri: `sip:${fromAddress}`, host: fromAddress, user: null };
  const inbound = plan.inbound({ calledNumber, callingNumber, ...(via ? { uris: { via } } : {}) });
  const numbers = translate(inbound.peer.translationIncoming, {
    called: calledNumber,
    calling: callingNumber,
    redirectCalled: null,
  });
  const blocked = isBlocked(numbers) ? numbers : null;
  const translated = isBlocked(numbers) ? null : numbers;
  let stopped: number | null = null;
  const outbound = (translated === null ? [] : plan.outbound(translated.called)).map((dp: DialPeer, i) => {
    const active = state.activeOut.get(dp.tag) ?? 0;
    const verdict =
      stopped !== null
        ? `skipped: huntstop on dial-peer ${stopped}`
        : state.busyout.has(dp.tag)
          ? 'skipped: busied out (OPTIONS keepalive)'
          : dp.maxConn !== null && active >= dp.maxConn
            ? `skipped: max-conn ${dp.maxConn} reached`
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
  return {
    calledNumber,
    callingNumber,
    fromAddress,
    inbound: {
      tag: inbound.peer.tag,
      criterion: inbound.criterion,
      pattern: inboundPattern(inbound),
      description: inbound.peer.description,
    },
    translated:
      translated === null
        ? { called: calledNumber, calling: callingNumber }
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
