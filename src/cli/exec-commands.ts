/**
 * Every exec command FoSIP knows, with its help text and what it does. `fosip show ...`, `fosip clear ...`
 * and the interactive shell read this one tree, so a command and its abbreviations behave the same in all.
 */
import { SbcError } from '../errors/sbc-error.js';
import { VERSION } from '../version.js';
import {
  type CommandHandler,
  type CommandNode,
  type CommandOutput,
  type ExecContext,
  argument,
  keyword,
  rangeArgument,
} from './command-tree.js';
import {
  renderActiveBrief,
  renderActiveCompact,
  renderActiveSummary,
  renderCubeCalls,
  renderCubeStatus,
  renderHistoryBrief,
  renderSipUaCalls,
  renderVersion,
  callIdOf,
} from './show-calls.js';
import { dialPeerJson, renderDialPeer, renderDialPeerSummary } from './show-dial-peers.js';
import { keepaliveClassReport, renderKeepaliveClass } from './show-keepalive.js';
import { renderCallFlow } from './show-flow.js';
import type { RegistrationReport, TrustedReport } from '../state/node-reports.js';
import { type HuntState, dialplanReport, renderDialplan } from './show-dialplan.js';
import { CODECS, type CodecName } from '../media/codec-class.js';
import { renderRunningConfig, runningConfig } from './show-running-config.js';
import { mediaEnginesReport, renderMediaEngines, renderRtpConnections, rtpConnectionsReport } from './show-rtp.js';
import { renderSipStats } from './show-stats.js';
import type { ViewCall } from '../state/node-reports.js';
import type { MediaStatsByCall, NodeKeepalive } from '../state/node-reports.js';

/** `show ip address trusted list`, per node. */
function renderTrustedList(nodes: TrustedReport[]): string {
  return nodes
    .map((n) =>
      [
        `IP Address Trusted List (${n.node}): ${n.silentDiscard ? 'silent discard' : 'answer 403'} for untrusted sources`,
        ...n.trustedList.map((c) => `  ${c}  (configured)`),
        ...n.sessionTargets.map((a) => `  ${a}  (dial-peer session target)`),
        ...(n.tlsClientNames ?? []).map((name) => `  ${name}  (TLS client certificate name, any address)`),
        `Dropped: untrusted ${n.dropped.untrusted}, answered 403 ${n.dropped.rejected}, scanners ${n.dropped.scanner}, flood ${n.dropped.flood}`,
        ...(n.banned.length === 0
          ? ['No source is banned']
          : n.banned.map((b) => `  banned ${b.address} for ${b.secondsLeft} s more`)),
      ].join('\n'),
    )
    .join('\n\n');
}

/** `show sip-ua register status`: CUBE's columns (Line, peer, expires, registered) with the registrar and last answer. */
function renderRegisterStatus(lines: RegistrationReport[]): string {
  if (lines.length === 0) return 'No registrar is configured (sipUa.registrar in fosip.json)';
  const row = (c: string[]): string =>
    `${(c[0] ?? '').padEnd(20)} ${(c[1] ?? '').padEnd(10)} ${(c[2] ?? '').padEnd(26)} ${(c[3] ?? '').padEnd(12)} ${(c[4] ?? '').padEnd(5)} ${c[5] ?? ''}`.trimEnd();
  return [
    row(['Line', 'node', 'registrar', 'expires(sec)', 'reg.', 'last result']),
    row(['='.repeat(20), '='.repeat(10), '='.repeat(26), '='.repeat(12), '=====', '===========']),
    ...lines.map((l) =>
      row([
        l.line,
        l.node,
        `${l.registrar} ${l.target}`,
        String(l.expiresSeconds),
        l.registered ? 'yes' : 'no',
        `${l.lastResult}${l.failures > 0 ? ` (${l.failures} failed)` : ''}`,
      ]),
    ),
  ].join('\n');
}

/** A command error the user caused (no such call, no such dial-peer): printed as `% <text>`, exit 1. */
export class CommandError extends SbcError {
  constructor(message: string) {
    super('SBC_ERR_CLI_COMMAND', message);
  }
}

const output = (data: unknown, text: string): CommandOutput => ({ data, text });

const callsAs =
  (render: (calls: ViewCall[]) => string): CommandHandler =>
  async (ctx) => {
    const calls = await ctx.view().calls();
    return output(calls, render(calls));
  };

const anyWord = (): boolean => true;
const DIAL_PEER_TAG = '<1-2147483647>';
const CAUSE = '<1-127>';

/** The keepalive states the nodes publish, or null when none can be read (the configuration is still shown). */
const keepaliveStates = (ctx: ExecContext): Promise<NodeKeepalive[] | null> =>
  ctx
    .view()
    .keepalive()
    .catch(() => null);

