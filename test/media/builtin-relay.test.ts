/**
 * The media engine with real UDP sockets on loopback: relaying both ways through its own ports, latching,
 * dropping strangers, busy ports, exhaustion, inactivity, and every port back in the pool afterwards.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { BuiltinRelay, type StreamRequest } from '../../src/media/builtin-relay.js';
import { PortPool } from '../../src/media/port-pool.js';
import { relayRange, sleep } from '../helpers/net.js';
import { RtpEndpoint, sdes } from '../helpers/rtp.js';
import { identityToken } from '../../src/media/media-identity.js';

function portRange(pairs: number): Promise<[number, number]> {
  // below the ephemeral ports, where no socket of a test beside this one is handed out (see relayRange)
  const { portMin, portMax } = relayRange(pairs);
  return Promise.resolve([portMin, portMax]);
}

const stream = (a: RtpEndpoint | null, b: RtpEndpoint | null): StreamRequest => ({
  stream: 0,
  clockRate: 8000,
  a: { remote: a && { address: '127.0.0.1', port: a.port }, remoteRtcp: null },
  b: { remote: b && { address: '127.0.0.1', port: b.port }, remoteRtcp: null },
});

/** A relay that reports a watched session silent for 300 ms; the ids it reported. */
function watchedRelay(min: number, max: number, forwarder: Forwarder): { engine: BuiltinRelay; inactive: string[] } {
  const inactive: string[] = [];
  const engine = new BuiltinRelay({
    forwarder,
    pool: new PortPool(min, max),
    address: '127.0.0.1',
    inactivityMs: 300,
    onInactive: (id) => inactive.push(id),
  });
  return { engine, inactive };
}

