/** `show voip rtp connections`: each node's RTP port pool, then one row per relayed stream (cube-reference §8). */
import type { MediaEngineInfo, NodeInfo, ViewCall } from '../state/node-reports.js';
import { table } from './show-calls.js';

export interface RtpConnectionsReport {
  pools: Array<{ node: string } & NonNullable<NodeInfo['rtp']>>;
  connections: Array<{
    node: string;
    callId: string;
    leg: 'a' | 'b';
    stream: number;
    localIp: string;
    localRtp: number;
    remoteIp: string | null;
    remoteRtp: number | null;
    /** The stream is SRTP on this leg (relayed untouched by the built-in relay, terminated by rtpengine). */
    srtp: boolean;
  }>;
}

export function rtpConnectionsReport(nodes: NodeInfo[], calls: ViewCall[]): RtpConnectionsReport {
  const pools = nodes.flatMap((n) => (n.rtp ? [{ node: n.node, ...n.rtp }] : []));
  const connections = calls.flatMap((c) =>
    (c.media?.mode === 'flow-through' ? c.media.streams : []).map((s) => ({
      node: c.node,
      callId: c.id,
      leg: s.leg,
      stream: s.stream,
      localIp: s.localAddress,
      localRtp: s.localPort,
      remoteIp: s.remoteAddress,
      remoteRtp: s.remotePort,
      srtp: s.srtp === true,
    })),
  );
  return { pools, connections };
}

export function renderRtpConnections(r: RtpConnectionsReport): string {
  const total = (k: 'available' | 'reserved' | 'inUse'): number => r.pools.reduce((sum, p) => sum + p[k], 0);
  const pools = r.pools.map((p) => [
    p.node,
    `${p.address}`,
    String(p.minPort),
    String(p.maxPort),
    String(p.available),
    String(p.reserved),
    String(p.inUse),
  ]);
  const rows = r.connections.map((c, i) => [
    String(i + 1),
    c.node,
    c.callId,
    c.leg === 'a' ? 'in' : 'out',
    String(c.localRtp),
    c.remoteRtp === null ? '-' : String(c.remoteRtp),
    c.localIp,
    c.remoteIp ?? '-',
    c.srtp ? 'on' : 'off',
  ]);
  return [
    'VoIP RTP Port Usage Information',
    `Max Ports Available: ${total('available')}, Ports Reserved: ${total('reserved')}, Ports in Use: ${total('inUse')}`,
    '(ports are RTP/RTCP pairs: RTP even, RTCP the next odd port)',
    '',
    table(['NODE', 'Media-Address', 'MinPort', 'MaxPort', 'Available', 'Reserved', 'In-use'], pools),
    '',
    'VoIP RTP active connections :',
    table(['No.', 'NODE', 'CallId', 'Leg', 'LocalRTP', 'RmtRTP', 'LocalIP', 'RemoteIP', 'SRTP'], rows),
    `Found ${rows.length} active RTP connections`,
  ].join('\n');
}

/** `show voip rtp engines`: the rtpengine instances each node drives, their health, weight and calls. */
export type MediaEnginesReport = Array<{ node: string } & MediaEngineInfo>;

export function mediaEnginesReport(nodes: NodeInfo[]): MediaEnginesReport {
  return nodes.flatMap((n) => (n.mediaEngines ?? []).map((e) => ({ node: n.node, ...e })));
}

export function renderMediaEngines(r: MediaEnginesReport, now = Date.now()): string {
  if (r.length === 0) return 'No media engine besides the built-in relay (media.rtpengine is not configured)';
  const rows = r.map((e) => [
    e.node,
    e.ng,
    e.up ? 'UP' : 'DOWN',
    String(e.weight),
    String(e.sessions),
    String(e.downs),
    e.lastAnswerAt === null ? 'never' : `${Math.max(0, Math.round((now - e.lastAnswerAt) / 1000))}s ago`,
  ]);
  return [
    'Media engines (rtpengine)',
    table(['NODE', 'Control', 'State', 'Weight', 'Calls', 'Downs', 'Last-Answer'], rows),
    `${r.filter((e) => e.up).length} of ${r.length} up`,
  ].join('\n');
}