/** What the node's live state says of the hunt: busied-out dial-peers, and calls on each outbound one. */
async function huntState(ctx: ExecContext): Promise<HuntState> {
  const view = ctx.view();
  const [states, calls] = await Promise.all([view.keepalive(), view.calls()]);
  const activeOut = new Map<number, number>();
  for (const c of calls)
    if (c.outboundDialPeer !== null) activeOut.set(c.outboundDialPeer, (activeOut.get(c.outboundDialPeer) ?? 0) + 1);
  return { busyout: new Set(states.filter((s) => s.state === 'busyout').map((s) => s.tag)), activeOut };
}

/** The word naming a call: its id or either leg's (`<id>-A`, `<id>-B`), handed on as the call's id. */
function callArgument(
  run: (ctx: ExecContext, id: string, args: Record<string, string>) => ReturnType<CommandHandler>,
): CommandNode {
  return argument('WORD', "Call id, or either leg's (see show call active voice brief)", anyWord, [], (ctx, args) =>
    run(ctx, callIdOf(args['WORD'] ?? ''), args),
  );
}

/** `--codecs g711ulaw,g729r8`: the codecs of the simulated caller's offer (null when not given). */
function codecList(text: string): CodecName[] | null {
  if (text === '') return null;
  const names = text.split(',').map((c) => c.trim());
  const unknown = names.filter((c) => !(c in CODECS));
  if (unknown.length > 0)
    throw new CommandError(`unknown codec ${unknown.join(', ')} (known: ${Object.keys(CODECS).join(' ')})`);
  return names as CodecName[];
}

/** `show dial-peer voice` (every dial-peer in detail), `... summary` (a line each) or `... <tag>` (one). */
const showDialPeers =
  (summary: boolean): CommandHandler =>
  async (ctx, args) => {
    const { dialPlan } = await ctx.configuration();
    const tag = args[DIAL_PEER_TAG];
    if (tag === undefined) {
      const needsState = summary && dialPlan.peers.some((dp) => dp.keepalive !== null);
      const text = summary
        ? renderDialPeerSummary(dialPlan.peers, needsState ? await keepaliveStates(ctx) : null)
        : dialPlan.peers.map(renderDialPeer).join('\n\n');
      return output(dialPlan.peers.map(dialPeerJson), text);
    }
    const dp = dialPlan.byTag(Number(tag));
    if (dp === undefined) throw new CommandError(`dial-peer ${tag} does not exist`);
    return output(dialPeerJson(dp), renderDialPeer(dp));
  };

