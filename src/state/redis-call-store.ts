/**
 * The call store shared through Redis. This node's calls live in memory (signalling reads nothing from
 * Redis) and every change is mirrored to Redis in one pipeline per tick, never awaited by signalling:
 *   sbc:call:{<id>}          one versioned JSON record per call, with an expiry
 *   sbc:node:<node>:calls    the ids of this node's live calls
 *   sbc:node:<node>          this node, refreshed by a heartbeat (expires when the node stops)
 *   sbc:history              a capped stream of call-detail records
 * If Redis goes away calls go on: errors are counted and logged at a limited rate, and when Redis is back
 * the node writes its whole live state again, so the cluster view is complete within a heartbeat.
 */
import type { Logger } from 'pino';
import {
  type CallDetailRecord,
  type CallRecord,
  type CallStore,
  HISTORY_LENGTH,
  MemoryCallStore,
} from './call-store.js';
import { type RedisClient, type RedisCommand, batch, connectRedis } from './redis-connect.js';
import { HISTORY_KEY, callKey, nodeCallsKey, nodeKey } from './redis-keys.js';

export interface RedisStoreOptions {
  /** redis://, rediss://, redis-sentinel:// or redis-cluster:// (see redis-connect.ts). */
  url: string;
  /** fosip.json `redisOptions`, handed to ioredis as they are. */
  passThrough?: Record<string, unknown>;
  node: string;
  log: Logger;
  /** Seconds a call record lives in Redis without being rewritten (a live call is rewritten on resync). */
  recordTtlSeconds?: number;
  heartbeatMs?: number;
  /** More about this node for its heartbeat record (e.g. its RTP port pool), read at each beat. */
  describe?: () => Record<string, unknown>;
}

/** The call store in Redis; the node's other traffic through Redis (commands, trace, stats) is redis-node-bus.ts. */
export class RedisCallStore implements CallStore {
  /** Write errors since start; exported as a metric by observability. */
  errors = 0;
  readonly redis: RedisClient;
  private readonly local = new MemoryCallStore();
  /**
   * What changed since the last flush, coalesced: a call changed several times in one tick is written once
   * (its latest state), and one that ended in the same tick is only deleted.
   */
  private puts = new Map<string, CallRecord>();
  private deletes = new Set<string>();
  private histories: CallDetailRecord[] = [];
  /** Call-detail records that ended while Redis was away, written when it is back. */
  private backlog: CallDetailRecord[] = [];
  private flushScheduled = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastErrorLog = 0;
  private needResync = false;
  private readonly ttl: number;
  private readonly startedAt = Date.now();

  constructor(readonly o: RedisStoreOptions) {
    this.ttl = o.recordTtlSeconds ?? 4 * 3600;
    this.redis = connectRedis(o.url, o.passThrough ?? {}, {
      lazyConnect: false,
      enableOfflineQueue: false, // a write while Redis is away fails at once instead of piling up
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(100 * times, 2000),
    });
    this.redis.on('error', (err) => this.failed(err));
    this.redis.on('ready', () => {
      if (this.needResync) this.resync();
      this.beat();
    });
    this.heartbeat = setInterval(() => this.beat(), o.heartbeatMs ?? 2000);
    this.heartbeat.unref();
  }

  put(record: CallRecord): void {
    this.local.put(record);
    this.deletes.delete(record.id);
    this.puts.set(record.id, record); // serialized at flush time, so its latest state is what is written
    this.schedule();
  }

  get(id: string): CallRecord | undefined {
    return this.local.get(id);
  }

  delete(id: string): void {
    this.local.delete(id);
    this.puts.delete(id);
    this.deletes.add(id);
    this.schedule();
  }

  list(): CallRecord[] {
    return this.local.list();
  }

