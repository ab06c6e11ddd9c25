/**
 * `debug ccsip messages` against a node with real SIPp calls: over the admin API and through Redis, every
 * message in and out as CUBE prints it, one call's only with --call, and nothing traced once the listener
 * is gone.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { SbcNode } from '../../src/node/node.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freePort } from '../helpers/net.js';
import { repoRoot } from '../helpers/paths.js';
import { RedisServer } from '../helpers/redis.js';
import { callee, caller } from '../helpers/sipp-pair.js';

interface Tracer {
  child: ChildProcess;
  out: () => string;
  stop: () => Promise<number | null>;
}

async function debugCcsip(args: string[]): Promise<Tracer> {
  const child = spawn(process.execPath, [
    path.join(repoRoot, 'bin', 'fosip.js'),
    'debug',
    'ccsip',
    'messages',
    ...args,
  ]);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await eventually(() => err.includes('tracing is enabled'));
  assert.match(err, /SIP Call messages tracing is enabled/);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, stop: () => (child.kill('SIGINT'), exited) };
}

const until = (ok: () => boolean, ms = 20_000): Promise<boolean> => eventually(ok, ms);

function startCall(app: SbcNode, holdMs: number) {
  return caller(boundPort(app, 'udp'), { holdMs });
}

describe('debug ccsip messages', () => {
  it('streams every message of a node over its admin API, one call only with --call, and costs nothing once stopped', async () => {
    const b = await callee({ calls: 100 }); // never fewer than come: a retransmitted INVITE counts as a call to sipp
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    const admin = `http://127.0.0.1:${adminPort}`;
    try {
      assert.equal(app.tracer.active, false);
      const all = await debugCcsip(['--admin', admin]);
      assert.equal(app.tracer.active, true);
      const first = startCall(app, 2000);
      assert.ok(await until(() => app.callStore.list().some((c) => c.state === 'connected')));
      const id = app.callStore.list()[0]?.id ?? '';
      const one = await debugCcsip(['--admin', admin, '--call', id]);
      const second = startCall(app, 200);
      assert.equal((await second).code, 0);
      assert.equal((await first).code, 0);
      assert.ok(
        await until(() => (one.out().match(/^BYE sip:/gm) ?? []).length >= 2),
        `the call's BYE on both legs:\n${one.out()}`,
      );
      // the unfiltered trace has both calls, both legs, once its process has printed them
      await until(
        () =>
          (all.out().match(/^INVITE sip:/gm) ?? []).length >= 4 &&
          (all.out().match(/^SIP\/2\.0 200 OK/gm) ?? []).length >= 8,
      );
      const everything = all.out();
      // the INVITE that starts a call arrives before the call exists: -1, as on CUBE
      assert.match(
        everything,
        /^\w{3} \d\d \d\d:\d\d:\d\d\.\d{3} UTC: \/\/-1\/fosip-test\/SIP\/Msg\/ccsipDisplayMsg:\nReceived: from UDP 127\.0\.0\.1:\d+\nINVITE sip:2001@/m,
      );
      assert.match(
        everything,
        new RegExp(`//${id}/fosip-test/SIP/Msg/ccsipDisplayMsg:\\nReceived: from UDP 127\\.0\\.0\\.1:\\d+\\nACK sip:`),
      );
      assert.match(
        everything,
        new RegExp(
          `//${id}/fosip-test/SIP/Msg/ccsipDisplayMsg:\\nSent: to UDP 127\\.0\\.0\\.1:${b.port}\\nINVITE sip:2001@127\\.0\\.0\\.1:${b.port} SIP/2\\.0`,
        ),
      );
      assert.equal((everything.match(/^INVITE sip:/gm) ?? []).length, 4, 'both calls, both legs');
      assert.equal((everything.match(/^SIP\/2\.0 200 OK/gm) ?? []).length >= 8, true);
      const filtered = one.out();
      assert.equal((filtered.match(/^INVITE sip:/gm) ?? []).length, 0, 'the other call is not shown');
      assert.ok(filtered.split('ccsipDisplayMsg').length > 2);
      assert.ok(
        [...filtered.matchAll(/\/\/(\S+)\/fosip-test\//g)].every((m) => m[1] === id),
        'only the chosen call',
      );
      assert.equal(await all.stop(), 0);
      assert.equal(await one.stop(), 0);
      assert.ok(await until(() => !app.tracer.active), 'nobody listens: tracing is off');
    } finally {
      await app.stop();
      b.kill();
    }
  });

  it("streams every node's messages through Redis while somebody subscribes", async () => {
    const redis = await RedisServer.start();
    const b = await callee();
    const app = await startTestApp({
      redis: redis.url,
      hostname: 'sbc-r',
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const t = await debugCcsip(['--redis', redis.url]);
      assert.ok(await until(() => app.tracer.active, 3000), 'the node sees the subscriber within its poll');
      assert.equal((await startCall(app, 100)).code, 0);
      assert.ok(await until(() => (t.out().match(/^BYE sip:/gm) ?? []).length >= 2), t.out());
      assert.match(
        t.out(),
        /\/sbc-r\/SIP\/Msg\/ccsipDisplayMsg:\nReceived: from UDP 127\.0\.0\.1:\d+\nINVITE sip:2001@/,
      );
      assert.equal(await t.stop(), 0);
      assert.ok(await until(() => !app.tracer.active, 3000), 'the node stops publishing once nobody subscribes');
    } finally {
      await app.stop();
      await redis.kill();
    }
  });
});
