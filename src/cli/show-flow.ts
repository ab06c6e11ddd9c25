/**
 * `show call flow <call id>`: the message ladder of a call across its three parties (caller, SBC,
 * callee), with time offsets, drawn as a SIP call-flow diagram is (what Wireshark's VoIP flow shows).
 */
import type { Ladder } from '../state/call-store.js';

const COL = 30;

function box(titles: string[][]): string[] {
  const lines: string[] = [];
  const rows = Math.max(...titles.map((t) => t.length));
  const border = titles.map(() => `+${'-'.repeat(COL - 4)}+`).join('  ');
  lines.push(`        ${border}`);
  for (let r = 0; r < rows; r++)
    lines.push(`        ${titles.map((t) => `| ${(t[r] ?? '').padEnd(COL - 6).slice(0, COL - 6)} |`).join('  ')}`);
  lines.push(`        ${border}`);
  return lines;
}

/** An arrow over one span (caller-SBC or SBC-callee), pointing right or left, with the label inside. */
function arrow(label: string, right: boolean): string {
  const inner = COL;
  const text = ` ${label.slice(0, inner - 6)} `;
  const dashes = inner - text.length - 1;
  const left = Math.floor(dashes / 2);
  const body = `${'-'.repeat(left)}${text}${'-'.repeat(dashes - left)}`;
  return right ? `${body}>` : `<${body}`;
}

export function renderCallFlow(l: Ladder): string {
  const mid = Math.floor((COL - 4) / 2) + 1;
  const life = ' '.repeat(mid);
  const lines = [
    `Call ${l.id}  ${l.callingNumber || '-'} -> ${l.calledNumber || '-'}  (${l.state}${l.disconnect === null ? '' : `, ${l.disconnect}`})`,
    '',
    ...box([['caller', l.caller], ['SBC'], ['callee', l.callee ?? '(none)']]),
  ];
  const lane = (a: string, b: string): string => `${' '.repeat(8)}${life}|${a}|${b}|`;
  const blank = ' '.repeat(COL);
  lines.push(lane(blank, blank));
  for (const e of l.entries) {
    const t = (e.t / 1000).toFixed(3).padStart(7);
    const span = arrow(e.label, (e.leg === 'a') === (e.dir === 'in'));
    const row = e.leg === 'a' ? lane(span, blank) : lane(blank, span);
    lines.push(`${t} ${row.slice(8)}`);
  }
  lines.push(lane(blank, blank));
  if (l.entries.length === 0) lines.push('(no message recorded)');
  return lines.join('\n');
}
