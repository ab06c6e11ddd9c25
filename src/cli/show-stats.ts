/** `show sip-ua statistics`: per node, responses by class and requests by method, in/out, then retries. */
import type { SipStatsSnapshot } from '../state/node-reports.js';

const CLASSES: Array<[string, string]> = [
  ['1xx', 'Informational'],
  ['2xx', 'Success'],
  ['3xx', 'Redirection'],
  ['4xx', 'Client Error'],
  ['5xx', 'Server Error'],
  ['6xx', 'Global Failure'],
];

export function renderSipStats(nodes: SipStatsSnapshot[]): string {
  const out: string[] = [];
  for (const s of nodes) {
    const inOut = (a: Record<string, number>, b: Record<string, number>, k: string) => `${a[k] ?? 0}/${b[k] ?? 0}`;
    out.push(`SIP Statistics of node ${s.node} (Inbound/Outbound)`, '', 'SIP Response Statistics (Inbound/Outbound)');
    for (const [k, name] of CLASSES) out.push(`   ${name.padEnd(15)} ${k}  ${inOut(s.responsesIn, s.responsesOut, k)}`);
    out.push('', 'SIP Request Statistics (Inbound/Outbound)');
    const methods = [...new Set([...Object.keys(s.requestsIn), ...Object.keys(s.requestsOut)])].sort();
    for (const m of methods) out.push(`   ${m.padEnd(15)} ${inOut(s.requestsIn, s.requestsOut, m)}`);
    if (methods.length === 0) out.push('   (none)');
    out.push(
      '',
      'Retry Statistics',
      `   Retransmissions ${s.retransmissionsIn}/${s.retransmissionsOut}`,
      `   Timeouts        ${s.timeouts}`,
      '',
    );
  }
  return out.join('\n').trimEnd() || 'No statistics (no node answered)';
}
