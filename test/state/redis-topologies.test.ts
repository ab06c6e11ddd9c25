/**
 * The call store, the stats store and the cluster view through Redis Sentinel and Redis Cluster: the URL
 * forms pass through to ioredis, and on a Cluster no command names keys of two slots.
 */
import { RedisNodeBus } from '../../src/state/redis-node-bus.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisClusterView } from '../../src/state/cluster-view.js';
import { parseRedisTarget } from '../../src/state/redis-connect.js';
import { RedisCallStore } from '../../src/state/redis-call-store.js';
import { silentLog } from '../helpers/log.js';
import { callRecord, eventually } from '../helpers/call-records.js';
import { ClusterSetup, SentinelSetup } from '../helpers/redis-topologies.js';

const record = callRecord;

/** Two nodes write calls, history and stats; one view reads them all back. */
async function exercise(url: string): Promise<void> {
  // heartbeats every second (they expire after three): a loaded CI machine can stall a process longer
  // than a shorter heartbeat's lifetime, and the node would be shown as stopped
  const a = new RedisCallStore({ url, node: 'sbc-a', log: silentLog, heartbeatMs: 1000 });
  const b = new RedisCallStore({ url, node: 'sbc-b', log: silentLog, heartbeatMs: 1000 });
  const stats = new RedisNodeBus(a).stats;
  const view = new RedisClusterView(url);
  try {
    // writes made before the connection is ready take the re-sync path, which the outage test covers;
    // here the point is that the URL forms work and that no command spans two Cluster slots
    assert.ok(
      await eventually(() => Promise.resolve(a.redis.status === 'ready' && b.redis.status === 'ready'), 20_000),
      'the stores connect',
    );
    stats.track(() => ({
      node: 'sbc-a',
      at: 0,
      requestsIn: { INVITE: 4 },
      requestsOut: {},
      responsesIn: {},
      responsesOut: {},
      retransmissionsIn: 0,
      retransmissionsOut: 0,
      timeouts: 0,
    }));
    for (let i = 0; i < 20; i++) (i % 2 === 0 ? a : b).put(record(`call-${i}`));
    a.delete('call-0');
    a.addHistory({
      ...record('call-0'),
      endedAt: 9,
      disconnectCause: 16,
      disconnectText: 'normal call clearing',
      releasedBy: 'caller',
      durationMs: 6,
    });
    let seen = 0;
    const all = await eventually(async () => (seen = (await view.calls()).length) === 19, 20_000);
    assert.ok(all, `all live calls of both nodes are seen (${seen} of 19; store errors ${a.errors}/${b.errors})`);
    let nodes: unknown[] = [];
    const expected = JSON.stringify([
      ['sbc-a', true, 9],
      ['sbc-b', true, 10],
    ]);
    await eventually(
      async () => JSON.stringify((nodes = (await view.nodes()).map((n) => [n.node, n.alive, n.calls]))) === expected,
    );
    assert.deepEqual(nodes, JSON.parse(expected));
    assert.equal((await view.history(5))[0]?.disconnectCause, 16);
    assert.ok(await eventually(async () => (await view.stats())[0]?.requestsIn['INVITE'] === 4));
    assert.equal(a.errors + b.errors, 0);
  } finally {
    await stats.close();
    await Promise.all([a.close(), b.close(), view.close()]);
  }
}

describe('Redis topologies', () => {
  it('reads every URL form, and names the field of a bad one', () => {
    assert.deepEqual(parseRedisTarget('redis://127.0.0.1:6379/2'), { kind: 'server', url: 'redis://127.0.0.1:6379/2' });
    assert.deepEqual(parseRedisTarget('redis-sentinel://:pw@10.0.0.1:26379,10.0.0.2/mymaster/3'), {
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      name: 'mymaster',
      db: 3,
      password: 'pw',
    });
    assert.deepEqual(parseRedisTarget('redis-cluster://[::1]:7000,127.0.0.1:7001'), {
      kind: 'cluster',
      nodes: [
        { host: '::1', port: 7000 },
        { host: '127.0.0.1', port: 7001 },
      ],
    });
    assert.throws(() => parseRedisTarget('redis-sentinel://127.0.0.1:26379'), /master name is missing/);
    assert.throws(() => parseRedisTarget('memcached://x'), /unsupported Redis URL/);
  });

  for (const [name, Setup] of [
    ['through Redis Sentinel', SentinelSetup],
    ['on a three-master Redis Cluster', ClusterSetup],
  ] as const) {
    it(`works ${name}`, async () => {
      const setup = await Setup.start();
      try {
        await exercise(setup.url);
      } finally {
        await setup.stop();
      }
    });
  }
});
