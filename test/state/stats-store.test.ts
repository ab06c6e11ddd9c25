/** The two StatsStore implementations: a node's own counters in memory, every node's through Redis. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { KeepaliveStatus } from '../../src/keepalive/keepalive-manager.js';
import type { SipStatsSnapshot } from '../../src/state/node-reports.js';
import { MemoryStatsStore, RedisStatsStore } from '../../src/state/stats-store.js';
import { sleep } from '../helpers/net.js';
import { RedisServer } from '../helpers/redis.js';

const snapshot = (node: string, invites: number): SipStatsSnapshot => ({
  node,
  at: 0,
  requestsIn: { INVITE: invites },
  requestsOut: {},
  responsesIn: {},
  responsesOut: {},
  retransmissionsIn: 0,
  retransmissionsOut: 0,
  timeouts: 0,
});

const keepalive = (tag: number, state: 'active' | 'busyout'): KeepaliveStatus => ({
  tag,
  profile: 1,
  target: 'ipv4:127.0.0.1:5080',
  transport: 'udp',
  state,
  lastResponse: '200 OK',
  rttMs: 1,
  failures: 0,
  since: 0,
  lastPingAt: 0,
});

describe('stats stores', () => {
  it('in memory: the tracked counters, read when asked', async () => {
    const store = new MemoryStatsStore();
    assert.deepEqual(await store.nodes(), []);
    let n = 1;
    store.track(() => snapshot('a', n));
    n = 5;
    store.refresh();
    assert.deepEqual(
      (await store.nodes()).map((s) => s.requestsIn['INVITE']),
      [5],
    );
    const named = new MemoryStatsStore('sbc-1');
    named.trackKeepalive(() => [keepalive(7, 'busyout')]);
    assert.deepEqual(
      (await named.keepalive()).map((k) => [k.node, k.tag, k.state]),
      [['sbc-1', 7, 'busyout']],
    );
    await store.close();
  });

  it('through Redis: every node publishes, a reset is visible at once, a stopped node expires', async () => {
    const redis = await RedisServer.start();
    const ca = new Redis(redis.url);
    const cb = new Redis(redis.url);
    const errors: unknown[] = [];
    const a = new RedisStatsStore(ca, 'a', 60_000, (e) => errors.push(e));
    const b = new RedisStatsStore(cb, 'b', 100, (e) => errors.push(e));
    try {
      await Promise.all([new Promise((r) => ca.once('ready', r)), new Promise((r) => cb.once('ready', r))]);
      let aCount = 3;
      a.track(() => snapshot('a', aCount));
      b.track(() => snapshot('b', 7));
      await sleep(50);
      assert.deepEqual(
        (await a.nodes()).map((s) => [s.node, s.requestsIn['INVITE']]),
        [
          ['a', 3],
          ['b', 7],
        ],
      );
      aCount = 0;
      a.refresh(); // long interval: only the refresh can have written it
      await sleep(50);
      assert.equal((await b.nodes()).find((s) => s.node === 'a')?.requestsIn['INVITE'], 0);
      await b.close();
      await sleep(400); // b's snapshot lives three of its intervals
      assert.deepEqual(
        (await a.nodes()).map((s) => s.node),
        ['a'],
      );
      // keepalive states: published with the heartbeat and on refresh, read back for every node
      let state: 'active' | 'busyout' = 'active';
      a.trackKeepalive(() => [keepalive(200, state)]);
      await sleep(50);
      assert.deepEqual(
        (await a.keepalive()).map((k) => [k.node, k.tag, k.state]),
        [['a', 200, 'active']],
      );
      state = 'busyout';
      a.refresh();
      await sleep(50);
      assert.deepEqual(
        (await a.keepalive()).map((k) => [k.node, k.tag, k.state]),
        [['a', 200, 'busyout']],
      );
      assert.deepEqual(errors, []);
    } finally {
      await a.close();
      await b.close();
      ca.disconnect();
      cb.disconnect();
      await redis.kill();
    }
  });
});
