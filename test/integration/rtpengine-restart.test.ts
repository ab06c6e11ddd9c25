/**
 * A node whose calls rtpengine relays is killed (SIGKILL) and started again: the answered call's record
 * names its rtpengine instance, the new run takes it back without a command to rtpengine (the media goes on
 * untouched), relays its re-INVITE and BYE, and rtpengine lets go of it then; the call that was ringing is
 * ended on both legs, and rtpengine lets go of it at once.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { eventually } from '../helpers/eventually.js';
import { startNode } from '../helpers/fosip-process.js';
import { freePort } from '../helpers/net.js';
import { RedisServer } from '../helpers/redis.js';
import { Rtpengine } from '../helpers/rtpengine.js';
import { uacExpect, uacHoldResume, uasCancelled, uasHoldResume } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

describe('restart after SIGKILL with calls on rtpengine', () => {
  it('takes the answered call back as rtpengine holds it, ends the ringing one and releases it', async () => {
    const redis = await RedisServer.start();
    const e = await Rtpengine.start();
    const answering = await callee({ scenario: uasHoldResume(), timeoutMs: 60_000 });
    const ringing = await callee({ scenario: uasCancelled(), timeoutMs: 60_000 });
    const port = await freePort('udp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-rtpengine-restart-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    fs.writeFileSync(
      path.join(dir, 'fosip.json'),
      JSON.stringify({
        listen: [`udp:127.0.0.1:${port}`],
        trustedList: ['127.0.0.0/8'],
        media: { engine: 'rtpengine', rtpengine: [{ ng: e.ng }] },
      }),
    );
    const dp = (tag: number, pattern: string, to: number) => ({
      tag,
      destinationPattern: pattern,
      sessionTarget: `ipv4:127.0.0.1:${to}`,
    });
    fs.writeFileSync(path.join(dir, 'dialpeers', '1.json'), JSON.stringify(dp(1, '2...', answering.port)));
    fs.writeFileSync(path.join(dir, 'dialpeers', '2.json'), JSON.stringify(dp(2, '3...', ringing.port)));
    const probe = new Redis(redis.url);
    let node = await startNode(dir, redis.url, 'rtpe-restart');
    try {
      // the answered caller holds and resumes 8 s after the answer: after the restart, relayed by the new run
      const afterRestart = uacHoldResume().replace(
        /(<send ack_txn="invite">[\s\S]*?<\/send>)/,
        '$1\n<pause milliseconds="8000"/>',
      );
      assert.match(afterRestart, /<pause milliseconds="8000"\/>/);
      const answered = caller(port, { scenario: afterRestart, timeoutMs: 60_000 });
      const waiting = caller(port, { called: '3001', scenario: uacExpect(503), timeoutMs: 60_000 });
      type Rec = { id: string; state: string; recovery?: { a?: unknown; b?: unknown; rtpengine?: { ng: string } } };
      const inRedis = async (): Promise<Rec[]> => {
        const ids = await probe.smembers('sbc:node:rtpe-restart:calls');
        return Promise.all(ids.map(async (id) => JSON.parse((await probe.get(`sbc:call:{${id}}`)) ?? '{}') as Rec));
      };
      let records: Rec[] = [];
      const ready = (): boolean =>
        records.length === 2 &&
        records.every((r) => r.recovery?.rtpengine?.ng === e.ng) &&
        records.some((r) => r.state === 'connected' && r.recovery?.a !== undefined && r.recovery.b !== undefined);
      await eventually(async () => ((records = await inRedis()), ready()), { ms: 15_000, everyMs: 100 });
      assert.ok(ready(), `both calls in Redis with their rtpengine instance, one answered: ${JSON.stringify(records)}`);
      const up = records.find((r) => r.state === 'connected')?.id ?? '';
      const ring = records.find((r) => r.state !== 'connected')?.id ?? '';
      assert.deepEqual(await e.calls(), [up, ring].sort(), 'rtpengine holds both calls before the kill');

      node.child.kill('SIGKILL');
      await new Promise((r) => node.child.once('exit', r));
      node = await startNode(dir, redis.url, 'rtpe-restart');
      assert.ok(
        await eventually(async () => !(await e.calls()).includes(ring)),
        `the ringing call's media is let go of:\n${node.log().slice(-2000)}`,
      );
      assert.ok(
        (await e.calls()).includes(up),
        'the answered call is still on rtpengine: the new run sent nothing to tear it down',
      );
      const [a, w] = await Promise.all([answered, waiting]);
      assert.equal(
        a.code,
        0,
        `the answered call went on (hold, resume, BYE through the new run):\n${a.messages.slice(-3000)}\n${node.log().slice(-3000)}`,
      );
      assert.equal(w.code, 0, `the ringing caller got 503:\n${w.messages.slice(-2000)}`);
      assert.equal((await answering.run).code, 0);
      assert.equal((await ringing.run).code, 0, 'the ringing callee got its CANCEL');
      assert.ok(
        await eventually(async () => (await e.calls()).length === 0),
        'rtpengine holds nothing once the call ended',
      );
      assert.match(node.log(), /the previous run of this node left calls/);
    } finally {
      node.child.kill('SIGKILL');
      probe.disconnect();
      await e.kill();
      await redis.kill();
    }
  });
});
