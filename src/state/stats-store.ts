/**
 * A node's counters for `show sip-ua statistics`, behind a small interface like the call store: in memory
 * the node reads its own counters when asked; through Redis each node writes a snapshot every heartbeat
 * (`sbc:stats:<node>`, expiring with the node) and any reader sees every live node's.
 */
import { type RedisClient, getMany, scanAll } from './redis-connect.js';
import type { SipStatsSnapshot } from './cluster-view.js';

export interface StatsStore {
  /** Where this node's counters come from; read whenever they are published or asked for. */
  track(source: () => SipStatsSnapshot): void;
  /** The counters changed out of turn (a reset): publish them now rather than at the next heartbeat. */
  refresh(): void;
  /** The counters of every node this store sees, by node name. */
  nodes(): Promise<SipStatsSnapshot[]>;
  close(): Promise<void>;
}

export const statsKey = (node: string): string => `sbc:stats:${node}`;

export class MemoryStatsStore implements StatsStore {
  private source: (() => SipStatsSnapshot) | undefined;

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
  }

  /** Written now (and every interval), so that a reader right after a change sees it. */
  private publish(): void {
    if (this.source === undefined || this.redis.status !== 'ready') return;
    this.redis.set(statsKey(this.node), JSON.stringify(this.source()), 'PX', 3 * this.intervalMs).catch((err: unknown) => this.failed(err));
  }

  nodes(): Promise<SipStatsSnapshot[]> {
    return readAllStats(this.redis);
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
}
