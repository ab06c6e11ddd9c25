/**
 * Renderers of the cluster-wide show commands, shaped like CUBE's (cube-reference §8) with a NODE column,
 * readable at 80 columns. Each command also has --json: the records as they are stored (stable fields,
 * see README).
 */
import type { StreamStatsReport } from '../media/relay-protocol.js';
import type { NodeInfo, ViewCall, ViewCdr } from '../state/node-reports.js';
import type { MediaStatsByCall } from '../state/node-reports.js';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
}

function hms(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

function state(c: ViewCall): string {
  return (
    { trying: 'TRYING', ringing: 'ALERTING', connected: 'ACTIVE', ending: 'DISCONNECTING', ended: 'IDLE' } as const
  )[c.state];
}

type LegName = 'a' | 'b';

/**
 * A leg's id in the views (CUBE's CallId): the call's id and A for the leg that came in (Answer), B for the
 * one the SBC placed (Originate). Each leg names the other as its dstCallId. `show call flow` and `clear
 * call voice` take either leg's id for the call.
 */
export function legId(callId: string, leg: LegName): string {
  return `${callId}-${leg.toUpperCase()}`;
}

/** The call id a word names: a call id as it is, or a leg id without its leg. */
export function callIdOf(word: string): string {
  return word.replace(/-[AaBb]$/, '');
}

/** The numbers as a leg carried them (A: as dialled; B: after the outgoing translation). */
function legNumbers(c: ViewCall, leg: LegName): { calling: string; called: string } {
  const l = leg === 'a' ? c.aLeg : c.bLeg;
  return { calling: l?.callingNumber ?? c.callingNumber, called: l?.calledNumber ?? c.calledNumber };
}

/** A leg's media address as its SDP gave it, or `-`. */
function legMedia(c: ViewCall, leg: LegName): string {
  const m = (leg === 'a' ? c.aLeg : c.bLeg)?.media;
  return m === null || m === undefined ? '-' : `${m.address}:${m.port}`;
}

/** The negotiated codec and packetization (`g711ulaw 20ms`), or `-` before an answer. */
function codecOf(c: ViewCall): string {
  return c.codec === null || c.codec === undefined ? '-' : `${c.codec.name} ${c.codec.ptimeMs}ms`;
}

/** `show cube calls`: CUBE's two lines per leg (its ids, numbers and addresses; then dstCallId and state). */
export function renderCubeCalls(calls: ViewCall[], now = Date.now()): string {
  const section = (leg: LegName): string[] => {
    const rows: string[][] = [];
    const under: string[] = [];
    calls.forEach((c) => {
      const sip = leg === 'a' ? c.aLeg : c.bLeg;
      if (sip === null) return;
      const n = legNumbers(c, leg);
      rows.push([
        String(rows.length + 1),
        c.node + (c.nodeAlive ? '' : '(!)'),
        legId(c.id, leg),
        n.calling,
        n.called,
        sip.remoteSignalling,
        legMedia(c, leg),
      ]);
      const peer = leg === 'a' ? `in:${c.inboundDialPeer}` : `out:${c.outboundDialPeer ?? '-'}`;
      under.push(
        `    dstCallId ${c.bLeg === null ? '-' : legId(c.id, leg === 'a' ? 'b' : 'a')} ${state(c)} ` +
          `${hms(now - c.startedAt)} peer ${peer} codec ${codecOf(c)}`,
      );
    });
    const lines = table(['No.', 'NODE', 'CallId', 'Calling#', 'Called#', 'RmtSignalIP', 'RmtMediaIP'], rows).split(
      '\n',
    );
    return [lines[0] ?? '', ...rows.flatMap((_, i) => [lines[i + 1] ?? '', under[i] ?? ''])];
  };
  return [
    'SIP call leg info',
    `Total calls: ${calls.length}`,
    '',
    'SIP UAS CALL INFO',
    ...section('a'),
    '',
    'SIP UAC CALL INFO',
    ...section('b'),
    calls.some((c) => !c.nodeAlive) ? '\n(!) node stopped heartbeating: its calls may be gone' : '',
  ]
    .join('\n')
    .trimEnd();
}

/** The usual VoIP limits (cube-reference; ITU-T G.114 and common practice): over them a stream is flagged. */
const LIMITS = { lossPercent: 1, jitterMs: 30, oneWayDelayMs: 125 };

/**
 * The one-way delay of a stream end to end, estimated from RTCP: half the round trip between the SBC and
 * each leg's endpoint (a leg without RTCP reports counts as nothing); null when neither leg reported.
 */
function oneWayDelayMs(s: StreamStatsReport): number | null {
  if (s.a.rttMs === null && s.b.rttMs === null) return null;
  return Math.round(((s.a.rttMs ?? 0) + (s.b.rttMs ?? 0)) / 2);
}

/**
 * The media line of one leg: what the SBC sent to it (tx) and received from it (rx), the far end's media
 * address, loss and jitter of what it sent, the RTCP round trip to it and the one-way delay estimate of
 * the stream, and `!` with the limits the stream breaks.
 */
function mediaLine(media: StreamStatsReport[] | undefined, leg: 'a' | 'b'): string | null {
  const s = media?.[0];
  if (s === undefined) return null;
  const rx = s[leg];
  const tx = leg === 'a' ? s.b.forwarded : s.a.forwarded;
  const lossPct = rx.packets + rx.lost > 0 ? (100 * Math.max(0, rx.lost)) / (rx.packets + rx.lost) : 0;
  const delay = oneWayDelayMs(s);
  const broken = [
    lossPct > LIMITS.lossPercent ? 'loss' : '',
    rx.jitterMs > LIMITS.jitterMs ? 'jitter' : '',
    delay !== null && delay > LIMITS.oneWayDelayMs ? 'delay' : '',
  ].filter((x) => x !== '');
  const remote = rx.remote === null ? '-' : `${rx.remote.address}:${rx.remote.port}`;
  return (
    `  tx:${tx} rx:${rx.packets}/${rx.bytes} media ${remote} lost:${Math.max(0, rx.lost)} jitter:${rx.jitterMs}ms ` +
    `rtt:${rx.rttMs ?? '-'}ms delay:${delay ?? '-'}ms LostPacketRate:${lossPct.toFixed(2)}${broken.length > 0 ? ` !${broken.join(',')}` : ''}`
  );
}

/** `show call active voice brief`: the call-leg counts, then one line per leg (and its media, when relayed). */
export function renderActiveBrief(calls: ViewCall[], now = Date.now(), media: MediaStatsByCall = {}): string {
  const legs = calls.length + calls.filter((c) => c.bLeg !== null).length;
  const lines = [`Total call-legs: ${legs}`, `SIP call-legs: ${legs}`, ''];
  const leg = (c: ViewCall, which: LegName): void => {
    const sip = which === 'a' ? c.aLeg : c.bLeg;
    if (sip === null) return;
    const n = legNumbers(c, which);
    // CUBE's Answer line names the caller, its Originate line the number called; a line of its own gives both
    // numbers as this leg carried them (A: as dialled, B: after the outgoing translation)
    const [peer, role, number] =
      which === 'a' ? [c.inboundDialPeer, 'Answer', n.calling] : [c.outboundDialPeer ?? 0, 'Originate', n.called];
    const srtp = c.media?.streams.some((s) => s.leg === which && s.srtp === true) === true;
    lines.push(
      `${legId(c.id, which)} ${c.node}: ${new Date(c.startedAt).toISOString()} pid:${peer} ${role} ${number} ${state(c).toLowerCase()}`,
      `  dur ${hms(now - (c.connectedAt ?? c.startedAt))} signalling ${sip.remoteSignalling} ${sip.transport.toUpperCase()} ` +
        `dstCallId ${c.bLeg === null ? '-' : legId(c.id, which === 'a' ? 'b' : 'a')}`,
      `  IP ${legMedia(c, which)} SRTP: ${srtp ? 'on' : 'off'} ${codecOf(c)}`,
      `  calling ${n.calling} ${which === 'a' ? 'dialled' : 'called'} ${n.called}`,
    );
    const m = mediaLine(media[c.id], which);
    if (m !== null) lines.push(m);
  };
  for (const c of calls) {
    leg(c, 'a');
    leg(c, 'b');
  }
  return lines.join('\n').trimEnd();
}

/**
 * `show call history voice brief`: one line per ended call, newest first, its id first (what `show call flow
 * <id>` takes), the number as dialled and as routed, the codec, the cause and who released.
 */
export function renderHistoryBrief(cdrs: ViewCdr[]): string {
  const rows = cdrs.map((c) => [
    c.id,
    c.node,
    new Date(c.endedAt ?? c.startedAt).toISOString().slice(11, 19),
    c.callingNumber,
    c.aLeg.calledNumber ?? c.calledNumber,
    c.calledNumber,
    c.codec?.name ?? '-',
    `${c.inboundDialPeer}/${c.outboundDialPeer ?? '-'}`,
    hms(c.durationMs),
    `${c.disconnectCause ?? ''}`,
    c.disconnectText ?? '',
    c.releasedBy ?? '',
  ]);
  return table(
    [
      'CALLID',
      'NODE',
      'ENDED',
      'CALLING',
      'DIALLED',
      'CALLED',
      'CODEC',
      'PEERS',
      'DURATION',
      'CAUSE',
      'TEXT',
      'RELEASED',
    ],
    rows,
  );
}

/** `show cube status`: version and the nodes of the deployment with their call counts. */
export function renderCubeStatus(version: string, nodes: NodeInfo[], now = Date.now()): string {
  const rows = nodes.map((n) => [
    n.node,
    n.alive ? 'up' : 'STOPPED',
    String(n.calls),
    n.startedAt === null ? '-' : hms(now - n.startedAt),
    n.heartbeatAt === null ? '-' : `${Math.round((now - n.heartbeatAt) / 1000)}s ago`,
  ]);
  return [
    `CUBE-Version : FoSIP ${version}`,
    `SW-Version   : Node.js ${process.version}, Platform ${process.platform}`,
    `Nodes        : ${nodes.length}`,
    '',
    table(['NODE', 'STATE', 'CALLS', 'UPTIME', 'HEARTBEAT'], rows),
  ].join('\n');
}

/** IOS `show version`: the software, then each node's version and uptime (`<hostname> uptime is ...`). */
export function renderVersion(version: string, nodes: NodeInfo[], now = Date.now()): string {
  const uptime = (ms: number): string => {
    const s = Math.floor(ms / 1000);
    const parts: Array<[number, string]> = [
      [Math.floor(s / 86400), 'day'],
      [Math.floor((s % 86400) / 3600), 'hour'],
      [Math.floor((s % 3600) / 60), 'minute'],
      [s % 60, 'second'],
    ];
    const shown = parts.filter(([n], i) => n > 0 || i === parts.length - 1);
    return shown.map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`).join(', ');
  };
  return [
    `FoSIP Software, Version ${version} (this CLI)`,
    `Node.js ${process.version}, Platform ${process.platform}`,
    '',
    ...nodes.map(
      (n) =>
        `${n.node} uptime is ${n.startedAt === null ? 'unknown' : uptime(now - n.startedAt)}, ` +
        `FoSIP Version ${n.version ?? 'unknown'}${n.alive ? '' : ' (STOPPED)'}`,
    ),
  ].join('\n');
}

/**
 * `show call active voice compact`: one line per leg in CUBE's columns: the leg's id, answer or originate,
 * seconds since the answer, the negotiated codec, VOIP (FAX once T.38 is negotiated), the leg's number and
 * its media address as its SDP gave it.
 */
export function renderActiveCompact(calls: ViewCall[], now = Date.now()): string {
  const rows: string[][] = [];
  for (const c of calls) {
    const t = `T${Math.max(0, Math.floor((now - (c.connectedAt ?? c.startedAt)) / 1000))}`;
    const codec = c.codec?.name ?? '-';
    const type = c.codec?.media === 'image' ? 'FAX' : 'VOIP';
    const media = (leg: LegName): string => (legMedia(c, leg) === '-' ? '-' : `R${legMedia(c, leg)}`);
    rows.push([legId(c.id, 'a'), c.node, 'ANS', t, codec, type, `P${legNumbers(c, 'a').calling}`, media('a')]);
    if (c.bLeg !== null)
      rows.push([legId(c.id, 'b'), c.node, 'ORG', t, codec, type, `P${legNumbers(c, 'b').called}`, media('b')]);
  }
  return [
    `<callID> <node> A/O T<sec> Codec type Peer-Address IP R<ip>:<udp>`,
    `Total call-legs: ${rows.length}`,
    table(['CALLID', 'NODE', 'A/O', 'TIME', 'CODEC', 'TYPE', 'PEER-ADDRESS', 'IP'], rows),
  ].join('\n');
}

/** `show call active voice summary`: counts per node and state. */
export function renderActiveSummary(calls: ViewCall[]): string {
  const nodes = [...new Set(calls.map((c) => c.node))].sort();
  const states = ['trying', 'ringing', 'connected', 'ending'] as const;
  const rows = nodes.map((n) => {
    const mine = calls.filter((c) => c.node === n);
    return [n, ...states.map((s) => String(mine.filter((c) => c.state === s).length)), String(mine.length)];
  });
  rows.push(['total', ...states.map((s) => String(calls.filter((c) => c.state === s).length)), String(calls.length)]);
  return table(['NODE', 'TRYING', 'ALERTING', 'ACTIVE', 'DISCONNECTING', 'TOTAL'], rows);
}

const SIP_STATE: Record<ViewCall['state'], string> = {
  trying: 'STATE_SENT_INVITE (3)',
  ringing: 'STATE_RECD_PROCEEDING (5)',
  connected: 'STATE_ACTIVE (7)',
  ending: 'STATE_DISCONNECTING (12)',
  ended: 'STATE_DEAD (13)',
};

/** `show sip-ua calls`: each leg as CUBE prints it (UAS for the inbound leg, UAC for the outbound one). */
export function renderSipUaCalls(calls: ViewCall[]): string {
  const out: string[] = [
    `Total SIP call legs:${calls.length + calls.filter((c) => c.bLeg !== null).length}, User Agent Client:${calls.filter((c) => c.bLeg !== null).length}, User Agent Server:${calls.length}`,
    '',
  ];
  const leg = (
    kind: string,
    n: number,
    c: ViewCall,
    l: NonNullable<ViewCall['bLeg']>,
    calling: string,
    called: string,
  ): void => {
    const side = kind === 'UAS' ? 'a' : 'b';
    // CUBE's per-stream lines: the SBC's media address and port facing this leg, and the far end's
    const streams = (c.media?.streams ?? [])
      .filter((s) => s.leg === side)
      .map(
        (s) =>
          `   Media Stream ${s.stream}          : Src ${s.localAddress}:${s.localPort}, Dest ${s.remoteAddress === null ? '-' : `${s.remoteAddress}:${s.remotePort ?? ''}`}`,
      );
    out.push(
      `SIP ${kind} CALL INFO`,
      `Call ${n}`,
      `SIP Call ID                : ${l.callId}`,
      `   State of the call       : ${SIP_STATE[c.state]}`,
      `   Calling Number          : ${calling}`,
      `   Called Number           : ${called}`,
      `   CC Call ID              : ${legId(c.id, side)}`,
      `   dstCallId               : ${c.bLeg === null ? '-' : legId(c.id, side === 'a' ? 'b' : 'a')}`,
      `   Node                    : ${c.node}`,
      `   Destn SIP Req/Resp Addr:Port : ${l.remoteSignalling} (${l.transport.toUpperCase()})`,
      `   Media Mode              : ${c.media?.mode ?? 'flow-around'}`,
      `   Remote Media Addr:Port  : ${legMedia(c, side)}`,
      `   Negotiated Codec        : ${codecOf(c)}`,
      `   Negotiated PT           : ${c.codec?.payloadType ?? '-'}`,
      ...streams,
      '',
    );
  };
  calls.forEach((c, i) => {
    if (c.bLeg !== null) {
      const b = legNumbers(c, 'b');
      leg('UAC', i + 1, c, c.bLeg, b.calling, b.called);
    }
    const a = legNumbers(c, 'a');
    leg('UAS', i + 1, c, c.aLeg, a.calling, a.called);
  });
  return out.join('\n').trimEnd();
}
