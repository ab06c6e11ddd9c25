/**
 * The keepalive views (cube-reference §5, §8): the KEEPALIVE column of `show dial-peer voice summary` and
 * `show voice class sip-options-keepalive <tag>`, from the configuration plus the live state the nodes
 * publish (one row per node and dial-peer).
 */
import type { KeepaliveProfile } from '../keepalive/keepalive-manager.js';
import type { DialPeer } from '../routing/dial-peer.js';
import type { NodeKeepalive } from '../state/node-reports.js';
import { table } from './show-calls.js';

/**
 * A dial-peer's KEEPALIVE column: empty without a profile; `active` or `busyout` as every node sees it,
 * `partial` when nodes disagree, `unknown` when no node reports it (none reachable, or not pinged yet).
 */
export function keepaliveColumn(dp: DialPeer, states: readonly NodeKeepalive[] | null): string {
  if (dp.keepalive === null) return '';
  const mine = (states ?? []).filter((s) => s.tag === dp.tag);
  if (mine.length === 0) return dp.keepalive.shutdown ? 'shutdown' : 'unknown';
  const kinds = new Set(mine.map((s) => s.state));
  return kinds.size > 1 ? 'partial' : (mine[0]?.state ?? 'unknown');
}

export function keepaliveClassReport(
  profile: KeepaliveProfile,
  peers: readonly DialPeer[],
  states: readonly NodeKeepalive[] | null,
): Record<string, unknown> {
  const users = peers.filter((dp) => dp.keepalive?.tag === profile.tag);
  return {
    profile,
    dialPeers: users.map((dp) => ({
      tag: dp.tag,
      nodes: (states ?? []).filter((s) => s.tag === dp.tag),
    })),
    reachable: states !== null,
  };
}

const seconds = (ms: number): string => String(Math.round(ms / 100) / 10);

export function renderKeepaliveClass(
  profile: KeepaliveProfile,
  peers: readonly DialPeer[],
  states: readonly NodeKeepalive[] | null,
  now = Date.now(),
): string {
  const lines = [
    `Voice class sip-options-keepalive: ${profile.tag}           AdminStat: ${profile.shutdown ? 'Down' : 'Up'}`,
    `Description: ${profile.description}`,
    `Transport: ${profile.transport}            Sip Profiles: ${profile.sipProfiles ?? 0}`,
    `Interval(seconds) Up: ${seconds(profile.upIntervalMs)}          Down: ${seconds(profile.downIntervalMs)}`,
    `Retry: ${profile.retry}`,
    '',
  ];
  const rows: string[][] = [];
  for (const dp of peers.filter((p) => p.keepalive?.tag === profile.tag)) {
    const mine = (states ?? []).filter((s) => s.tag === dp.tag);
    if (mine.length === 0) rows.push([String(dp.tag), '-', '', profile.shutdown ? 'Shutdown' : 'Unknown', '', '', '']);
    for (const s of mine) {
      rows.push([
        String(dp.tag),
        s.node,
        `${s.target} ${s.transport}`,
        s.state === 'active' ? 'Active' : 'Busy',
        s.lastResponse ?? '-',
        s.rttMs === null ? '-' : `${s.rttMs}ms`,
        `${Math.max(0, Math.round((now - s.since) / 1000))}s`,
      ]);
    }
  }
  lines.push(
    rows.length === 0
      ? 'No dial-peer uses this class'
      : table(['PEER TAG', 'NODE', 'TARGET', 'OOD STAT', 'LAST RESPONSE', 'RTT', 'SINCE'], rows),
  );
  if (states === null) lines.push('', '! no node could be reached: live state unknown');
  return lines.join('\n');
}
