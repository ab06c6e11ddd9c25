/**
 * Load through the B2BUA with real sipp: 10,000 calls at 200 calls/s with no failed call, then 500
 * concurrent calls held 30 s; afterwards the call store is empty.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { sleep } from '../helpers/net.js';
import { callee, caller } from '../helpers/sipp-pair.js';

function lastStats(file: string): Record<string, string> {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const head = (lines[0] ?? '').split(';');
  const row = (lines[lines.length - 1] ?? '').split(';');
  return Object.fromEntries(head.map((h, i) => [h, row[i] ?? '']));
}

describe('B2BUA under load (sipp)', () => {
  it('carries 10,000 calls at 200 calls/s, then holds 500 concurrent calls for 30 s, and forgets them all', { timeout: 300_000 }, async () => {
    const b = await callee({ calls: 10_500, trace: false });
    const app = await startTestApp({ dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-load-'));
    try {
      const rateStats = path.join(dir, 'rate.csv');
      const burst = await caller(boundPort(app, 'udp'), { calls: 10_000, holdMs: 0, trace: false, extra: ['-r', '200', '-l', '2000', '-trace_stat', '-stf', rateStats, '-fd', '1'] });
      const s1 = lastStats(rateStats);
      assert.equal(burst.code, 0, `sipp caller failed:\n${burst.stderr.slice(-2000)}`);
      assert.equal(s1['SuccessfulCall(C)'], '10000');
      assert.equal(s1['FailedCall(C)'], '0');
      for (let i = 0; i < 300 && app.callStore.size > 0; i++) await sleep(10);
      assert.equal(app.callStore.size, 0);

      const heldStats = path.join(dir, 'held.csv');
      const held = caller(boundPort(app, 'udp'), { calls: 500, holdMs: 30_000, trace: false, extra: ['-r', '100', '-l', '500', '-trace_stat', '-stf', heldStats, '-fd', '1'] });
      await sleep(12_000);
      assert.equal(app.callStore.size, 500, 'all 500 calls are up at once');
      const h = await held;
      assert.equal(h.code, 0, `held calls failed:\n${h.stderr.slice(-2000)}`);
      assert.equal(lastStats(heldStats)['FailedCall(C)'], '0');
      for (let i = 0; i < 300 && app.callStore.size > 0; i++) await sleep(10);
      assert.equal(app.callStore.size, 0, 'the call store is empty afterwards');
      assert.equal(app.b2bua.callCount, 0);
    } finally {
      await app.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
