/** The Redis call store against a real redis-server: mirroring, history, heartbeat, and an outage. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCallStore } from '../../src/state/redis-call-store.js';
import { HISTORY_KEY, callKey, nodeCallsKey, nodeKey } from '../../src/state/redis-keys.js';
import { silentLog } from '../helpers/log.js';
import type { CallRecord } from '../../src/state/call-store.js';
import { callRecord, eventually } from '../helpers/call-records.js';
import { sleep } from '../helpers/net.js';
import { RedisServer } from '../helpers/redis.js';

const record = callRecord;

describe('RedisCallStore', () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await server.kill();
  });

  it('mirrors calls, history and its heartbeat into Redis without signalling waiting for it', async () => {
    const store = new RedisCallStore({ url: server.url, node: 'sbc-a', log: silentLog, heartbeatMs: 200 });
    const r = server.client();
    try {
      store.put(record('c1'));
      store.put(record('c2'));
      assert.equal(store.size, 2, 'the node sees its calls at once');
      assert.ok(await eventually(async () => (await r.smembers(nodeCallsKey('sbc-a'))).length === 2));
      const stored = JSON.parse((await r.get(callKey('c1'))) ?? '{}') as CallRecord & { node: string };
      assert.equal(stored.node, 'sbc-a');
      assert.equal(stored.bLeg?.callId, 'b-c1');
      assert.ok((await r.ttl(callKey('c1'))) > 0, 'call records expire');
      store.delete('c1');
      store.addHistory({
        ...record('c1'),
        endedAt: 9,
        disconnectCause: 16,
        disconnectText: 'normal call clearing',
        releasedBy: 'caller',
        durationMs: 6,
      });
      assert.ok(await eventually(async () => (await r.exists(callKey('c1'))) === 0));
      assert.deepEqual(await r.smembers(nodeCallsKey('sbc-a')), ['c2']);
      const hist = await r.xrevrange(HISTORY_KEY, '+', '-', 'COUNT', 1);
      assert.match(hist[0]?.[1][1] ?? '', /"disconnectCause":16/);
      assert.ok(await eventually(async () => (await r.pttl(nodeKey('sbc-a'))) > 0), 'the node heartbeat is there');
      assert.equal(store.history()[0]?.disconnectCause, 16);
    } finally {
      await store.close();
      r.disconnect();
    }
  });

  it('goes on while Redis is away, and writes its live state again when it returns', async () => {
    const store = new RedisCallStore({ url: server.url, node: 'sbc-b', log: silentLog, heartbeatMs: 200 });
    try {
      store.put(record('x1'));
      await sleep(200);
      await server.kill();
      // signalling goes on: no throw, the node keeps its own view
      store.put(record('x2'));
      store.put(record('x3'));
      store.delete('x1');
      await sleep(300);
      assert.deepEqual(
        store
          .list()
          .map((c) => c.id)
          .sort(),
        ['x2', 'x3'],
      );
      assert.ok(store.errors > 0, 'the outage is counted');
      await server.run(); // a fresh, empty Redis on the same port
      const r = server.client();
      try {
        assert.ok(
          await eventually(async () => (await r.smembers(nodeCallsKey('sbc-b'))).sort().join() === 'x2,x3'),
          'live calls re-synced',
        );
        assert.equal(await r.exists(callKey('x1')), 0);
        assert.ok(await eventually(async () => (await r.exists(nodeKey('sbc-b'))) === 1));
      } finally {
        r.disconnect();
      }
    } finally {
      await store.close();
    }
  });
});