function showTree(extra: CommandNode[]): CommandNode {
  return keyword('show', 'Show running system information', [
    keyword('call', 'Show call information', [
      keyword('active', 'Active call table', [
        keyword('voice', 'Active voice calls', [
          keyword('brief', 'One line per call leg, with its RTP counters when relayed', [], async (ctx) => {
            const view = ctx.view();
            const calls = await view.calls();
            const media: MediaStatsByCall = await view.media().catch(() => ({})); // a node without the media API still shows its calls
            return output(
              calls.map((c) => ({ ...c, mediaStats: media[c.id] ?? null })),
              renderActiveBrief(calls, Date.now(), media),
            );
          }),
          keyword('compact', 'One short line per call leg', [], callsAs(renderActiveCompact)),
          keyword('summary', 'Call counts per node and state', [], callsAs(renderActiveSummary)),
        ]),
      ]),
      keyword('flow', 'The message ladder of a call (live, or one of the last ended)', [
        callArgument(async (ctx, id) => {
          const ladder = await ctx.view().flow(id);
          if (ladder === null) throw new CommandError(`No call ${id} (live, or among the last ended)`);
          return output(ladder, renderCallFlow(ladder));
        }),
      ]),
      keyword('history', 'Ended call table', [
        keyword('voice', 'Ended voice calls', [
          keyword('brief', 'The most recent ended calls with their causes', [], async (ctx, args) => {
            const cdrs = await ctx.view().history(Number(args['limit'] ?? 100) || 100);
            return output(cdrs, renderHistoryBrief(cdrs));
          }),
        ]),
      ]),
    ]),
    keyword('cube', 'CUBE calls and status of the deployment', [
      keyword('calls', 'The SIP legs of every active call', [], callsAs(renderCubeCalls)),
      keyword('status', 'Version, nodes and their call counts', [], async (ctx) => {
        const nodes = await ctx.view().nodes();
        return output({ version: VERSION, nodes }, renderCubeStatus(VERSION, nodes));
      }),
    ]),
    keyword('running-config', 'The configuration the node runs with (--json: as files)', [], async (ctx) => {
      const running = runningConfig(await ctx.view().configuration());
      return output(running, renderRunningConfig(running));
    }),
    keyword('version', "FoSIP version, and each node's version and uptime", [], async (ctx) => {
      const nodes = await ctx.view().nodes();
      return output({ version: VERSION, nodes }, renderVersion(VERSION, nodes));
    }),
    keyword('dial-peer', 'Dial plan mapping table', [
      keyword(
        'voice',
        'Voice dial-peers',
        [
          keyword('summary', 'One line per dial-peer', [], showDialPeers(true)),
          rangeArgument(1, 2147483647, 'Dial-peer tag', [], showDialPeers(false)),
        ],
        showDialPeers(false),
      ),
    ]),
    keyword('dialplan', 'Which dial-peers a call would use', [
      keyword('number', 'A called number', [
        argument('WORD', 'The called number', anyWord, [], async (ctx, args) => {
          const { dialPlan, profiles } = await ctx.configuration();
          const origin = {
            callingNumber: args['calling'] ?? '',
            fromAddress: args['from'] || null,
            viaUri: args['via'] || null,
            codecs: codecList(args['codecs'] ?? ''),
          };
          const report = dialplanReport(dialPlan, args['WORD'] ?? '', origin, await huntState(ctx), profiles);
          return output(report, renderDialplan(report));
        }),
      ]),
    ]),
    keyword('sip-ua', 'SIP user agent', [
      keyword('calls', 'Every SIP leg with its state and addresses', [], callsAs(renderSipUaCalls)),
      keyword('statistics', 'SIP requests and responses by method and class, in and out', [], async (ctx) => {
        const stats = await ctx.view().stats();
        return output(stats, renderSipStats(stats));
      }),
      keyword('register', 'Trunk registration', [
        keyword('status', 'Each registration line: registrar, expiry, registered', [], async (ctx) => {
          const lines = await ctx.view().registrations();
          return output(lines, renderRegisterStatus(lines));
        }),
      ]),
    ]),
    keyword('ip', 'IP information', [
      keyword('address', 'IP addresses', [
        keyword('trusted', 'Trusted sources', [
          keyword('list', 'The trusted list: configured blocks, dial-peer targets, bans and drops', [], async (ctx) => {
            const nodes = await ctx.view().trusted();
            return output(nodes, renderTrustedList(nodes));
          }),
        ]),
      ]),
    ]),
    keyword('voice', 'Voice port status and configuration', [
      keyword('class', 'Voice class configuration', [
        keyword('sip-options-keepalive', 'OPTIONS keepalive classes and the state of their dial-peers', [
          rangeArgument(1, 10000, 'Voice class tag', [], async (ctx, args) => {
            const tag = Number(args['<1-10000>']);
            const { dialPlan } = await ctx.configuration();
            const profile = dialPlan.peers.map((dp) => dp.keepalive).find((k) => k?.tag === tag);
            if (profile === undefined || profile === null)
              throw new CommandError(`voice class sip-options-keepalive ${tag} is not used by any dial-peer`);
            const states = await keepaliveStates(ctx);
            return output(
              keepaliveClassReport(profile, dialPlan.peers, states),
              renderKeepaliveClass(profile, dialPlan.peers, states),
            );
          }),
        ]),
      ]),
    ]),
    keyword('voip', 'Voice over IP information', [
      keyword('rtp', 'RTP information', [
        keyword('connections', 'The RTP port pool of each node and every relayed stream', [], async (ctx) => {
          const view = ctx.view();
          const report = rtpConnectionsReport(await view.nodes(), await view.calls());
          return output(report, renderRtpConnections(report));
        }),
        keyword('engines', 'The rtpengine instances each node drives: health, weight, calls', [], async (ctx) => {
          const report = mediaEnginesReport(await ctx.view().nodes());
          return output(report, renderMediaEngines(report));
        }),
      ]),
    ]),
    ...extra,
  ]);
}

function clearTree(): CommandNode {
  return keyword('clear', 'Reset functions', [
    keyword('call', 'Clear calls', [
      keyword('voice', 'Voice calls', [
        keyword('causecode', 'End a call with a Q.850 cause', [
          rangeArgument(1, 127, 'Q.850 cause code', [
            keyword('id', 'The call to end', [
              callArgument(async (ctx, id, args) => {
                if (!(await ctx.view().clear(id, Number(args[CAUSE])))) throw new CommandError(`No active call ${id}`);
                return output({ cleared: id }, '');
              }),
            ]),
          ]),
        ]),
      ]),
    ]),
    keyword('sip-ua', 'SIP user agent', [
      keyword('statistics', 'Reset the SIP counters (every node with --redis)', [], async (ctx) => {
        const nodes = await ctx.view().clearStats();
        if (nodes === 0) throw new CommandError('No node took the command');
        return output({ nodes }, '');
      }),
    ]),
  ]);
}

/** The exec tree; the shell adds its own words (`terminal`, `exit`, `show history`). */
export function execTree(extraRoot: CommandNode[] = [], extraShow: CommandNode[] = []): CommandNode {
  return keyword('', '', [clearTree(), showTree(extraShow), ...extraRoot]);
}

export { DIAL_PEER_TAG, CAUSE };
