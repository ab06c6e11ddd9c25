/**
 * Reading the shared state back (for `show` commands): the nodes, their live calls, the history. A node
 * whose heartbeat key has expired but still lists calls is shown as not alive, with its calls marked.
 */
import type { CallRecord, Ladder } from './call-store.js';
import { HISTORY_KEY, TRACE_CHANNEL, callKey, commandChannel, flowKey, nodeCallsKey } from './redis-keys.js';
import type { TraceEvent } from '../observability/sip-trace.js';
import { Cluster } from 'ioredis';
import { type RedisClient, connectRedis, getMany, scanAll } from './redis-connect.js';
import { readAllEdge, readAllKeepalive, readAllMedia, readAllStats, readConfig } from './stats-store.js';
import { SbcError } from '../errors/sbc-error.js';
import type {
  MediaEngineInfo,
  MediaStatsByCall,
  NodeConfig,
  NodeInfo,
  NodeKeepalive,
  RegistrationReport,
  RtpPoolInfo,
  SipStatsSnapshot,
  TrustedReport,
  ViewCall,
  ViewCdr,
} from './node-reports.js';

/** The cluster read through Redis: what `fosip show --redis` reads (node/state-view.ts StateView). */
export class RedisClusterView {
  private readonly redis: RedisClient;

  constructor(url: string, passThrough: Record<string, unknown> = {}) {
    this.redis = connectRedis(url, passThrough, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  }

  private scan(pattern: string): Promise<string[]> {
    return scanAll(this.redis, pattern);
  }

  async nodes(): Promise<NodeInfo[]> {
    const heartbeats = (await this.scan('sbc:node:*')).filter((k) => !k.endsWith(':calls'));
    const indexes = await this.scan('sbc:node:*:calls');
    const names = new Set([
      ...heartbeats.map((k) => k.slice('sbc:node:'.length)),
      ...indexes.map((k) => k.slice('sbc:node:'.length, -':calls'.length)),
    ]);
    const out: NodeInfo[] = [];
    for (const node of [...names].sort()) {
      const raw = await this.redis.get(`sbc:node:${node}`);
      const info =
        raw === null
          ? null
          : (JSON.parse(raw) as {
              startedAt: number;
              heartbeatAt: number;
              version?: string;
              rtp?: RtpPoolInfo;
              mediaEngines?: MediaEngineInfo[];
            });
      out.push({
        node,
        ...(info?.version !== undefined ? { version: info.version } : {}),
        alive: info !== null,
        startedAt: info?.startedAt ?? null,
        heartbeatAt: info?.heartbeatAt ?? null,
        calls: await this.redis.scard(nodeCallsKey(node)),
        ...(info?.rtp ? { rtp: info.rtp } : {}),
        ...(info?.mediaEngines ? { mediaEngines: info.mediaEngines } : {}),
      });
    }
    return out;
  }

  async calls(): Promise<ViewCall[]> {
    const out: ViewCall[] = [];
    for (const n of await this.nodes()) {
      const ids = await this.redis.smembers(nodeCallsKey(n.node));
      if (ids.length === 0) continue;
      const records = await getMany(this.redis, ids.map(callKey));
      for (const raw of records)
        if (raw !== null) out.push({ ...(JSON.parse(raw) as CallRecord), node: n.node, nodeAlive: n.alive });
    }
    return out.sort((a, b) => a.startedAt - b.startedAt);
  }

  async history(limit: number): Promise<ViewCdr[]> {
    const entries = await this.redis.xrevrange(HISTORY_KEY, '+', '-', 'COUNT', limit);
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as ViewCdr);
  }

  async clear(id: string, cause: number): Promise<boolean> {
    const raw = await this.redis.get(callKey(id));
    if (raw === null) return false;
    const { node } = JSON.parse(raw) as { node: string };
    const receivers = await this.redis.publish(commandChannel(node), JSON.stringify({ op: 'clear', id, cause }));
    return receivers > 0;
  }

  stats(): Promise<SipStatsSnapshot[]> {
    return readAllStats(this.redis);
  }

  media(): Promise<MediaStatsByCall> {
    return readAllMedia(this.redis);
  }

  keepalive(): Promise<NodeKeepalive[]> {
    return readAllKeepalive(this.redis);
  }

  /** Every node of a cluster runs the same files (or should): the first live node's, by name. */
  async configuration(): Promise<NodeConfig> {
    for (const n of await this.nodes()) {
      if (!n.alive) continue;
      const config = await readConfig(this.redis, n.node);
      if (config !== null) return config;
    }
    throw new SbcError('SBC_ERR_CLI_COMMAND', 'no live node has published its configuration in Redis');
  }

  async trace(call: string | null, onEvent: (ev: TraceEvent) => void): Promise<() => Promise<void>> {
    const sub: RedisClient = this.redis instanceof Cluster ? this.redis.duplicate() : this.redis.duplicate();
    sub.on('message', (_channel: string, text: string) => {
      const ev = JSON.parse(text) as TraceEvent;
      if (call === null || ev.call === call) onEvent(ev);
    });
    await sub.subscribe(TRACE_CHANNEL);
    return async () => {
      await sub.unsubscribe(TRACE_CHANNEL).catch(() => undefined);
      sub.disconnect();
    };
  }

  async registrations(): Promise<RegistrationReport[]> {
    return (await readAllEdge(this.redis)).flatMap((e) => e.registrations);
  }

  async trusted(): Promise<TrustedReport[]> {
    return (await readAllEdge(this.redis)).map((e) => e.trusted);
  }

  async flow(id: string): Promise<Ladder | null> {
    const text = await this.redis.get(flowKey(id));
    return text === null ? null : (JSON.parse(text) as Ladder);
  }

  async clearStats(): Promise<number> {
    let took = 0;
    for (const n of await this.nodes())
      if (n.alive) took += await this.redis.publish(commandChannel(n.node), JSON.stringify({ op: 'clear-stats' }));
    return took;
  }

  close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }
}
