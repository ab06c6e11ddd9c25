/**
 * A node's counters for `show sip-ua statistics`, behind a small interface like the call store: in memory
 * the node reads its own counters when asked; through Redis each node writes a snapshot every heartbeat
 * (`sbc:stats:<node>`, expiring with the node) and any reader sees every live node's.
 */
import { type RedisClient, getMany, scanAll } from './redis-connect.js';
import type { MediaStatsByCall, NodeConfig, NodeEdge, NodeKeepalive, SipStatsSnapshot } from './node-reports.js';
import type { KeepaliveStatus } from '../keepalive/keepalive-manager.js';

export const edgeKey = (node: string): string => `sbc:edge:${node}`;

/** Every live node's published edge report. */
export async function readAllEdge(redis: RedisClient): Promise<NodeEdge[]> {
  const values = await getMany(redis, (await scanAll(redis, edgeKey('*'))).sort());
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as NodeEdge);
}

export interface StatsStore {
  /** Where this node's counters come from; read whenever they are published or asked for. */
  track(source: () => SipStatsSnapshot): void;
  /** The counters changed out of turn (a reset): publish them now rather than at the next heartbeat. */
  refresh(): void;
  /** The counters of every node this store sees, by node name. */
  nodes(): Promise<SipStatsSnapshot[]>;
  /** Where this node's live RTP statistics come from (the relay). */
  trackMedia(source: () => Promise<MediaStatsByCall>): void;
  /** The live RTP statistics of every call this store sees. */
  media(): Promise<MediaStatsByCall>;
  /** Where this node's keepalive states come from; published with every heartbeat and on refresh(). */
  trackKeepalive(source: () => KeepaliveStatus[]): void;
  /** The keepalive states of every node this store sees. */
  keepalive(): Promise<NodeKeepalive[]>;
  /** Where this node's edge report comes from (trusted list, registrations); published with every heartbeat. */
  trackEdge(source: () => NodeEdge): void;
  /** Where this node's configuration comes from; published now and on refresh() (a reload), not every heartbeat. */
  trackConfig(source: () => NodeConfig): void;
  close(): Promise<void>;
}

export const keepaliveKey = (node: string): string => `sbc:keepalive:${node}`;

/** Every node's published keepalive states, by node then dial-peer. */
export async function readAllKeepalive(redis: RedisClient): Promise<NodeKeepalive[]> {
  const values = await getMany(redis, (await scanAll(redis, keepaliveKey('*'))).sort());
  return values.filter((v): v is string => v !== null).flatMap((v) => JSON.parse(v) as NodeKeepalive[]);
}

export const configKey = (node: string): string => `sbc:config:${node}`;

/** A node's published configuration (null: it published none). */
export async function readConfig(redis: RedisClient, node: string): Promise<NodeConfig | null> {
  const raw = await redis.get(configKey(node));
  return raw === null ? null : (JSON.parse(raw) as NodeConfig);
}

export const mediaKey = (node: string): string => `sbc:media:${node}`;

/** Every node's published RTP statistics, merged (call ids are unique across nodes). */
export async function readAllMedia(redis: RedisClient): Promise<MediaStatsByCall> {
  const values = await getMany(redis, await scanAll(redis, mediaKey('*')));
  return Object.assign(
    {},
    ...values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as MediaStatsByCall),
  ) as MediaStatsByCall;
}

export const statsKey = (node: string): string => `sbc:stats:${node}`;

export class MemoryStatsStore implements StatsStore {
  private source: (() => SipStatsSnapshot) | undefined;
  private mediaSource: (() => Promise<MediaStatsByCall>) | undefined;
  private keepaliveSource: (() => KeepaliveStatus[]) | undefined;

  constructor(private readonly node = '') {}

  /** In memory the admin API reads the node itself. */
  trackEdge(_source: () => NodeEdge): void {}

  trackConfig(_source: () => NodeConfig): void {}

  trackKeepalive(source: () => KeepaliveStatus[]): void {
    this.keepaliveSource = source;
  }

  keepalive(): Promise<NodeKeepalive[]> {
    return Promise.resolve((this.keepaliveSource?.() ?? []).map((s) => ({ ...s, node: this.node })));
  }