/** Both ways the relay reads RTP: the native fast path (built by npm install) and node:dgram (its fallback). */
type Forwarder = 'native' | 'dgram';
for (const forwarder of ['native', 'dgram'] as const)
  describe(`BuiltinRelay, RTP read by ${forwarder}`, () => {
    it('relays RTP both ways through its own ports, with stats, and gives the ports back', async () => {
      const [min, max] = await portRange(50);
      const pool = new PortPool(min, max);
      const engine = new BuiltinRelay({ forwarder, pool, address: '127.0.0.1', workers: 2 });
      const a = await RtpEndpoint.open();
      const b = await RtpEndpoint.open();
      try {
        const opened = await engine.open('call-1', [stream(a, b)]);
        assert.ok(opened);
        const { aPort, bPort } = opened[0]!;
        assert.equal(pool.inUse, 2);
        a.send(aPort, [1, 2, 3, 5]); // 4 lost
        await b.waitFor(4);
        b.send(bPort, [100, 101]);
        await a.waitFor(2);
        assert.deepEqual(
          b.received.map((r) => r.seq),
          [1, 2, 3, 5],
        );
        assert.ok(
          b.received.every((r) => r.from === `127.0.0.1:${bPort}`),
          'B sees only the SBC port facing it',
        );
        assert.ok(
          a.received.every((r) => r.from === `127.0.0.1:${aPort}`),
          'A sees only the SBC port facing it',
        );
        const stats = (await engine.stats('call-1'))['call-1']?.[0];
        assert.equal(stats?.a.packets, 4);
        assert.equal(stats?.a.lost, 1);
        assert.equal(stats?.a.forwarded, 4);
        assert.equal(stats?.b.packets, 2);
        assert.equal(stats?.a.latched, true);
        await engine.close('call-1');
        assert.equal(pool.inUse, 0);
        assert.equal(engine.activeSessions, 0);
      } finally {
        a.close();
        b.close();
        await engine.stop();
      }
    });

    it('relays RTCP multiplexed on the RTP port (rtcp-mux) unchanged and does not count it as RTP', async () => {
      const [min, max] = await portRange(4);
      const engine = new BuiltinRelay({ forwarder, pool: new PortPool(min, max), address: '127.0.0.1' });
      const a = await RtpEndpoint.open();
      const b = await RtpEndpoint.open();
      try {
        const opened = await engine.open('call-mux', [stream(a, b)]);
        assert.ok(opened);
        const { aPort } = opened[0]!;
        // a renumbering toward B of what would be RTCP's packet type read as an RTP payload type (200 & 0x7f)
        engine.mapPayloadType('call-mux', 0, 'b', 72, 8);
        a.send(aPort, [1, 2]);
        assert.ok(await eventually(() => b.received.length === 2));
        const report = Buffer.from('80c80006' + '00001234' + '00'.repeat(20), 'hex'); // a sender report, length 6
        a.socket.send(report, aPort, '127.0.0.1');
        assert.ok(await eventually(() => b.received.length === 3), 'the report reached B on its RTP port');
        assert.deepEqual(
          b.received[2],
          {
            seq: 6,
            from: `127.0.0.1:${opened[0]!.bPort}`,
            payloadType: 72,
            marker: true,
          },
          'packet type 200 and the length field unchanged',
        );
        const stats = (await engine.stats('call-mux'))['call-mux']?.[0];
        assert.equal(stats?.a.packets, 2, 'only the RTP packets counted');
        assert.equal(stats?.a.lost, 0);
      } finally {
        a.close();
        b.close();
        await engine.stop();
      }
    });

    it('hides the CNAME of RTCP SDES it relays, on the RTCP port and muxed on the RTP port', async () => {
      const [min, max] = await portRange(4);
      const engine = new BuiltinRelay({ forwarder, pool: new PortPool(min, max), address: '127.0.0.1' });
      const a = dgram.createSocket('udp4');
      const b = dgram.createSocket('udp4');
      const got: Buffer[] = [];
      b.on('message', (m) => got.push(m));
      await Promise.all([a, b].map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
      try {
        const bPort = b.address().port;
        const opened = await engine.open('call-sdes', [
          {
            stream: 0,
            clockRate: 8000,
            a: { remote: { address: '127.0.0.1', port: a.address().port }, remoteRtcp: null },
            b: { remote: { address: '127.0.0.1', port: bPort }, remoteRtcp: { address: '127.0.0.1', port: bPort } },
          },
        ]);
        const { aPort } = opened?.[0] ?? assert.fail('no ports');
        const report = sdes(0x1234, [[1, 'sip:alice@10.1.1.1:5060']]);
        a.send(report, aPort + 1, '127.0.0.1');
        a.send(report, aPort, '127.0.0.1'); // rtcp-mux
        assert.ok(await eventually(() => got.length === 2), 'both reports reached B');
        const hidden = sdes(0x1234, [[1, identityToken('call-sdes', 'sip:alice@10.1.1.1:5060')]]);
        assert.deepEqual(got, [hidden, hidden]);
      } finally {
        a.close();
        b.close();
        await engine.stop();
      }
    });

    it('opens a session again on the ports it had (a restart), warm ones included, and relays on them', async () => {
      const [min, max] = await portRange(40);
      const pool = new PortPool(min, max);
      const engine = new BuiltinRelay({ forwarder, pool, address: '127.0.0.1', warmStreams: 4 });
      const a = await RtpEndpoint.open();
      const b = await RtpEndpoint.open();
      try {
        await engine.allWarm();
        const warm = pool.status().warm;
        assert.ok(warm > 0, 'some pairs are warm');
        // one free pair and one pair bound ahead by the worker
        let free = min;
        while (!pool.take(free)) free += 2;
        pool.release(free);
        const at = [{ stream: 0, aPort: free, bPort: 0 }];
        for (let p = min; p <= max; p += 2) {
          if (p !== free && pool.take(p)) pool.release(p);
          else if (p !== free) at[0]!.bPort = p; // in use or warm: warm, here
        }
        assert.ok(at[0]!.bPort !== 0, 'a warm pair to ask for');
        const opened = await engine.openAt('call-back', [stream(a, b)], at);
        assert.deepEqual(opened, at);
        assert.equal(await engine.openAt('call-again', [stream(a, b)], at), null, 'ports in use are refused');
        a.send(free, [7, 8]);
        await b.waitFor(2);
        assert.ok(
          b.received.every((r) => r.from === `127.0.0.1:${at[0]!.bPort}`),
          'relayed through the given ports',
        );
        await engine.close('call-back');
        assert.equal(pool.inUse, 0);
      } finally {
        a.close();
        b.close();
        await engine.stop();
      }
    });

    it('latches the source a NATed caller really sends from, and drops strangers and non-RTP', async () => {
      const [min, max] = await portRange(10);
      const engine = new BuiltinRelay({ forwarder, pool: new PortPool(min, max), address: '127.0.0.1' });
      const natted = await RtpEndpoint.open(); // its SDP names another port
      const b = await RtpEndpoint.open();
      const stranger = await RtpEndpoint.open();
      try {
        const opened = await engine.open('nat', [
          { ...stream(null, b), a: { remote: { address: '127.0.0.1', port: 9 }, remoteRtcp: null } },
        ]);
        const { aPort, bPort } = opened![0]!;
        natted.send(aPort, [1]);
        await b.waitFor(1);
        b.send(bPort, [50]);
        await natted.waitFor(1);
        assert.deepEqual(
          natted.received.map((r) => r.seq),
          [50],
          "B's packet went to the latched source, not the SDP port",
        );
        stranger.send(aPort, [7, 8]);
        stranger.socket.send(Buffer.from('hello, not RTP'), aPort, '127.0.0.1');
        await sleep(100);
        assert.deepEqual(
          b.received.map((r) => r.seq),
          [1],
        );
        const s = (await engine.stats())['nat']?.[0];
        assert.equal(s?.a.dropped, 3);
        assert.deepEqual(s?.a.remote, { address: '127.0.0.1', port: natted.port });
      } finally {
        for (const e of [natted, b, stranger]) e.close();
        await engine.stop();
      }
    });

    it('with sdp-address latching, takes only the SDP IP', async () => {
      const [min, max] = await portRange(10);
      const engine = new BuiltinRelay({
        forwarder,
        pool: new PortPool(min, max),
        address: '127.0.0.1',
        latch: 'sdp-address',
      });
      const other = await RtpEndpoint.open('127.0.0.2');
      const good = await RtpEndpoint.open();
      const b = await RtpEndpoint.open();
      try {
        const opened = await engine.open('x', [stream(good, b)]);
        other.send(opened![0]!.aPort, [1, 2]);
        good.send(opened![0]!.aPort, [3]);
        await b.waitFor(1);
        await sleep(50);
        assert.deepEqual(
          b.received.map((r) => r.seq),
          [3],
        );
      } finally {
        for (const e of [other, good, b]) e.close();
        await engine.stop();
      }
    });

    it('sets busy ports aside and retries, and says when the pool is exhausted', async () => {
      const [min, max] = await portRange(3);
      const pool = new PortPool(min, max, () => 0); // a fixed order, so the test knows the first pair
      const squatter = dgram.createSocket('udp4');
      const first = new PortPool(min, max, () => 0).acquire() as number;
      await new Promise<void>((r) => squatter.bind(first, '127.0.0.1', () => r()));
      const engine = new BuiltinRelay({ forwarder, pool, address: '127.0.0.1' });
      try {
        const opened = await engine.open('one', [stream(null, null)]);
        assert.ok(opened);
        assert.ok(!opened[0] || (opened[0].aPort !== first && opened[0].bPort !== first));
        assert.equal(pool.status().reserved, 1);
        assert.equal(await engine.open('two', [stream(null, null)]), null, 'one pair left: not enough for two sides');
        assert.equal(pool.inUse, 2, 'a failed open keeps nothing');
      } finally {
        squatter.close();
        await engine.stop();
      }
    });

    it('reports a session without RTP as inactive', async () => {
      const [min, max] = await portRange(4);
      const { engine, inactive } = watchedRelay(min, max, forwarder);
      try {
        await engine.open('quiet', [stream(null, null)]);
        await sleep(500);
        assert.deepEqual(inactive, [], 'not watched before the answer');
        engine.watch('quiet');
        await eventually(() => inactive.length > 0, { everyMs: 50 });
        assert.deepEqual(inactive, ['quiet']);
      } finally {
        await engine.stop();
      }
    });

    it('counts RTCP as life, and leaves a held session alone unless a hold limit is set', async () => {
      const [min, max] = await portRange(4);
      const { engine, inactive } = watchedRelay(min, max, forwarder);
      const reporter = dgram.createSocket('udp4');
      try {
        const [opened] = (await engine.open('rtcp-only', [stream(null, null)])) ?? [];
        assert.ok(opened !== undefined);
        engine.watch('rtcp-only');
        // an empty receiver report (RFC 3550 §6.4.2) every 100 ms to the RTCP port facing the A leg
        const rr = Buffer.from([0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x12, 0x34]);
        const timer = setInterval(() => reporter.send(rr, opened.aPort + 1, '127.0.0.1'), 100);
        await sleep(900);
        clearInterval(timer);
        assert.equal(inactive.length, 0, 'three times the limit with RTCP only: alive');
        await eventually(() => inactive.includes('rtcp-only'), { everyMs: 50 });

        await engine.open('held', [stream(null, null)]);
        engine.watch('held');
        engine.hold('held', true);
        await sleep(900);
        assert.ok(!inactive.includes('held'), 'a held call is not ended for silence');
        engine.hold('held', false);
        await eventually(() => inactive.includes('held'), { everyMs: 50 });
      } finally {
        reporter.close();
        await engine.stop();
      }
    });

    it('gives back every port after many sessions', async () => {
      const [min, max] = await portRange(200);
      const pool = new PortPool(min, max);
      const engine = new BuiltinRelay({ forwarder, pool, address: '127.0.0.1', workers: 2 });
      try {
        for (let round = 0; round < 5; round++) {
          const ids = Array.from({ length: 60 }, (_, i) => `r${round}-${i}`);
          await Promise.all(ids.map((id) => engine.open(id, [stream(null, null)])));
          assert.equal(pool.inUse, 120);
          await Promise.all(ids.map((id) => engine.close(id)));
        }
        // every pair is free again, or set aside because another process held it during the test
        assert.deepEqual(pool.status().inUse, 0);
        assert.equal(pool.status().available + pool.status().reserved, pool.total);
      } finally {
        await engine.stop();
      }
    });

    it('adds the streams of a re-offer to an open session, relays them, and gives every port back', async () => {
      const [min, max] = await portRange(20);
      const pool = new PortPool(min, max);
      const engine = new BuiltinRelay({ forwarder, pool, address: '127.0.0.1' });
      const [a, b, va, vb] = await Promise.all([
        RtpEndpoint.open(),
        RtpEndpoint.open(),
        RtpEndpoint.open(),
        RtpEndpoint.open(),
      ]);
      try {
        assert.ok(await engine.open('call-v', [stream(a, b)]));
        const video = await engine.add('call-v', [{ ...stream(va, vb), stream: 1 }]);
        assert.ok(video);
        assert.equal(video[0]!.stream, 1);
        assert.equal(pool.inUse, 4);
        va.send(video[0]!.aPort, [7, 8]);
        await vb.waitFor(2);
        assert.deepEqual(
          vb.received.map((r) => r.seq),
          [7, 8],
        );
        assert.equal((await engine.stats('call-v'))['call-v']?.length, 2);
        // a close while streams are being added waits for them, so none of their ports is lost
        const adding = engine.add('call-v', [{ ...stream(null, null), stream: 2 }]);
        await engine.close('call-v');
        await adding;
        assert.equal(pool.inUse, 0);
        assert.equal(
          await engine.add('call-v', [{ ...stream(null, null), stream: 3 }]),
          null,
          'a closed session takes no streams',
        );
      } finally {
        for (const e of [a, b, va, vb]) e.close();
        await engine.stop();
      }
    });

    it('renumbers a payload type toward one leg and keeps the marker bit', async () => {
      const [min, max] = await portRange(4);
      const engine = new BuiltinRelay({ forwarder, pool: new PortPool(min, max), address: '127.0.0.1' });
      const [a, b] = await Promise.all([RtpEndpoint.open(), RtpEndpoint.open()]);
      try {
        const [s] = (await engine.open('call-pt', [stream(a, b)]))!;
        engine.mapPayloadType('call-pt', 0, 'b', 101, 96);
        await sleep(50);
        a.send(s!.aPort, [1], '127.0.0.1', 101);
        a.send(s!.aPort, [2], '127.0.0.1', 0x80 | 101);
        a.send(s!.aPort, [3], '127.0.0.1', 0);
        await b.waitFor(3);
        assert.deepEqual(
          b.received.map((r) => [r.payloadType, r.marker]),
          [
            [96, false],
            [96, true],
            [0, false],
          ],
        );
        b.send(s!.bPort, [9], '127.0.0.1', 101);
        await a.waitFor(1);
        assert.equal(a.received[0]?.payloadType, 101, 'only packets toward B are renumbered');
      } finally {
        a.close();
        b.close();
        await engine.stop();
      }
    });

    it('keeps ports bound ahead of need, opens sessions on them at once, and gives them back when the pool runs dry', async () => {
      const [min, max] = await portRange(4);
      const pool = new PortPool(min, max);
      const engine = new BuiltinRelay({ forwarder, pool, address: '127.0.0.1', warmStreams: 1 });
      const [a, b] = await Promise.all([RtpEndpoint.open(), RtpEndpoint.open()]);
      try {
        await eventually(() => pool.warm >= 2, { everyMs: 10 });
        assert.equal(pool.warm, 2, 'one stream: a pair facing each leg');
        const [s] = (await engine.open('warm-1', [stream(a, b)]))!;
        assert.equal(pool.inUse, 2);
        a.send(s!.aPort, [1, 2]);
        await b.waitFor(2);
        assert.equal(b.received.length, 2, 'the session on warm ports relays');
        await eventually(() => pool.warm >= 2, { everyMs: 10 });
        assert.equal(pool.warm, 2, 'warmed up again');
        await engine.close('warm-1');
        // two streams need all four pairs: the warm ones are closed and given to the session
        const two = await engine.open('warm-2', [stream(a, b), { ...stream(a, b), stream: 1 }]);
        assert.ok(two, 'the warm pairs went back to the pool for it');
        assert.equal(pool.inUse, 4);
        await engine.close('warm-2');
        assert.equal(pool.inUse, 0);
      } finally {
        a.close();
        b.close();
        await engine.stop();
      }
      assert.equal(pool.status().available + pool.status().reserved, pool.total);
      assert.equal(pool.warm, 0, 'stop gives the warm pairs back');
    });

    it('paces injected DTMF, queues a second digit after the first, and keeps the sequence numbers continuous', async () => {
      const [min, max] = await portRange(4);
      const engine = new BuiltinRelay({
        forwarder,
        pool: new PortPool(min, max),
        address: '127.0.0.1',
        warmStreams: 0,
      });
      const [a, b] = await Promise.all([RtpEndpoint.open(), RtpEndpoint.open()]);
      try {
        const [s] = (await engine.open('call-dtmf', [stream(a, b)]))!;
        a.send(s!.aPort, [10, 11]);
        await b.waitFor(2);
        engine.injectDtmf('call-dtmf', 0, 'b', 1, 100, 101); // 100 ms: start, one update, end x3
        engine.injectDtmf('call-dtmf', 0, 'b', 2, 100, 101);
        await b.waitFor(12, 3000);
        a.send(s!.aPort, [12]);
        await b.waitFor(13);
        const got = b.received;
        assert.deepEqual(
          got.map((r) => r.payloadType),
          [0, 0, ...Array<number>(10).fill(101), 0],
        );
        assert.deepEqual(
          got.map((r) => r.seq),
          Array.from({ length: 13 }, (_, i) => 10 + i),
          'one unbroken sequence',
        );
        assert.deepEqual(
          got.map((r) => r.marker),
          [false, false, true, false, false, false, false, true, false, false, false, false, false],
        );
      } finally {
        a.close();
        b.close();
        await engine.stop();
      }
    });

    it('survives a far end whose SDP says port 0: nothing is sent there and the worker (and its other calls) go on', async () => {
      const [min, max] = await portRange(8);
      const errors: unknown[] = [];
      const engine = new BuiltinRelay({
        forwarder,
        pool: new PortPool(min, max),
        address: '127.0.0.1',
        warmStreams: 0,
        onError: (e) => errors.push(e),
      });
      const [a, b, c, d] = await Promise.all([
        RtpEndpoint.open(),
        RtpEndpoint.open(),
        RtpEndpoint.open(),
        RtpEndpoint.open(),
      ]);
      try {
        const [held] = (await engine.open('held', [
          { ...stream(a, null), b: { remote: { address: '127.0.0.1', port: 0 }, remoteRtcp: null } },
        ]))!;
        const [other] = (await engine.open('other', [stream(c, d)]))!;
        a.send(held!.aPort, [1, 2, 3]); // toward a leg at port 0: dropped, not a crash
        await new Promise((r) => setTimeout(r, 100));
        c.send(other!.aPort, [7, 8]);
        await d.waitFor(2);
        assert.deepEqual(
          d.received.map((r) => r.seq),
          [7, 8],
          'the other call on the same worker still flows',
        );
        assert.deepEqual(errors, []);
        assert.equal(b.received.length, 0);
      } finally {
        for (const e of [a, b, c, d]) e.close();
        await engine.stop();
      }
    });

    it('does not take the late answer of a warm open for the answer of a stream added right after it (the call was once ended)', async () => {
      const [min, max] = await portRange(6);
      const pool = new PortPool(min, max);
      const inactive: string[] = [];
      const engine = new BuiltinRelay({
        forwarder,
        pool,
        address: '127.0.0.1',
        warmStreams: 1,
        onInactive: (id) => inactive.push(id),
      });
      const squatters: dgram.Socket[] = [];
      try {
        await engine.allWarm();
        // every pair still in the pool is held by another process: re-warming and the added stream both fail to bind
        for (let p = min; p < max; p += 2) {
          const s = dgram.createSocket('udp4');
          const bound = await new Promise<boolean>((resolve) => {
            s.once('error', () => resolve(false));
            s.bind(p, '127.0.0.1', () => resolve(true));
          });
          if (bound) squatters.push(s);
          else s.close();
        }
        assert.equal(squatters.length, 4, 'two pairs warm, four held');
        const opened = await engine.open('call-race', [stream(null, null)]);
        assert.ok(opened, 'opened on the warm ports, without waiting for the worker');
        const added = await engine.add('call-race', [{ ...stream(null, null), stream: 1 }]);
        assert.equal(added, null, 'the added stream is declined: its ports are busy');
        await sleep(300);
        assert.deepEqual(inactive, [], 'and the call goes on');
      } finally {
        for (const s of squatters) s.close();
        await engine.stop();
      }
    });
  });
