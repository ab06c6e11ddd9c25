/**
 * `fosip show dialplan number <digits>`: which inbound dial-peer a call to that number would match, and
 * the outbound dial-peers it would hunt through, in order (like IOS `show dialplan number`).
 */
import type { DialPeer } from '../routing/dial-peer.js';
import type { DialPlan, InboundMatch } from '../routing/dial-plan.js';
import { formatSessionTarget } from '../routing/session-target.js';

export interface DialplanReport {
  calledNumber: string;
  callingNumber: string;
  inbound: { tag: number; criterion: InboundMatch['criterion']; pattern: string | null; description: string };
  outbound: Array<{
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

export function dialplanReport(plan: DialPlan, calledNumber: string, callingNumber: string): DialplanReport {
  const inbound = plan.inbound({ calledNumber, callingNumber });
  return {
    calledNumber,
    callingNumber,
    inbound: {
      tag: inbound.peer.tag,
      criterion: inbound.criterion,
      pattern: inboundPattern(inbound),
      description: inbound.peer.description,
    },
    outbound: plan.outbound(calledNumber).map((dp: DialPeer, i) => ({
      order: i + 1,
      tag: dp.tag,
      destinationPattern: dp.destinationPattern?.source ?? '',
      preference: dp.preference,
      sessionTarget: dp.sessionTarget ? formatSessionTarget(dp.sessionTarget) : '',
      sessionTransport: dp.sessionTransport,
      huntstop: dp.huntstop,
      maxConn: dp.maxConn,
      description: dp.description,
    })),
  };
}

export function renderDialplan(r: DialplanReport): string {
  const lines = [`Called number ${r.calledNumber}${r.callingNumber ? `, calling number ${r.callingNumber}` : ''}`, ''];
  const via = r.inbound.pattern === null ? r.inbound.criterion : `${r.inbound.criterion} ${r.inbound.pattern}`;
  lines.push(
    `Inbound dial-peer: ${r.inbound.tag} (${via})${r.inbound.tag === 0 ? '  ! no inbound dial-peer matched' : ''}`,
  );
  lines.push('');
  if (r.outbound.length === 0) {
    lines.push('No outbound dial-peer matches: the call would be rejected with 404.');
    return lines.join('\n');
  }
  lines.push('Outbound dial-peers in hunt order:');
  const header = ['ORDER', 'TAG', 'DEST-PATTERN', 'PREF', 'SESS-TARGET', 'TRANSPORT', 'HUNTSTOP', 'MAX-CONN'];
  const rows = r.outbound.map((o) => [
    String(o.order),
    String(o.tag),
    o.destinationPattern,
    String(o.preference),
    o.sessionTarget,
    o.sessionTransport,
    o.huntstop ? 'yes' : 'no',
    o.maxConn === null ? 'unlimited' : String(o.maxConn),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  for (const row of [header, ...rows])
    lines.push(
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}