  trackMedia(source: () => Promise<MediaStatsByCall>): void {
    this.mediaSource = source;
  }

  media(): Promise<MediaStatsByCall> {
    return this.mediaSource?.() ?? Promise.resolve({});
  }

  track(source: () => SipStatsSnapshot): void {
    this.source = source;
  }

  refresh(): void {
    // read on demand: nothing to publish
  }

  nodes(): Promise<SipStatsSnapshot[]> {
    return Promise.resolve(this.source === undefined ? [] : [this.source()]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Every `sbc:stats:*` snapshot in Redis, sorted by node (the cluster view reads them the same way). */
export async function readAllStats(redis: RedisClient): Promise<SipStatsSnapshot[]> {
  const keys = (await scanAll(redis, statsKey('*'))).sort();
  const values = await getMany(redis, keys);
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as SipStatsSnapshot);
}

export class RedisStatsStore implements StatsStore {
  private source: (() => SipStatsSnapshot) | undefined;
  private mediaSource: (() => Promise<MediaStatsByCall>) | undefined;
  private edgeSource: (() => NodeEdge) | undefined;
  private keepaliveSource: (() => KeepaliveStatus[]) | undefined;
  private configSource: (() => NodeConfig) | undefined;
  /** Whether Redis has this node's configuration (it may not have been reachable when it changed). */
  private configPublished = false;
  private readonly timer: NodeJS.Timeout;

  /** `redis` is shared with the call store; write failures go to its error counter through `failed`. */
  constructor(
    private readonly redis: RedisClient,
    private readonly node: string,
    private readonly intervalMs: number,
    private readonly failed: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => this.publish(), intervalMs);
    this.timer.unref();
  }

  track(source: () => SipStatsSnapshot): void {
    this.source = source;
    this.publish();
  }

  refresh(): void {
    this.publish();
    this.publishConfig();
  }

  trackConfig(source: () => NodeConfig): void {
    this.configSource = source;
    this.publishConfig();
  }

  /** No expiry: readers take it only from live nodes, and it changes only with a reload. */
  private publishConfig(): void {
    if (this.configSource === undefined || this.redis.status !== 'ready') return;
    this.configPublished = true;
    this.redis.set(configKey(this.node), JSON.stringify(this.configSource())).catch((err: unknown) => {
      this.configPublished = false;
      this.failed(err);
    });
  }

  trackMedia(source: () => Promise<MediaStatsByCall>): void {
    this.mediaSource = source;
  }

  media(): Promise<MediaStatsByCall> {
    return readAllMedia(this.redis);
  }

  trackKeepalive(source: () => KeepaliveStatus[]): void {
    this.keepaliveSource = source;
    this.publish();
  }

  keepalive(): Promise<NodeKeepalive[]> {
    return readAllKeepalive(this.redis);
  }

  trackEdge(source: () => NodeEdge): void {
    this.edgeSource = source;
  }

  /** Written now (and every interval), so that a reader right after a change sees it. */
  private publish(): void {
    if (this.redis.status !== 'ready') return;
    if (!this.configPublished) this.publishConfig();
    const ttl = 3 * this.intervalMs;
    if (this.source !== undefined)
      this.redis
        .set(statsKey(this.node), JSON.stringify(this.source()), 'PX', ttl)
        .catch((err: unknown) => this.failed(err));
    if (this.edgeSource !== undefined)
      this.redis
        .set(edgeKey(this.node), JSON.stringify(this.edgeSource()), 'PX', ttl)
        .catch((err: unknown) => this.failed(err));
    if (this.keepaliveSource !== undefined) {
      const states = this.keepaliveSource().map((s) => ({ ...s, node: this.node }));
      this.redis
        .set(keepaliveKey(this.node), JSON.stringify(states), 'PX', ttl)
        .catch((err: unknown) => this.failed(err));
    }
    // one key per node for all its calls' RTP statistics, rather than a write per call
    this.mediaSource?.()
      .then((m) => this.redis.set(mediaKey(this.node), JSON.stringify(m), 'PX', ttl))
      .catch((err: unknown) => this.failed(err));
  }

  nodes(): Promise<SipStatsSnapshot[]> {
    return readAllStats(this.redis);
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
}
