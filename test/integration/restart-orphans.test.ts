/**
 * A node killed with SIGKILL and started again with the same hostname and Redis: the calls its previous
 * run carried are ended cleanly on both legs: answered ones get BYE (SIPp callers and callees), one still
 * ringing gets 503 toward the caller and CANCEL toward the callee (whose 487 is ACKed). Their records
 * leave Redis and their call-detail records say cause 41.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { freePort, sleep } from '../helpers/net.js';
import { repoRoot } from '../helpers/paths.js';
import { RedisServer } from '../helpers/redis.js';
import { uacExpect, uasCancelled } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

const bin = path.join(repoRoot, 'bin', 'fosip.js');

/** `fosip start` in its own process; resolves once it listens. */
async function startNode(dir: string, redis: string): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [bin, 'start', '--config-dir', dir, '--redis', redis, '--hostname', 'restart-test', '--log-level', 'info']);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 300 && !out.includes('fosip started'); i++) await sleep(20);
  assert.match(out, /fosip started/);
  return { child, log: () => out };
}

describe('restart after SIGKILL', () => {
  it('ends the calls the killed run left: BYE for answered ones, 503 and CANCEL for a ringing one', async () => {
    const redis = await RedisServer.start();
    const answering = await callee({ calls: 3, timeoutMs: 60_000 });
    const ringing = await callee({ scenario: uasCancelled(), calls: 1, timeoutMs: 60_000 });
    const port = await freePort('udp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-restart-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    fs.writeFileSync(path.join(dir, 'fosip.json'), JSON.stringify({ listen: [`udp:127.0.0.1:${port}`], trustedList: ['127.0.0.0/8'], media: { mode: 'flow-around' } }));
    fs.writeFileSync(path.join(dir, 'dialpeers', '1.json'), JSON.stringify({ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${answering.port}` }));
    fs.writeFileSync(path.join(dir, 'dialpeers', '2.json'), JSON.stringify({ tag: 2, destinationPattern: '3...', sessionTarget: `ipv4:127.0.0.1:${ringing.port}` }));
    const probe = new Redis(redis.url);
    let node = await startNode(dir, redis.url);
    try {
      const answered = caller(port, { calls: 3, holdMs: 60_000, extra: ['-r', '10'], timeoutMs: 60_000 });
      const waiting = caller(port, { called: '3001', scenario: uacExpect(503), timeoutMs: 60_000 });
      for (let i = 0; i < 100 && (await probe.scard('sbc:node:restart-test:calls')) < 4; i++) await sleep(100);
      await sleep(500); // the answered calls' records are written with their dialogs
      assert.equal(await probe.scard('sbc:node:restart-test:calls'), 4, 'four calls in Redis before the kill');
      node.child.kill('SIGKILL');
      await new Promise((r) => node.child.once('exit', r));
      node = await startNode(dir, redis.url);
      const [a, w] = await Promise.all([answered, waiting]);
      assert.match(a.messages, /^BYE sip:[^\n]*\n(?:[^\n]+\n)*?Reason: Q\.850;cause=41/m, 'the callers got BYE');
      assert.equal((a.messages.match(/^BYE sip:/gm) ?? []).length, 3, `three BYEs:\n${node.log()}`);
      assert.equal(w.code, 0, `the ringing caller got 503:\n${w.messages.slice(-2000)}\n${node.log()}`);
      const callees = await Promise.all([answering.run, ringing.run]);
      assert.equal(callees[0].code, 0, `the answering callee got its BYEs:\n${callees[0].messages.slice(-2000)}`);
      assert.equal(callees[1].code, 0, `the ringing callee got CANCEL and an ACK for its 487:\n${callees[1].messages.slice(-3000)}`);
      for (let i = 0; i < 50 && (await probe.scard('sbc:node:restart-test:calls')) > 0; i++) await sleep(100);
      assert.equal(await probe.scard('sbc:node:restart-test:calls'), 0, 'no record left');
      const history = (await probe.xrange('sbc:history', '-', '+')).map(([, fields]) => JSON.parse(fields[1] ?? '{}') as { disconnectCause: number; releasedBy: string });
      assert.equal(history.filter((c) => c.disconnectCause === 41 && c.releasedBy === 'sbc').length, 4);
      assert.match(node.log(), /the previous run of this node left calls/);
    } finally {
      node.child.kill('SIGKILL');
      answering.kill();
      ringing.kill();
      probe.disconnect();
      await redis.kill();
    }
  });
});
