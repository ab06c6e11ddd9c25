/** Start a real FoSIP app on free loopback ports for an integration test. */
import { SbcNode } from '../../src/node/node.js';
import { type CodecClassJson, type DialPeerJson, dialConfig } from '../../src/config/dial-config.js';
import type { KeepaliveProfileJson } from '../../src/config/keepalive-config.js';
import type { SipProfileJson, TranslationProfileJson, TranslationRuleJson } from '../../src/config/rewrite-config.js';
import { compileConfiguration } from '../../src/node/configuration.js';
import type { MediaSettings, Settings, TimerSettings, TransportSettings } from '../../src/config/settings.js';
import type { ListenSpec } from '../../src/transport/listen-spec.js';
import type { Logger } from 'pino';
import { TEST_RELAY_PORTS } from './net.js';
import { silentLog } from './log.js';
import { repoRoot } from './paths.js';

/** What a reload can change. */
export type ClassOptions = Pick<TestAppOptions, 'dialPeers' | 'codecClasses' | 'rewrite'>;

export interface TestAppOptions {
  listen?: string[];
  transport?: TransportSettings;
  timers?: TimerSettings;
  dialPeers?: DialPeerJson[];
  huntStatuses?: number[];
  errorPassThrough?: boolean;
  redis?: string;
  hostname?: string;
  admin?: string;
  /** The admin API's tokens (files), /metrics behind them, mutual TLS (with `tls`). */
  adminTokenFile?: string;
  adminReadTokenFile?: string;
  adminMetricsToken?: boolean;
  adminTls?: boolean;
  media?: MediaSettings;
  codecClasses?: CodecClassJson[];
  /** SIP profiles, translation rules and translation profiles, as in profiles/. */
  rewrite?: Array<SipProfileJson | TranslationRuleJson | TranslationProfileJson | KeepaliveProfileJson>;
  /** Global SIP profile tags (fosip.json). */
  sipProfiles?: number;
  sipProfilesInbound?: number;
  /** Trusted blocks (default: all of 127.0.0.0/8 and ::1), 403 instead of silence, flood protection. */
  trustedList?: string[];
  silentDiscardUntrusted?: boolean;
  pike?: { windowSeconds: number; maxRequests: number; banSeconds: number };
  callThreshold?: Settings['callThreshold'];
  sipUa?: Settings['sipUa'];
  serverHeader?: string;
  scannerUserAgents?: string[];
  tls?: Settings['tls'];
  capture?: Settings['capture'];
  /** Told when a drain asked for over the admin API is over. */
  onDrained?: () => void;
  /** Where the SBC logs (default: nowhere). */
  log?: Logger;
  /** What `app.reload()` reads (the dial-peers and classes of the new configuration). */
  reload?: () => ClassOptions;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<SbcNode> {
  const settings: Settings = {
    configDir: repoRoot,
    listen: opts.listen ?? ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'],
    admin: opts.admin ?? null,
    hostname: opts.hostname ?? 'fosip-test',
    logLevel: 'silent',
    redis: opts.redis ?? null,
    redisOptions: {},
    transport: opts.transport ?? {},
    timers: opts.timers ?? {},
    media: { ...TEST_RELAY_PORTS, ...opts.media },
    calls: {
      ...(opts.huntStatuses ? { huntStatuses: opts.huntStatuses } : {}),
      ...(opts.errorPassThrough !== undefined ? { errorPassThrough: opts.errorPassThrough } : {}),
    },
    // tests send from loopback: trusted unless a test says otherwise
    trustedList: opts.trustedList ?? ['127.0.0.0/8', '::1'],
    ...(opts.silentDiscardUntrusted !== undefined ? { silentDiscardUntrusted: opts.silentDiscardUntrusted } : {}),
    ...(opts.pike !== undefined ? { pike: opts.pike } : {}),
    ...(opts.callThreshold !== undefined ? { callThreshold: opts.callThreshold } : {}),
    ...(opts.sipUa !== undefined ? { sipUa: opts.sipUa } : {}),
    ...(opts.serverHeader !== undefined ? { serverHeader: opts.serverHeader } : {}),
    ...(opts.scannerUserAgents !== undefined ? { scannerUserAgents: opts.scannerUserAgents } : {}),
    ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    ...(opts.capture !== undefined ? { capture: opts.capture } : {}),
    ...(opts.adminTokenFile !== undefined ? { adminTokenFile: opts.adminTokenFile } : {}),
    ...(opts.adminReadTokenFile !== undefined ? { adminReadTokenFile: opts.adminReadTokenFile } : {}),
    ...(opts.adminMetricsToken !== undefined ? { adminMetricsToken: opts.adminMetricsToken } : {}),
    ...(opts.adminTls !== undefined ? { adminTls: opts.adminTls } : {}),
    ...(opts.sipProfiles !== undefined ? { sipProfiles: opts.sipProfiles } : {}),
    ...(opts.sipProfilesInbound !== undefined ? { sipProfilesInbound: opts.sipProfilesInbound } : {}),
  };
  return SbcNode.start(settings, {
    log: opts.log ?? silentLog,
    config: compileFor(settings, opts),
    ...(opts.reload ? { reload: () => compileFor(settings, opts.reload?.() ?? {}) } : {}),
    ...(opts.onDrained ? { onDrained: opts.onDrained } : {}),
  });
}

/** The dial-peers and classes of `opts` compiled as loadConfiguration compiles the files. */
function compileFor(settings: Settings, opts: ClassOptions): ReturnType<typeof compileConfiguration> {
  const located = <T>(kind: string) =>
    (opts.rewrite ?? [])
      .filter((c) => c.kind === kind)
      .map((value, i) => ({ file: `${kind}-${i}.json`, pointer: '', value: value as T }));
  const config = dialConfig({
    dialPeers: (opts.dialPeers ?? []).map((value) => ({ file: `dp-${value.tag}.json`, pointer: '', value })),
    codecClasses: (opts.codecClasses ?? []).map((value) => ({ file: `codec-${value.tag}.json`, pointer: '', value })),
    sipProfiles: located<SipProfileJson>('sip-profiles'),
    translationRules: located<TranslationRuleJson>('translation-rule'),
    translationProfiles: located<TranslationProfileJson>('translation-profile'),
    keepaliveProfiles: located<KeepaliveProfileJson>('sip-options-keepalive'),
  });
  const compiled = compileConfiguration(settings, config);
  if (compiled.problems.length > 0) throw new Error(JSON.stringify(compiled.problems));
  return compiled;
}

export function boundPort(app: SbcNode, transport: 'udp' | 'tcp' | 'tls', v6 = false): number {
  const spec: ListenSpec | undefined = app.listening.find(
    (l) => l.transport === transport && l.address.includes(':') === v6,
  );
  if (spec === undefined) throw new Error(`no ${transport} listener`);
  return spec.port;
}
