/** Start a real FoSIP app on free loopback ports for an integration test. */
import { App } from '../../src/app.js';
import type { CodecClassJson, DialPeerJson } from '../../src/config/dial-config.js';
import type { SipProfileJson, TranslationProfileJson, TranslationRuleJson } from '../../src/config/rewrite-config.js';
import { compileRewriteClasses } from '../../src/rewrite/rewrite-classes.js';
import { headerKey } from '../../src/sip/header-names.js';
import { compileDialPeers } from '../../src/routing/dial-peer.js';
import { DialPlan } from '../../src/routing/dial-plan.js';
import type { MediaSettings, Settings, TimerSettings, TransportSettings } from '../../src/config/settings.js';
import type { ListenSpec } from '../../src/transport/listen-spec.js';
import { silentLog } from './log.js';
import { repoRoot } from './paths.js';

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
  media?: MediaSettings;
  codecClasses?: CodecClassJson[];
  /** SIP profiles, translation rules and translation profiles, as in profiles/. */
  rewrite?: Array<SipProfileJson | TranslationRuleJson | TranslationProfileJson>;
  /** Global SIP profile tags (fosip.json). */
  sipProfiles?: number;
  sipProfilesInbound?: number;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<App> {
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
    media: opts.media ?? {},
    calls: { ...(opts.huntStatuses ? { huntStatuses: opts.huntStatuses } : {}), ...(opts.errorPassThrough !== undefined ? { errorPassThrough: opts.errorPassThrough } : {}) },
  };
  const located = <T>(kind: string) => (opts.rewrite ?? []).filter((c) => c.kind === kind).map((value, i) => ({ file: `${kind}-${i}.json`, pointer: '', value: value as T }));
  const config = {
    dialPeers: (opts.dialPeers ?? []).map((value) => ({ file: `dp-${value.tag}.json`, pointer: '', value })),
    uriClasses: [],
    codecClasses: (opts.codecClasses ?? []).map((value) => ({ file: `codec-${value.tag}.json`, pointer: '', value })),
    sipProfiles: located<SipProfileJson>('sip-profiles'),
    translationRules: located<TranslationRuleJson>('translation-rule'),
    translationProfiles: located<TranslationProfileJson>('translation-profile'),
    problems: [],
  };
  const rewrite = compileRewriteClasses(config, headerKey);
  const compiled = compileDialPeers(config, rewrite.classes, headerKey);
  const problems = [...rewrite.problems, ...compiled.problems];
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  const profile = (tag: number | undefined) => (tag === undefined ? null : (rewrite.classes.sipProfiles.get(tag) ?? null));
  const profiles = { outbound: profile(opts.sipProfiles), inbound: profile(opts.sipProfilesInbound) };
  return App.start(settings, { log: silentLog, dialPlan: new DialPlan(compiled.peers), profiles });
}

export function boundPort(app: App, transport: 'udp' | 'tcp', v6 = false): number {
  const spec: ListenSpec | undefined = app.listening.find((l) => l.transport === transport && l.address.includes(':') === v6);
  if (spec === undefined) throw new Error(`no ${transport} listener`);
  return spec.port;
}
