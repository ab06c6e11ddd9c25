/**
 * OPTIONS keepalive with SIPp trunks: a trunk that stops answering is busied out after its retries and
 * calls hunt to the next dial-peer meanwhile (SIPp sees no failed call), and it comes back; a 404 keeps a
 * trunk up, a 503 takes it down; the show commands, /metrics and a reload see the same state.
 */
import { waitUntil } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { SbcNode } from '../../src/node/node.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { freePort, sleep } from '../helpers/net.js';
import { uacExpect, uasTrunk } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

const keepalive = { kind: 'sip-options-keepalive' as const, tag: 1, upInterval: 0.5, downInterval: 0.5, retry: 2 };

const until = (what: string, ok: () => boolean, ms = 10_000): Promise<void> => waitUntil(what, ok, ms);

const stateOf = (app: SbcNode, tag: number) => app.keepalive.status().find((s) => s.tag === tag);

describe('OPTIONS keepalive with SIPp', () => {
  it('busies out a trunk that stops answering, hunts to the next dial-peer meanwhile with no failed call, and brings it back', async () => {
    const first = await callee({ scenario: uasTrunk(), calls: 100_000 });
    const second = await callee({ scenario: uasTrunk(), calls: 100_000 });
    const app = await startTestApp({
      timers: { T1: 50 }, // Timer B 3.2 s: the calls sent before the busyout hunt on quickly
      rewrite: [keepalive],
      dialPeers: [
        {
          tag: 1,
          destinationPattern: '2...',
          sessionTarget: `ipv4:127.0.0.1:${first.port}`,
          preference: 0,
          optionsKeepaliveProfile: 1,
        },
        { tag: 2, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${second.port}`, preference: 1 },
      ],
    });
    let back: Awaited<ReturnType<typeof callee>> | undefined;
    try {
      await until('dial-peer 1 answers a ping', () => stateOf(app, 1)?.lastResponse === '200 OK');
      // calls all along: 5 a second for 12 s, each held 300 ms
      const calls = caller(boundPort(app, 'udp'), { calls: 60, holdMs: 300, extra: ['-r', '5'], timeoutMs: 60_000 });
      await sleep(1500);
      first.kill();
      await until('dial-peer 1 is busied out', () => stateOf(app, 1)?.state === 'busyout');
      const busyAt = stateOf(app, 1)?.since ?? 0;
      assert.equal(stateOf(app, 1)?.lastResponse, 'timeout');
      await sleep(1500);
      back = await callee({ scenario: uasTrunk(), calls: 100_000, port: first.port });
      await until('dial-peer 1 is active again', () => stateOf(app, 1)?.state === 'active');
      const backAt = stateOf(app, 1)?.since ?? 0;
      const r = await calls;
      assert.equal(r.code, 0, `SIPp saw failed calls:\n${r.stdout.slice(-2000)}`);
      const history = app.callStore.history(100);
      assert.equal(history.length, 60);
      assert.ok(
        history.every((c) => c.finalStatus === 200 || c.finalStatus === null),
        'every call was answered',
      );
      // (a call sent just before the busyout may still be answered by the trunk once it is back: its INVITE is retransmitted)
      const during = history.filter((c) => c.startedAt > busyAt && c.startedAt < backAt);
      const seen = history.map((c) => `${c.startedAt - busyAt}:${c.outboundDialPeer}`).join(' ');
      assert.ok(
        during.length > 0 && during.every((c) => c.outboundDialPeer === 2),
        `while busied out, calls went to dial-peer 2 at once (${seen}; back at ${backAt - busyAt})`,
      );
      const after = history.filter((c) => c.startedAt > backAt);
      assert.ok(
        after.length > 0 && after.every((c) => c.outboundDialPeer === 1),
        'once back, dial-peer 1 takes the calls again',
      );
    } finally {
      await app.stop();
      second.kill();
      back?.kill();
    }
  });

  it('keeps a trunk that answers 404 up and busies out one that answers 503; a call with no usable dial-peer gets 404 or the override', async () => {
    const notFound = await callee({ scenario: uasTrunk('404 Not Found'), calls: 100_000 });
    const unavailable = await callee({ scenario: uasTrunk('503 Service Unavailable'), calls: 100_000 });
    const adminPort = await freePort('tcp');
    const dialPeers = [
      {
        tag: 1,
        destinationPattern: '2...',
        sessionTarget: `ipv4:127.0.0.1:${notFound.port}`,
        optionsKeepaliveProfile: 1,
      },
      {
        tag: 2,
        destinationPattern: '3...',
        sessionTarget: `ipv4:127.0.0.1:${unavailable.port}`,
        optionsKeepaliveProfile: 1,
      },
      { tag: 10, incomingCalledNumber: '4...', errorCodeOverride: 480 },
      {
        tag: 3,
        destinationPattern: '4...',
        sessionTarget: `ipv4:127.0.0.1:${unavailable.port}`,
        optionsKeepaliveProfile: 1,
      },
    ];
    const app = await startTestApp({ admin: `127.0.0.1:${adminPort}`, rewrite: [keepalive], dialPeers });
    // other dial-peers in a folder named to the CLI: the show commands read the node, never such files
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-ka-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    fs.writeFileSync(path.join(dir, 'dialpeers', '77.json'), JSON.stringify({ tag: 77, destinationPattern: '7...' }));
    const env = { FOSIP_CONFIG_DIR: dir };
    try {
      await until(
        'dial-peer 2 is busied out',
        () => stateOf(app, 2)?.state === 'busyout' && stateOf(app, 3)?.state === 'busyout',
      );
      await until(
        'dial-peer 1 has answered a ping',
        () => stateOf(app, 1)?.lastResponse !== undefined && stateOf(app, 1)?.lastResponse !== null,
      );
      assert.equal(stateOf(app, 1)?.state, 'active');
      assert.equal(stateOf(app, 1)?.lastResponse, '404 Not Found');
      assert.equal(stateOf(app, 2)?.lastResponse, '503 Service Unavailable');
      const blocked = await caller(boundPort(app, 'udp'), { scenario: uacExpect(404), called: '3001' });
      assert.equal(blocked.code, 0, blocked.stderr);
      assert.match(blocked.messages, /Warning: 399 fosip-test "dial-peer 2 is busied out \(OPTIONS keepalive\)"/);
      const overridden = await caller(boundPort(app, 'udp'), { scenario: uacExpect(480), called: '4001' });
      assert.equal(overridden.code, 0, overridden.stderr);

      const admin = `http://127.0.0.1:${adminPort}`;
      const summary = await runCli(['show', 'dial-peer', 'voice', 'summary', '--admin', admin], { env });
      assert.equal(summary.code, 0, summary.stderr);
      assert.match(
        summary.stdout,
        /TAG +TYPE +ADMIN +OPER +PREFIX +DEST-PATTERN +PREF +PASSTHRU +SESS-TARGET +OUTSTAT +PORT +KEEPALIVE/,
      );
      assert.match(summary.stdout, /^1 +voip +up +up +2\.\.\. .* up +active +udp /m);
      assert.match(summary.stdout, /^2 +voip +up +up +3\.\.\. .* busy +busyout +udp /m, 'busied out: OUTSTAT busy');
      assert.match(
        summary.stdout,
        /^10 +voip +up +up +0 +syst +udp +no +-$/m,
        'inbound only: no pattern, target, OUTSTAT or keepalive',
      );
      assert.doesNotMatch(summary.stdout, /^77 /m, 'nothing of the folder named to the CLI');
      const cls = await runCli(['show', 'voice', 'class', 'sip-options-keepalive', '1', '--admin', admin], { env });
      assert.equal(cls.code, 0, cls.stderr);
      assert.match(cls.stdout, /Voice class sip-options-keepalive: 1 +AdminStat: Up/);
      assert.match(cls.stdout, /Interval\(seconds\) Up: 0\.5 +Down: 0\.5/);
      assert.match(cls.stdout, /^1 +fosip-test +ipv4:127\.0\.0\.1:\d+ udp +Active +404 Not Found +\d+ms/m);
      assert.match(cls.stdout, /^2 +fosip-test +ipv4:127\.0\.0\.1:\d+ udp +Busy +503 Service Unavailable/m);
      // the dialplan the node would follow agrees with the calls above: 3001 finds only the busied-out dial-peer 2
      const plan = await runCli(['show', 'dialplan', 'number', '3001', '--admin', admin], { env });
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /^1 +2 +3\.\.\. .* skipped: busied out \(OPTIONS keepalive\)$/m);
      assert.match(plan.stdout, /No outbound dial-peer would be tried now/);
      const routed = await runCli(['show', 'dialplan', 'number', '2001', '--admin', admin], { env });
      assert.match(routed.stdout, /^1 +1 +2\.\.\. .* would try$/m);
      const metrics = await (await fetch(`${admin}/metrics`)).text();
      assert.match(metrics, /^sbc_dialpeer_up\{tag="1"\} 1$/m);
      assert.match(metrics, /^sbc_dialpeer_up\{tag="2"\} 0$/m);
      const states = (await (await fetch(`${admin}/api/keepalive`)).json()) as Array<{
        tag: number;
        state: string;
        node: string;
        rttMs: number | null;
      }>;
      assert.deepEqual(
        states.map((s) => [s.tag, s.state, s.node]),
        [
          [1, 'active', 'fosip-test'],
          [2, 'busyout', 'fosip-test'],
          [3, 'busyout', 'fosip-test'],
        ],
      );
      assert.ok(states.every((s) => typeof s.rttMs === 'number'));
    } finally {
      await app.stop();
      notFound.kill();
      unavailable.kill();
    }
  });

  it('a reload keeps the state of unchanged dial-peers and the calls in progress', async () => {
    const trunk = await callee({ scenario: uasTrunk(), calls: 100_000 });
    const dead = await freePort('udp');
    const peers = [
      { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${trunk.port}` },
      { tag: 2, destinationPattern: '3...', sessionTarget: `ipv4:127.0.0.1:${dead}`, optionsKeepaliveProfile: 1 },
    ];
    const app = await startTestApp({
      rewrite: [keepalive],
      dialPeers: peers,
      reload: () => ({
        rewrite: [keepalive],
        dialPeers: [...peers, { tag: 5, destinationPattern: '5...', sessionTarget: `ipv4:127.0.0.1:${trunk.port}` }],
      }),
    });
    try {
      await until('dial-peer 2 is busied out', () => stateOf(app, 2)?.state === 'busyout');
      const call = caller(boundPort(app, 'udp'), { holdMs: 1500 });
      await until('the call is up', () => app.callStore.list().some((c) => c.state === 'connected'));
      assert.deepEqual(app.reload(), { dialPeers: 3 });
      assert.equal(stateOf(app, 2)?.state, 'busyout', 'unchanged dial-peer: still busied out, not started over');
      assert.equal(app.dialPlan.byTag(5)?.tag, 5);
      assert.equal((await call).code, 0, 'the call in progress ended normally');
      const next = await caller(boundPort(app, 'udp'), { called: '5001', holdMs: 100 });
      assert.equal(next.code, 0, 'the new dial-peer takes calls');
    } finally {
      await app.stop();
      trunk.kill();
    }
  });
});
