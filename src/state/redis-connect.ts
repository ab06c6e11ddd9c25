/**
 * One place that turns the `redis` setting into an ioredis client, for a single server, Sentinel or Cluster:
 *   redis://[user:pass@]host:port[/db], rediss://...          one server (ioredis parses the URL)
 *   redis-sentinel://[:pass@]h1:p1,h2:p2/<master name>[/db]     Sentinel: ask the sentinels for the master
 *   redis-cluster://[:pass@]h1:p1,h2:p2                         Cluster: any seed nodes
 * `redisOptions` from fosip.json go to ioredis as they are (TLS, timeouts, natMap...), under the few options
 * the store must set itself. Writes and reads that name several keys go through batch()/getMany()/scanAll(),
 * which keep each command to one key on a Cluster (keys of a pipeline may live in different slots).
 */
import { SbcError } from '../errors/sbc-error.js';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * ioredis 6 types its constructors as `RedisOptions & { replyMapping?: M }`, while RedisOptions declares
 * `replyMapping?: ... | undefined`; under exactOptionalPropertyTypes the two clash unless the key is left out.
 */
export type ClientOptions = Omit<RedisOptions, 'replyMapping'>;

interface HostPort {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; db: number; password?: string }
  | { kind: 'cluster'; nodes: HostPort[]; password?: string };

export const REDIS_URL_PATTERN = '^(rediss?|redis-sentinel|redis-cluster)://';

function hostPorts(list: string, defaultPort: number): HostPort[] {
  return list
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^\[?([^\]]+?)\]?(?::([0-9]+))?$/.exec(s);
      if (m === null) throw new SbcError('SBC_ERR_STATE_REDIS_URL', `bad host:port "${s}"`);
      return { host: m[1] ?? s, port: Number(m[2] ?? defaultPort) };
    });
}

/** Read a `redis` URL; throws with the reason when it cannot be read. */
export function parseRedisTarget(url: string): RedisTarget {
  const m = /^(redis-sentinel|redis-cluster):\/\/(?:([^@/]*)@)?([^/]+)(?:\/(.*))?$/.exec(url);
  if (m === null) {
    if (!/^rediss?:\/\//.test(url)) throw new SbcError('SBC_ERR_STATE_REDIS_URL', `unsupported Redis URL "${url}"`);
    return { kind: 'server', url };
  }
  const password = m[2] === undefined ? undefined : decodeURIComponent(m[2].replace(/^[^:]*:/, ''));
  const auth = password === undefined || password === '' ? {} : { password };
  if (m[1] === 'redis-cluster') return { kind: 'cluster', nodes: hostPorts(m[3] ?? '', 6379), ...auth };
  const [name, db] = (m[4] ?? '').split('/');
  if (name === undefined || name === '')
    throw new SbcError(
      'SBC_ERR_STATE_REDIS_URL',
      `${url}: the Sentinel master name is missing (redis-sentinel://host:26379/<name>)`,
    );
  const dbNumber = Number(db ?? 0);
  if (!Number.isInteger(dbNumber) || dbNumber < 0)
    throw new SbcError('SBC_ERR_STATE_REDIS_URL', `${url}: bad database number`);
  return { kind: 'sentinel', sentinels: hostPorts(m[3] ?? '', 26379), name, db: dbNumber, ...auth };
}

/** Connect; `own` are the options the caller relies on, laid over the operator's pass-through options. */
export function connectRedis(url: string, passThrough: Record<string, unknown>, own: ClientOptions): RedisClient {
  const target = parseRedisTarget(url);
  const { replyMapping, ...operator } = passThrough as RedisOptions;
  const options: ClientOptions = { ...operator, ...own };
  switch (target.kind) {
    case 'server':
      return new Redis(target.url, options);
    case 'sentinel':
      return new Redis({
        ...options,
        sentinels: target.sentinels,
        name: target.name,
        db: target.db,
        ...(target.password ? { password: target.password } : {}),
      });
    case 'cluster': {
      const { retryStrategy, ...nodeOptions } = options;
      return new Cluster(target.nodes, {
        ...(passThrough as object),
        enableOfflineQueue: options.enableOfflineQueue ?? true,
        clusterRetryStrategy: (times: number) => Math.min(100 * times, 2000),
        redisOptions: { ...nodeOptions, ...(target.password ? { password: target.password } : {}) },
      });
    }
  }
}

export type RedisCommand = [name: string, ...args: Array<string | number>];

/** Run commands as one pipeline on a server, one by one (in parallel) on a Cluster. Rejects if any failed. */
export async function batch(client: RedisClient, commands: RedisCommand[]): Promise<void> {
  if (commands.length === 0) return;
  if (client instanceof Cluster) {
    await Promise.all(commands.map(([name, ...args]) => client.call(name, ...args)));
    return;
  }
  const results = await client.pipeline(commands).exec();
  const failed = results?.find(([err]) => err !== null);
  if (failed) throw failed[0] as Error;
}

/** GET of several keys: one MGET on a server, a GET each on a Cluster (the keys are in different slots). */
export async function getMany(client: RedisClient, keys: string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return [];
  if (client instanceof Cluster) return Promise.all(keys.map((k) => client.get(k)));
  return client.mget(...keys);
}

/** Every key matching `pattern`; on a Cluster, from each master. */
export async function scanAll(client: RedisClient, pattern: string): Promise<string[]> {
  const servers = client instanceof Cluster ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, found] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
  }
  return keys;
}
