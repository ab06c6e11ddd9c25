/** A node's state and bus, in memory (a lone node) or through Redis (a cluster): the one place that chooses. */
import type { Logger } from 'pino';
import { type CallStore, MemoryCallStore } from './call-store.js';
import { MemoryNodeBus, type NodeBus } from './node-bus.js';
import { RedisCallStore } from './redis-call-store.js';
import { RedisNodeBus } from './redis-node-bus.js';

export interface SharedStateOptions {
  /** Redis URL, or null for a node on its own. */
  redis: string | null;
  /** fosip.json `redisOptions`, handed to ioredis as they are. */
  redisOptions?: Record<string, unknown>;
  node: string;
  log: Logger;
  /** More about this node for its heartbeat record (its RTP port pool), read at each beat. */
  describe: () => Record<string, unknown>;
}

export function openSharedState(o: SharedStateOptions): { calls: CallStore; bus: NodeBus } {
  if (o.redis === null) return { calls: new MemoryCallStore(), bus: new MemoryNodeBus(o.node) };
  const calls = new RedisCallStore({
    url: o.redis,
    ...(o.redisOptions ? { passThrough: o.redisOptions } : {}),
    node: o.node,
    log: o.log,
    describe: o.describe,
  });
  return { calls, bus: new RedisNodeBus(calls) };
}
