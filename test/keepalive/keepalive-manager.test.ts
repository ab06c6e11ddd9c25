/** The keepalive state machine and its scheduler with a fake clock: up, retries, busyout, recovery, reload. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeepaliveManager, type KeepaliveEntry, type KeepaliveProfile } from '../../src/keepalive/keepalive-manager.js';
import { PeerHealth, type PingResult, isAlive } from '../../src/keepalive/peer-health.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { silentLog } from '../helpers/log.js';

const answer = (status: number): PingResult => ({
  kind: 'answer',
  status,
  reason: status === 200 ? 'OK' : 'X',
  rttMs: 3,
});
const timeout: PingResult = { kind: 'no-answer', why: 'timeout' };

describe('PeerHealth', () => {
  it('counts only 503, 505 and no answer as failures', () => {
    for (const s of [200, 400, 401, 404, 407, 480, 486, 500, 603]) assert.ok(isAlive(answer(s)), String(s));
    for (const r of [answer(503), answer(505), timeout, { kind: 'no-answer', why: 'transport error' } as const])
      assert.ok(!isAlive(r));
  });

  it('busies out after `retry` failures in a row, and one good answer brings it back', () => {
    const h = new PeerHealth({ upIntervalMs: 60_000, downIntervalMs: 30_000, retry: 3 });
    assert.equal(h.record(timeout), null);
    assert.equal(h.record(answer(200)), null, 'a good answer resets the count');
    assert.equal(h.record(answer(503)), null);
    assert.equal(h.record(timeout), null);
    assert.equal(h.record(answer(505)), 'busyout');
    assert.equal(h.record(timeout), null, 'already busy');
    assert.equal(
      h.nextDelay(() => 0.5),
      30_000,
      'busy: the down interval',
    );
    assert.equal(h.record(answer(404)), 'active');
    assert.equal(h.failures, 0);
    assert.equal(
      h.nextDelay(() => 0.5),
      60_000,
    );
    assert.equal(
      h.nextDelay(() => 0),
      54_000,
      'spread by -10 %',
    );
    assert.equal(
      h.nextDelay(() => 1),
      66_000,
      'and +10 %',
    );
  });
});

const profile = (over: Partial<KeepaliveProfile> = {}): KeepaliveProfile => ({
  tag: 1,
  description: '',
  upIntervalMs: 1000,
  downIntervalMs: 500,
  retry: 2,
  transport: 'system',
  sipProfiles: null,
  shutdown: false,
  ...over,
});

function harness(answers: Map<number, () => PingResult | 'hang'>) {
  const clock = new FakeClock();
  const pings: Array<{ tag: number; at: number }> = [];
  const changes: Array<{ tag: number; to: string; at: number }> = [];
  const m = new KeepaliveManager<string>({
    clock,
    log: silentLog,
    random: () => 0.5,
    ping: (e) => {
      pings.push({ tag: e.tag, at: clock.now() });
      const r = answers.get(e.tag)?.() ?? answer(200);
      return r === 'hang' ? new Promise<PingResult>(() => undefined) : Promise.resolve(r);
    },
    changed: (s) => changes.push({ tag: s.tag, to: s.state, at: clock.now() }),
  });
  /** Advance in small steps so that resolved pings are taken before the next timer. */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 10) {
      clock.advance(10);
      await Promise.resolve();
      await Promise.resolve();
    }
  };
  return { clock, m, pings, changes, run };
}

const entry = (tag: number, p = profile(), target = `ipv4:127.0.0.1:${5000 + tag}`): KeepaliveEntry<string> => ({
  tag,
  target,
  transport: 'udp',
  profile: p,
  subject: `dp${tag}`,
});

describe('KeepaliveManager', () => {
  it('pings on the up interval, busies out after the retries, pings on the down interval, and recovers', async () => {
    let reply: () => PingResult | 'hang' = () => answer(200);
    const h = harness(new Map([[1, () => reply()]]));
    h.m.configure([entry(1)]);
    await h.run(3000);
    assert.ok(h.pings.length >= 3 && h.pings.length <= 4, `${h.pings.length} pings in 3 s at a 1 s interval`);
    assert.ok(h.m.isUp(1));
    reply = () => 'hang'; // the far end stops answering: each ping times out after the interval
    const before = h.pings.length;
    await h.run(2500);
    assert.ok(!h.m.isUp(1), 'two timeouts: busyout');
    assert.equal(h.changes.length, 1);
    assert.equal(h.m.status()[0]?.lastResponse, 'timeout');
    assert.equal(h.m.status()[0]?.failures, 2);
    reply = () => answer(503);
    const busyAt = h.pings.length;
    await h.run(2000);
    const downPings = h.pings.slice(busyAt);
    assert.ok(downPings.length >= 3, `pinged every ~0.5 s while busy (${downPings.length})`);
    assert.ok(h.pings.length - before >= 4);
    reply = () => answer(404);
    await h.run(700);
    assert.ok(h.m.isUp(1), '404 proves the peer alive');
    assert.deepEqual(
      h.changes.map((c) => c.to),
      ['busyout', 'active'],
    );
    assert.equal(h.m.status()[0]?.lastResponse, '404 X');
    h.m.stop();
    assert.equal(h.clock.pending, 0, 'stop leaves no timer behind');
  });

  it('spreads the first pings and never has two pings of one dial-peer in flight', async () => {
    let n = 0;
    const h = harness(new Map([[1, () => (++n === 1 ? 'hang' : answer(200))]]));
    const spread = new KeepaliveManager<string>({
      clock: h.clock,
      log: silentLog,
      ping: () => Promise.resolve(answer(200)),
      random: (() => {
        let i = 0;
        return () => [0.1, 0.9][i++ % 2] ?? 0;
      })(),
    });
    const starts: number[] = [];
    spread.configure([entry(7), entry(8)].map((e) => ({ ...e, profile: profile({ upIntervalMs: 60_000 }) })));
    h.m.configure([entry(1)]);
    await h.run(1000);
    assert.equal(h.pings.length, 1, 'the first ping hangs: no second one until it times out');
    await h.run(1100);
    assert.equal(h.pings.length, 2);
    await h.run(2500);
    starts.push(...spread.status().map((s) => s.lastPingAt ?? -1));
    assert.deepEqual(starts, [500, 4500], 'first pings spread over the first 5 s');
    spread.stop();
    h.m.stop();
  });

  it('keeps the state of unchanged dial-peers across a reload, restarts changed ones, stops removed ones', async () => {
    const h = harness(
      new Map([
        [1, () => answer(503)],
        [2, () => answer(503)],
      ]),
    );
    h.m.configure([entry(1), entry(2), entry(3)]);
    await h.run(3000);
    assert.ok(!h.m.isUp(1) && !h.m.isUp(2));
    h.m.configure([entry(1), entry(2, profile(), 'ipv4:127.0.0.9:5060')]);
    assert.ok(!h.m.isUp(1), 'unchanged: still busy');
    assert.ok(h.m.isUp(2), 'a new target starts active');
    assert.deepEqual(
      h.m.status().map((s) => s.tag),
      [1, 2],
      'dial-peer 3 is no longer pinged',
    );
    h.m.configure([entry(1, profile({ shutdown: true }))]);
    assert.ok(h.m.isUp(1), 'a shut-down profile pings nothing and leaves its dial-peers active');
    assert.equal(h.clock.pending, 0);
  });
});
