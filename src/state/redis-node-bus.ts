/**
 * The node bus through Redis, on the call store's connection: commands on `sbc:cmd:<node>`, the trace on
 * `sbc:trace` while somebody subscribes, ended calls' ladders as `sbc:flow:{<id>}` (an hour), counters
 * beside the heartbeat. Its failures count with the store's, which re-syncs when Redis is back.
 */
import { Cluster } from 'ioredis';
import type { Ladder } from './call-store.js';
import type { NodeBus, NodeCommand } from './node-bus.js';
import type { RedisClient } from './redis-connect.js';
import type { RedisCallStore } from './redis-call-store.js';
import { TRACE_CHANNEL, commandChannel, flowKey } from './redis-keys.js';
import { RedisStatsStore, type StatsStore } from './stats-store.js';

/** An ended call's message ladder is kept an hour. */
const FLOW_TTL_S = 3600;

export class RedisNodeBus implements NodeBus {
  readonly stats: StatsStore;
  private subscriber: RedisClient | undefined;

  constructor(private readonly store: RedisCallStore) {
    this.stats = new RedisStatsStore(store.redis, store.o.node, store.o.heartbeatMs ?? 2000, (err) =>
      store.failed(err),
    );
  }

  private get redis(): RedisClient {
    return this.store.redis;
  }

  get connected(): boolean {
    return this.store.connected;
  }

  get errors(): number {
    return this.store.errors;
  }

  onCommand(handler: (cmd: NodeCommand) => void): void {
    const sub =
      this.redis instanceof Cluster
        ? this.redis.duplicate([], { enableOfflineQueue: true })
        : this.redis.duplicate({ enableOfflineQueue: true });
    sub.on('error', (err) => this.store.failed(err));
    sub.on('message', (_channel: string, message: string) => {
      try {
        const cmd = JSON.parse(message) as NodeCommand;
        if (
          cmd.op === 'clear-stats' ||
          (cmd.op === 'clear' && typeof cmd.id === 'string' && Number.isInteger(cmd.cause))
        )
          handler(cmd);
      } catch (err) {
        this.store.o.log.warn({ err }, 'bad command on the node channel');
      }
    });
    sub.subscribe(commandChannel(this.store.o.node)).catch((err: unknown) => this.store.failed(err));
    this.subscriber = sub;
  }

  /** 0 when Redis is away. */
  async traceSubscribers(): Promise<number> {
    if (this.redis.status !== 'ready') return 0;
    const reply = (await this.redis.call('PUBSUB', 'NUMSUB', TRACE_CHANNEL)) as [string, number];
    return Number(reply[1] ?? 0);
  }

  publishTrace(text: string): void {
    if (this.redis.status === 'ready')
      this.redis.publish(TRACE_CHANNEL, text).catch((err: unknown) => this.store.failed(err));
  }

  keepFlow(ladder: Ladder): void {
    if (this.redis.status !== 'ready') return;
    this.redis
      .set(flowKey(ladder.id), JSON.stringify(ladder), 'EX', FLOW_TTL_S)
      .catch((err: unknown) => this.store.failed(err));
  }

  /** The subscriber goes; the store, which owns the connection, closes it. */
  async close(): Promise<void> {
    this.subscriber?.disconnect();
    await this.stats.close();
  }
}
