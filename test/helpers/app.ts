/** Start a real FoSIP app on free loopback ports for an integration test. */
import { App } from '../../src/app.js';
import type { CodecClassJson, DialPeerJson } from '../../src/config/dial-config.js';
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
  const compiled = compileDialPeers({
    dialPeers: (opts.dialPeers ?? []).map((value) => ({ file: `dp-${value.tag}.json`, pointer: '', value })),
    uriClasses: [],
    codecClasses: (opts.codecClasses ?? []).map((value) => ({ file: `codec-${value.tag}.json`, pointer: '', value })),
    problems: [],
  });
  if (compiled.problems.length > 0) throw new Error(JSON.stringify(compiled.problems));
  return App.start(settings, { log: silentLog, dialPlan: new DialPlan(compiled.peers) });
}

export function boundPort(app: App, transport: 'udp' | 'tcp', v6 = false): number {
  const spec: ListenSpec | undefined = app.listening.find((l) => l.transport === transport && l.address.includes(':') === v6);
  if (spec === undefined) throw new Error(`no ${transport} listener`);
  return spec.port;
}