  /**
   * The calls Redis still lists for this node that this process does not carry: left by a previous run
   * that crashed or was killed. Waits for Redis up to `waitMs`; none when it does not come.
   */
  async orphans(waitMs = 3000): Promise<CallRecord[]> {
    const until = Date.now() + waitMs;
    while (this.redis.status !== 'ready' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (this.redis.status !== 'ready') return [];
    const ids = (await this.redis.smembers(nodeCallsKey(this.o.node))).filter((id) => this.local.get(id) === undefined);
    const out: CallRecord[] = [];
    for (const id of ids) {
      const text = await this.redis.get(callKey(id));
      if (text !== null) out.push(JSON.parse(text) as CallRecord);
    }
    return out;
  }

  /** An orphan dealt with: its record and index entry go, its call-detail record joins the history. */
  settleOrphan(cdr: CallDetailRecord): void {
    this.deletes.add(cdr.id);
    this.addHistory(cdr);
  }

  /** Redis answers commands now. */
  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  get size(): number {
    return this.local.size;
  }

  addHistory(cdr: CallDetailRecord): void {
    this.local.addHistory(cdr);
    this.histories.push(cdr);
    this.schedule();
  }

  history(limit?: number): CallDetailRecord[] {
    return this.local.history(limit);
  }

  private schedule(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** One pipeline for everything that changed since the last tick. */
  private flush(): void {
    this.flushScheduled = false;
    const { puts, deletes, histories } = this;
    if (puts.size + deletes.size + histories.length === 0) return;
    this.puts = new Map();
    this.deletes = new Set();
    this.histories = [];
    if (this.redis.status !== 'ready') {
      this.needResync = true; // the whole live state is written again when Redis is back
      // ended calls have no live state to re-sync from: keep their records (capped) until then
      this.backlog.push(...histories);
      if (this.backlog.length > HISTORY_LENGTH) this.backlog.splice(0, this.backlog.length - HISTORY_LENGTH);
      return;
    }
    const commands: RedisCommand[] = [];
    for (const r of puts.values()) commands.push(...this.writeCall(r));
    for (const id of deletes) commands.push(['del', callKey(id)], ['srem', nodeCallsKey(this.o.node), id]);
    for (const cdr of histories) commands.push(this.appendHistory(cdr));
    batch(this.redis, commands).catch((err: unknown) => this.failed(err));
  }

  private appendHistory(cdr: CallDetailRecord): RedisCommand {
    return [
      'xadd',
      HISTORY_KEY,
      'MAXLEN',
      '~',
      String(HISTORY_LENGTH),
      '*',
      'cdr',
      JSON.stringify({ ...cdr, node: this.o.node }),
    ];
  }

  private writeCall(r: CallRecord): RedisCommand[] {
    return [
      ['set', callKey(r.id), JSON.stringify({ ...r, node: this.o.node }), 'EX', this.ttl],
      ['sadd', nodeCallsKey(this.o.node), r.id],
    ];
  }

  /** After an outage: this node's index and every live call, written again from memory. */
  private resync(): void {
    this.needResync = false;
    const commands: RedisCommand[] = [['del', nodeCallsKey(this.o.node)]];
    for (const r of this.local.list()) commands.push(...this.writeCall(r));
    const ended = this.backlog;
    this.backlog = [];
    for (const cdr of ended) commands.push(this.appendHistory(cdr));
    batch(this.redis, commands).then(
      () => this.o.log.info({ calls: this.local.size, history: ended.length }, 'call state written again to Redis'),
      (err: unknown) => this.failed(err),
    );
  }

  private beat(): void {
    if (this.redis.status !== 'ready') return;
    // a write that failed while the connection stayed up (a Cluster resharding, OOM, a timeout) is
    // repaired here: there will be no new 'ready' event to trigger the re-sync
    if (this.needResync) this.resync();
    const info = JSON.stringify({
      ...this.o.describe?.(),
      node: this.o.node,
      startedAt: this.startedAt,
      heartbeatAt: Date.now(),
      calls: this.local.size,
    });
    const ttlMs = 3 * (this.o.heartbeatMs ?? 2000);
    this.redis.set(nodeKey(this.o.node), info, 'PX', ttlMs).catch((err: unknown) => this.failed(err));
  }

  /** A write or a connection failed: counted, logged at a limited rate, and the state is written again when Redis is back. */
  failed(err: unknown): void {
    this.errors++;
    this.needResync = true;
    const now = Date.now();
    if (now - this.lastErrorLog > 10_000) {
      this.lastErrorLog = now;
      this.o.log.warn(
        { err, errors: this.errors },
        'Redis unavailable; calls go on, state is re-synced when it returns',
      );
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.flush();
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
