/**
 * Edge security with SIPp on loopback addresses: untrusted sources get nothing (or 403) while trusted ones
 * call; a flood from 127.0.0.2 is banned while SIPp calls from 127.0.0.1 all succeed; scanners get nothing.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer, freePort, sleep } from '../helpers/net.js';
import { uacAnsweredOr, uacExpect } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

describe('trusted sources', () => {
  it('drops requests from an untrusted 127.0.0.x source without a word while a trusted one calls, and answers 403 when told to', async () => {
    const b = await callee({ calls: 2 });
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      trustedList: ['127.0.0.1/32'],
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const untrusted = await UdpPeer.open(0, '127.0.0.2');
      untrusted.send(
        requestText({ method: 'OPTIONS', via: 'SIP/2.0/UDP 127.0.0.2:1;rport', branch: 'z9hG4bKun1' }),
        boundPort(app, 'udp'),
      );
      const answers = await untrusted.waitFor(1, 700).catch(() => []);
      untrusted.close();
      assert.equal(answers.length, 0, 'no answer to an untrusted source');
      assert.equal((await caller(boundPort(app, 'udp'), { holdMs: 100 })).code, 0, 'the trusted caller gets through');
      const shown = await runCli([
        'show',
        'ip',
        'address',
        'trusted',
        'list',
        '--admin',
        `http://127.0.0.1:${adminPort}`,
      ]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /127\.0\.0\.1\/32 +\(configured\)/);
      assert.match(shown.stdout, /127\.0\.0\.1 +\(dial-peer session target\)/);
      assert.match(shown.stdout, /Dropped: untrusted 1, answered 403 0, scanners 0, flood 0/);
    } finally {
      await app.stop();
      b.kill();
    }
    const loud = await startTestApp({ trustedList: ['127.0.0.1/32'], silentDiscardUntrusted: false });
    try {
      const peer = await UdpPeer.open(0, '127.0.0.3');
      peer.send(
        requestText({ method: 'INVITE', via: 'SIP/2.0/UDP 127.0.0.3:1;rport', branch: 'z9hG4bKun2' }),
        boundPort(loud, 'udp'),
      );
      const [res] = await peer.waitFor(1, 2000);
      peer.close();
      assert.match(res?.toString('latin1') ?? '', /^SIP\/2\.0 403 /);
    } finally {
      await loud.stop();
    }
  });

  it('bans a source that floods 2,000 requests/s while SIPp calls from 127.0.0.1 run with no failure', async () => {
    const b = await callee({ calls: 20 });
    const app = await startTestApp({
      trustedList: ['127.0.0.0/24'],
      pike: { windowSeconds: 2, maxRequests: 50, banSeconds: 30 },
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const calls = caller(boundPort(app, 'udp'), { calls: 20, holdMs: 200, extra: ['-r', '10'] });
      const flood = await UdpPeer.open(0, '127.0.0.2');
      let sent = 0;
      for (let ms = 0; ms < 2000; ms += 10) {
        for (let i = 0; i < 20; i++)
          flood.send(
            requestText({
              method: 'OPTIONS',
              via: 'SIP/2.0/UDP 127.0.0.2:1;rport',
              branch: `z9hG4bKfl${sent++}`,
              callId: `flood-${sent}`,
            }),
            boundPort(app, 'udp'),
          );
        await sleep(10);
      }
      const answered = flood.received.length;
      flood.close();
      const r = await calls;
      assert.equal(r.code, 0, `SIPp calls from 127.0.0.1 failed:\n${r.stderr.slice(-1500)}`);
      assert.ok(answered <= 60, `the flooder got ${answered} answers to ${sent} requests before its ban`);
      const report = app.security.guard.report();
      assert.deepEqual(
        report.banned.map((x) => x.address),
        ['127.0.0.2'],
      );
      assert.ok(report.dropped.flood >= sent - 60);
    } finally {
      await app.stop();
    }
  });

  it('drops scanners by their User-Agent, even from a trusted source', async () => {
    const app = await startTestApp();
    try {
      const peer = await UdpPeer.open();
      peer.send(
        requestText({
          method: 'OPTIONS',
          via: 'SIP/2.0/UDP 127.0.0.1:1;rport',
          branch: 'z9hG4bKsc1',
          extra: ['User-Agent: friendly-scanner'],
        }),
        boundPort(app, 'udp'),
      );
      const answers = await peer.waitFor(1, 700).catch(() => []);
      peer.close();
      assert.equal(answers.length, 0);
      assert.equal(app.security.guard.counters.scanner, 1);
    } finally {
      await app.stop();
    }
  });
});

describe('admission control', () => {
  it('answers 503 with Retry-After to a call beyond the call threshold while the first goes on', async () => {
    const b = await callee({ calls: 1 });
    const app = await startTestApp({
      callThreshold: { totalCalls: 1 },
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const first = caller(boundPort(app, 'udp'), { holdMs: 5000 }); // up until the second call has had its 503
      await eventually(() => app.b2bua.callCount > 0);
      const second = await caller(boundPort(app, 'udp'), { scenario: uacExpect(503) });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.messages, /^Retry-After: 5\r?$/m);
      assert.match(second.messages, /Warning: 399 fosip-test "call threshold of 1 calls reached"/);
      assert.equal((await first).code, 0, 'the call in progress is not disturbed');
      assert.equal(app.security.admission.refused['total-calls'], 1);
    } finally {
      await app.stop();
    }
  });

  it("answers 503 to the calls beyond a dial-peer's call spike: of 20 calls in one second, 5 connect", async () => {
    const b = await callee({ calls: 5 });
    const app = await startTestApp({
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2...', callSpike: 5 },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` },
      ],
    });
    try {
      // 20 calls in half a second (SIPp's pacing may slip; a second would leave no margin): one sliding second holds them all
      const a = await caller(boundPort(app, 'udp'), {
        scenario: uacAnsweredOr(503),
        calls: 20,
        extra: ['-r', '40', '-rp', '1000', '-l', '20'],
      });
      assert.equal(a.code, 0, `every call ended as the scenario expects:\n${a.stderr}`);
      const refusals = a.messages.match(/^SIP\/2\.0 503 /gm) ?? [];
      assert.equal(refusals.length, 15, 'fifteen calls got 503');
      assert.match(a.messages, /^Retry-After: 1\r?$/m);
      assert.match(a.messages, /call spike of 5 calls per second reached on dial-peer 10/);
      const bResult = await b.run;
      assert.equal(bResult.code, 0, 'five calls reached the callee, answered and ended');
      assert.equal((bResult.messages.match(/^INVITE sip:/gm) ?? []).length, 5);
    } finally {
      await app.stop();
    }
  });
});
