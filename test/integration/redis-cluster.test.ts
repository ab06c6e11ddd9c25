/**
 * Two SBC nodes sharing one real redis-server: a sipp call through each shows up in Redis under its
 * node while it is up, and in the shared history once it ends.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HISTORY_KEY, callKey, nodeCallsKey, nodeKey } from '../../src/state/redis-keys.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freePort, sleep, udpReceiveDrops } from '../helpers/net.js';
import { recordingLog } from '../helpers/log.js';
import { RedisServer } from '../helpers/redis.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { runCli } from '../helpers/cli.js';
import { VERSION } from '../../src/version.js';
import { uacHungUp } from '../helpers/scenarios.js';

describe('call state shared through Redis', () => {
  it('shows the calls of two nodes in one Redis, then their call-detail records', async () => {
    const redis = await RedisServer.start();
    const r = redis.client();
    const b = await callee({ calls: 2 });
    const dialPeers = [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }];
    const nodeA = await startTestApp({ dialPeers, redis: redis.url, hostname: 'sbc-a' });
    const nodeB = await startTestApp({ dialPeers, redis: redis.url, hostname: 'sbc-b' });
    try {
      // up through a heartbeat and half a dozen CLI processes (seconds each on a loaded machine)
      const calls = [
        caller(boundPort(nodeA, 'udp'), { holdMs: 15_000 }),
        caller(boundPort(nodeB, 'udp'), { holdMs: 15_000 }),
      ];
      const seen = await eventually(
        async () => (await r.scard(nodeCallsKey('sbc-a'))) === 1 && (await r.scard(nodeCallsKey('sbc-b'))) === 1,
        { everyMs: 50 },
      );
      assert.ok(seen, 'each node lists its live call in Redis');
      assert.equal(await r.exists(nodeKey('sbc-a'), nodeKey('sbc-b')), 2, 'both nodes heartbeat');
      // one `show cube calls` over the cluster lists both nodes' calls
      const shown = await runCli(['show', 'cube', 'calls', '--redis', redis.url, '--json']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.deepEqual((JSON.parse(shown.stdout) as Array<{ node: string }>).map((c) => c.node).sort(), [
        'sbc-a',
        'sbc-b',
      ]);
      const table = await runCli(['show', 'cube', 'calls', '--redis', redis.url]);
      assert.match(table.stdout, /SIP UAS CALL INFO/);
      assert.match(table.stdout, /sbc-a/);
      assert.match(table.stdout, /sbc-b/);
      // RTP statistics are published with each heartbeat (2 s), one key per node
      let withMedia: Array<{ mediaStats: unknown }> = [];
      await eventually(
        async () => {
          const brief = await runCli(['show', 'call', 'active', 'voice', 'brief', '--redis', redis.url, '--json']);
          withMedia = JSON.parse(brief.stdout) as Array<{ mediaStats: unknown }>;
          return withMedia.length === 2 && withMedia.every((c) => Array.isArray(c.mediaStats));
        },
        { ms: 30_000, everyMs: 100 },
      );
      assert.ok(
        withMedia.length === 2 && withMedia.every((c) => Array.isArray(c.mediaStats)),
        "both nodes published their calls' RTP statistics",
      );
      const rtp = await runCli(['show', 'voip', 'rtp', 'connections', '--redis', redis.url, '--json']);
      assert.deepEqual(
        (JSON.parse(rtp.stdout) as { pools: Array<{ node: string }> }).pools.map((p) => p.node),
        ['sbc-a', 'sbc-b'],
      );
      const status = await runCli(['show', 'cube', 'status', '--redis', redis.url, '--json']);
      assert.deepEqual(
        (JSON.parse(status.stdout) as { nodes: Array<{ node: string; alive: boolean; calls: number }> }).nodes.map(
          (n) => [n.node, n.alive, n.calls],
        ),
        [
          ['sbc-a', true, 1],
          ['sbc-b', true, 1],
        ],
      );
      // the dial-peers the nodes run, as they published them (passwords would be hidden)
      const peers = await runCli(['show', 'dial-peer', 'voice', 'summary', '--redis', redis.url, '--json']);
      assert.equal(peers.code, 0, peers.stderr);
      assert.deepEqual(
        (JSON.parse(peers.stdout) as Array<{ tag: number; sessionTarget: string }>).map((p) => [
          p.tag,
          p.sessionTarget,
        ]),
        [[1, `ipv4:127.0.0.1:${b.port}`]],
      );
      const version = await runCli(['show', 'version', '--redis', redis.url]);
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, new RegExp(`^FoSIP Software, Version ${VERSION.replace(/\./g, '\\.')} `, 'm'));
      for (const node of ['sbc-a', 'sbc-b'])
        assert.match(version.stdout, new RegExp(`^${node} uptime is \\d+ \\w+.*, FoSIP Version ${VERSION}$`, 'm'));
      for (const result of await Promise.all(calls)) assert.equal(result.code, 0, result.stderr);
      assert.equal((await b.run).code, 0);
      const ended = await eventually(
        async () =>
          (await r.scard(nodeCallsKey('sbc-a'))) + (await r.scard(nodeCallsKey('sbc-b'))) === 0 &&
          (await r.xlen(HISTORY_KEY)) === 2,
        { everyMs: 50 },
      );
      assert.ok(ended, 'ended calls leave the live view and enter the history');
      const history = await r.xrange(HISTORY_KEY, '-', '+');
      const nodes = history.map(([, fields]) => (JSON.parse(fields[1] ?? '{}') as { node: string }).node).sort();
      assert.deepEqual(nodes, ['sbc-a', 'sbc-b']);
      const hist = await runCli(['show', 'call', 'history', 'voice', 'brief', '--redis', redis.url]);
      assert.equal(hist.code, 0, hist.stderr);
      assert.match(hist.stdout, /normal call clearing/);
      // each line starts with the call's id, which show call flow takes
      const ids = history.map(([, fields]) => (JSON.parse(fields[1] ?? '{}') as { id: string }).id);
      assert.match(hist.stdout, /^CALLID +NODE +ENDED/m);
      for (const id of ids) assert.match(hist.stdout, new RegExp(`^${id} +sbc-[ab] `, 'm'));
    } finally {
      await nodeA.stop();
      await nodeB.stop();
      r.disconnect();
      await redis.kill();
    }
  });
});

describe('the edge of every node through Redis', () => {
  it('shows the trusted list and the registrations of two nodes with --redis', async () => {
    const redis = await RedisServer.start();
    const nodeA = await startTestApp({ redis: redis.url, hostname: 'edge-a', trustedList: ['10.1.0.0/16'] });
    const nodeB = await startTestApp({
      redis: redis.url,
      hostname: 'edge-b',
      trustedList: ['10.2.0.0/16'],
      sipUa: {
        credentials: [{ username: '+15551230001', password: 'p' }],
        registrar: [{ target: 'ipv4:127.0.0.1:9', expires: 60 }],
      },
    });
    try {
      let trusted = { code: null as number | null, stdout: '', stderr: '' };
      for (let i = 0; i < 40; i++) {
        trusted = await runCli(['show', 'ip', 'address', 'trusted', 'list', '--redis', redis.url]);
        if (trusted.stdout.includes('edge-a') && trusted.stdout.includes('edge-b')) break;
        await sleep(200);
      }
      assert.equal(trusted.code, 0, trusted.stderr);
      assert.match(trusted.stdout, /IP Address Trusted List \(edge-a\)[\s\S]*10\.1\.0\.0\/16 +\(configured\)/);
      assert.match(trusted.stdout, /IP Address Trusted List \(edge-b\)[\s\S]*10\.2\.0\.0\/16 +\(configured\)/);
      const registered = await runCli(['show', 'sip-ua', 'register', 'status', '--redis', redis.url]);
      assert.equal(registered.code, 0, registered.stderr);
      assert.match(registered.stdout, /^\+15551230001 +edge-b +1 ipv4:127\.0\.0\.1:9 +0 +no /m);
    } finally {
      await nodeA.stop();
      await nodeB.stop();
      await redis.kill();
    }
  });
});

describe('a Redis outage under load', () => {
  it(
    'loses no call at 100 calls/s while Redis is killed and restarted, and the view is whole again',
    { timeout: 120_000 },
    async () => {
      const redis = await RedisServer.start();
      const b = await callee({ calls: 800, trace: false });
      const said = recordingLog();
      const app = await startTestApp({
        dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
        redis: redis.url,
        hostname: 'sbc-x',
        log: said.log,
      });
      const r = redis.client();
      const dropsBefore = udpReceiveDrops();
      // what the SBC saw, for a failure on a loaded machine: datagrams the kernel dropped, ACKs taken, sends that failed
      const seen = (): string =>
        `UDP receive-buffer drops ${udpReceiveDrops() - dropsBefore}, SBC ACKs in ${app.transport.stats.sip.requestsIn['ACK'] ?? 0}, ` +
        `ACKs out ${app.transport.stats.sip.requestsOut['ACK'] ?? 0}, send errors ${app.transport.stats.sendErrors}; the SBC said:\n${said.lines.slice(0, 20).join('\n')}`;
      try {
        const run = caller(boundPort(app, 'udp'), {
          calls: 800,
          holdMs: 3000,
          trace: false,
          extra: ['-r', '100', '-l', '1000'],
        });
        await sleep(2000);
        await redis.kill();
        await sleep(2000);
        await redis.run(); // a fresh, empty Redis: the node must write its live calls again
        // within seconds the view in Redis matches the node's own live calls
        const whole = await eventually(
          async () => {
            const inRedis = new Set(await r.smembers(nodeCallsKey('sbc-x')).catch(() => [] as string[]));
            const live = app.callStore.list().map((c) => c.id);
            return live.length > 0 && live.every((id) => inRedis.has(id));
          },
          { everyMs: 100 },
        );
        assert.ok(whole, 'the live calls are back in Redis within seconds');
        const result = await run;
        assert.equal(result.code, 0, `calls failed during the outage (${seen()}):\n${result.stderr.slice(-2000)}`);
        const answered = await b.run;
        assert.equal(
          answered.code,
          0,
          `the callee saw calls fail (${seen()}):\n${answered.stdout.slice(-6000)}\n${answered.stderr.slice(-9000)}`,
        );
        await eventually(() => app.callStore.size === 0, { everyMs: 50 });
        assert.equal(app.callStore.size, 0);
        const emptied = await eventually(async () => (await r.scard(nodeCallsKey('sbc-x'))) === 0, { everyMs: 50 });
        assert.ok(emptied, 'the node index empties once the calls end');
      } finally {
        await app.stop();
        r.disconnect();
        await redis.kill();
      }
    },
  );
});

describe("show commands over one node's admin API (in-memory state)", () => {
  it('shows the active call and then its history', async () => {
    const b = await callee();
    const adminPort = await freePort('tcp');
    // the relay pool is CUBE's default range, as an operator sees it
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
      admin: `127.0.0.1:${adminPort}`,
      media: { portMin: 8000, portMax: 48198 },
    });
    try {
      // the call stays up well past the show commands, each a process of its own (seconds on a loaded machine)
      const call = caller(boundPort(app, 'udp'), { holdMs: 12_000 });
      await eventually(() => app.callStore.list()[0]?.state === 'connected');
      const show = (...words: string[]) => runCli(['show', ...words, '--admin', `http://127.0.0.1:${adminPort}`]);
      const [active, compact, summary, rtp, legs] = await Promise.all([
        show('call', 'active', 'voice', 'brief'),
        show('call', 'active', 'voice', 'compact'),
        show('call', 'active', 'voice', 'summary'),
        show('voip', 'rtp', 'connections'),
        show('sip-ua', 'calls'),
      ]);
      assert.equal(app.callStore.size, 1, 'the call was still up when they ran');
      assert.equal(active.code, 0, active.stderr);
      assert.match(active.stdout, /Total call-legs: 2/);
      assert.match(active.stdout, /Answer/);
      assert.match(active.stdout, /Originate 2001/);
      assert.match(
        active.stdout,
        /Answer[^\n]*\n[^\n]*\n  IP 127\.0\.0\.1:\d+ SRTP: off g711ulaw 20ms\n  calling sipp dialled 2001\n  tx:\d+ rx:\d+\/\d+ media 127\.0\.0\.1:\d+ lost:0 jitter:0ms rtt:(?:-|\d+)ms delay:(?:-|\d+)ms LostPacketRate:0\.00\n/,
        'the relayed leg shows its RTP counters',
      );
      assert.match(compact.stdout, /Total call-legs: 2/);
      assert.match(compact.stdout, / ANS /);
      assert.match(compact.stdout, / ORG /);
      assert.match(summary.stdout, /fosip-test +0 +0 +1 +0 +1/);
      // the call is relayed (media flow-through): one port pair faces each leg
      // a pair another process holds (the tests beside this one bind ports in the same range) is set aside as Reserved
      const usage = /fosip-test +127\.0\.0\.1 +8000 +48198 +(\d+) +(\d+) +2\n/.exec(rtp.stdout);
      assert.ok(usage !== null, rtp.stdout);
      assert.equal(
        Number(usage[1]) + Number(usage[2]),
        20097,
        'every pair but the two in use is available or reserved',
      );
      assert.match(
        rtp.stdout,
        /1 +fosip-test +[0-9a-f]+ +in +\d+ +\d+ +127\.0\.0\.1 +127\.0\.0\.1 +off\n2 +fosip-test +[0-9a-f]+ +out +\d+ +\d+ /,
      );
      assert.match(rtp.stdout, /Found 2 active RTP connections/);
      assert.match(legs.stdout, /User Agent Client:1, User Agent Server:1/);
      assert.match(legs.stdout, /STATE_ACTIVE \(7\)/);
      assert.match(
        legs.stdout,
        /Media Mode {14}: flow-through\n {3}Remote Media Addr:Port {2}: 127\.0\.0\.1:\d+\n {3}Negotiated Codec {8}: g711ulaw 20ms\n {3}Negotiated PT {11}: 0\n {3}Media Stream 0 {10}: Src 127\.0\.0\.1:\d+, Dest 127\.0\.0\.1:\d+/,
      );
      assert.equal((await call).code, 0);
      await b.run;
      await eventually(() => app.callStore.size === 0);
      const hist = await runCli([
        'show',
        'call',
        'history',
        'voice',
        'brief',
        '--admin',
        `http://127.0.0.1:${adminPort}`,
        '--json',
      ]);
      const cdrs = JSON.parse(hist.stdout) as Array<{ disconnectCause: number; releasedBy: string; node: string }>;
      assert.deepEqual(
        cdrs.map((c) => [c.disconnectCause, c.releasedBy, c.node]),
        [[16, 'caller', 'fosip-test']],
      );
    } finally {
      await app.stop();
    }
  });
});

describe('clear call voice causecode', () => {
  for (const via of ['redis', 'admin'] as const) {
    it(`ends a live call through ${via === 'redis' ? 'Redis (the owning node)' : 'the admin API'}: both legs get BYE`, async () => {
      const redis = via === 'redis' ? await RedisServer.start() : undefined;
      const adminPort = await freePort('tcp');
      const b = await callee();
      const app = await startTestApp({
        dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
        hostname: 'sbc-c',
        admin: `127.0.0.1:${adminPort}`,
        ...(redis ? { redis: redis.url } : {}),
      });
      try {
        const call = caller(boundPort(app, 'udp'), { scenario: uacHungUp() });
        await eventually(() => app.callStore.list()[0]?.state === 'connected');
        const id = app.callStore.list()[0]?.id ?? '';
        assert.ok(id, 'the call is up');
        if (redis) {
          // the CLI finds the call's owner through its record
          const r = redis.client();
          await eventually(
            async () => (JSON.parse((await r.get(callKey(id))) ?? '{}') as { state?: string }).state === 'connected',
          );
          r.disconnect();
        }
        const source = redis ? ['--redis', redis.url] : ['--admin', `http://127.0.0.1:${adminPort}`];
        const cleared = await runCli(['clear', 'call', 'voice', 'causecode', '16', 'id', id, ...source]);
        assert.equal(cleared.code, 0, cleared.stderr);
        const a = await call;
        assert.equal(a.code, 0, `the caller did not get its BYE:\n${a.stderr}`);
        assert.equal((await b.run).code, 0, 'the callee did not get its BYE');
        const cdr = app.callStore.history()[0];
        assert.deepEqual([cdr?.disconnectCause, cdr?.releasedBy], [16, 'sbc']);
        const unknown = await runCli(['clear', 'call', 'voice', 'causecode', '16', 'id', 'no-such-call', ...source]);
        assert.equal(unknown.code, 1);
        assert.match(unknown.stderr, /No active call/);
      } finally {
        await app.stop();
        await redis?.kill();
      }
    });
  }
});

describe('show / clear sip-ua statistics', () => {
  type Snap = {
    node: string;
    requestsIn: Record<string, number>;
    requestsOut: Record<string, number>;
    responsesOut: Record<string, number>;
  };

  for (const via of ['admin', 'redis'] as const) {
    it(`counts a call's messages and resets them (${via})`, async () => {
      const redis = via === 'redis' ? await RedisServer.start() : undefined;
      const adminPort = await freePort('tcp');
      const b = await callee();
      const app = await startTestApp({
        dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
        hostname: 'sbc-s',
        admin: `127.0.0.1:${adminPort}`,
        ...(redis ? { redis: redis.url } : {}),
      });
      const source = redis ? ['--redis', redis.url] : ['--admin', `http://127.0.0.1:${adminPort}`];
      const snap = async (): Promise<Snap | undefined> => {
        const r = await runCli(['show', 'sip-ua', 'statistics', ...source, '--json']);
        return (JSON.parse(r.stdout || '[]') as Snap[]).find((x) => x.node === 'sbc-s');
      };
      try {
        assert.equal((await caller(boundPort(app, 'udp'), { holdMs: 200 })).code, 0);
        await b.run;
        let s: Snap | undefined;
        for (let i = 0; i < 60; i++) {
          s = await snap();
          if ((s?.requestsIn['BYE'] ?? 0) >= 1) break;
          await sleep(100);
        }
        assert.equal(s?.requestsIn['INVITE'], 1);
        assert.equal(s?.requestsOut['INVITE'], 1);
        assert.equal(s?.requestsIn['BYE'], 1);
        assert.ok((s?.responsesOut['2xx'] ?? 0) >= 2, 'the 200s to INVITE and BYE');
        const table = await runCli(['show', 'sip-ua', 'statistics', ...source]);
        assert.match(table.stdout, /SIP Response Statistics \(Inbound\/Outbound\)/);
        assert.match(table.stdout, /Success +2xx/);
        const cleared = await runCli(['clear', 'sip-ua', 'statistics', ...source]);
        assert.equal(cleared.code, 0, cleared.stderr);
        for (let i = 0; i < 60; i++) {
          s = await snap();
          if (s !== undefined && s.requestsIn['INVITE'] === undefined) break;
          await sleep(100);
        }
        assert.equal(s?.requestsIn['INVITE'], undefined, 'the counters are reset');
      } finally {
        await app.stop();
        await redis?.kill();
      }
    });
  }
});
