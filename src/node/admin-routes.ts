/**
 * What each admin API route answers for one node (`fosip show --admin`, `fosip drain`, `monitor capture`,
 * `/metrics`): the node's own parts and reports, each given the node's name as the cluster views give it.
 */
import type { B2bua } from '../b2bua/b2bua.js';
import type { Settings } from '../config/settings.js';
import type { DialPeer } from '../routing/dial-peer.js';
import type { KeepaliveManager } from '../keepalive/keepalive-manager.js';
import type { Metrics } from '../observability/metrics.js';
import { captureOptions } from '../observability/packet-capture.js';
import path from 'node:path';
import type { SipTracer } from '../observability/sip-trace.js';
import type { CallStore } from '../state/call-store.js';
import type {
  MediaEngineInfo,
  MediaStatsByCall,
  NodeConfig,
  NodeEdge,
  RtpPoolInfo,
  SipStatsSnapshot,
} from '../state/node-reports.js';
import type { AdminApi } from './admin-api.js';
import { VERSION } from '../version.js';
import type { Drain } from './drain.js';
import type { CaptureControl } from './observability-wiring.js';

/** The parts and reports of a node the routes read (SbcNode has them all). */
export interface AdminSubject {
  readonly settings: Settings;
  readonly startedAt: number;
  readonly callStore: CallStore;
  readonly b2bua: B2bua;
  readonly keepalive: KeepaliveManager<DialPeer>;
  readonly tracer: SipTracer;
  readonly capture: CaptureControl;
  readonly metrics: Metrics;
  readonly drain: Drain;
  rtpPool(): RtpPoolInfo;
  mediaStats(): Promise<MediaStatsByCall>;
  mediaEngines(): { mediaEngines?: MediaEngineInfo[] };
  sipStats(): SipStatsSnapshot;
  clearSipStats(): void;
  edgeReport(): NodeEdge;
  reload(): { dialPeers: number };
  configSnapshot(): NodeConfig;
}

/** `onDrained`: a drain asked for over the API is over (the process then stops the node). */
export function adminRoutes(node: AdminSubject, onDrained?: () => void): AdminApi {
  const name = node.settings.hostname;
  return {
    status: () => [
      {
        node: name,
        version: VERSION,
        alive: true,
        startedAt: node.startedAt,
        heartbeatAt: Date.now(),
        calls: node.callStore.size,
        rtp: node.rtpPool(),
        ...node.mediaEngines(),
      },
    ],
    calls: () => node.callStore.list().map(({ recovery: _internal, ...c }) => ({ ...c, node: name, nodeAlive: true })),
    history: (limit) => node.callStore.history(limit).map((c) => ({ ...c, node: name })),
    clear: (id, cause) => node.b2bua.clear(id, cause),
    stats: () => node.sipStats(),
    media: () => node.mediaStats(),
    clearStats: () => node.clearSipStats(),
    keepalive: () => node.keepalive.status().map((s) => ({ ...s, node: name })),
    reload: () => node.reload(),
    config: () => node.configSnapshot(),
    drain: (grace) => {
      void node.drain.start((grace ?? node.settings.drainGraceSeconds ?? 60) * 1000).then(() => onDrained?.());
      return { draining: true, calls: node.callStore.size };
    },
    flow: (id) => node.b2bua.wire.ladder(id),
    trusted: () => node.edgeReport().trusted,
    registrations: () => node.edgeReport().registrations,
    trace: (listener, call) => node.tracer.listen(listener, call),
    capture: (action, options) =>
      action === 'start'
        ? node.capture.start(
            captureOptions(
              options,
              path.resolve(node.settings.configDir, node.settings.capture?.directory ?? 'captures'),
            ),
          )
        : action === 'stop'
          ? node.capture.stop()
          : node.capture.status(),
    metrics: () => node.metrics.text(),
  };
}
