/**
 * 5,000 calls with media at 50 calls/s through the relay: each call plays an RFC 2833 digit to a callee
 * that echoes RTP. Afterwards the port pool is full again, no relay session is left, and the process holds
 * no more sockets than before.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freePort, sleep } from '../helpers/net.js';
import { digitCall } from '../helpers/pcap-scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

describe('the port pool under load', () => {
  it('is full again after 5,000 calls with RTP at 50 calls/s, with no socket left open', { timeout: 400_000 }, async () => {
    const b = await callee({ calls: 5000, trace: false, extra: ['-rtp_echo', '-mp', String((await freePort('udp')) & ~1)] });
    const portMin = (await freePort('udp')) & ~1;
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
      media: { portMin, portMax: portMin + 1999 },
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-pool-'));
    try {
      await sleep(200); // the relay worker is up
      const fds = openFds();
      const stats = path.join(dir, 'stats.csv');
      const run = await caller(boundPort(app, 'udp'), {
        scenario: digitCall(0, 1500), calls: 5000, trace: false,
        extra: ['-r', '50', '-l', '500', '-mp', String((await freePort('udp')) & ~1), '-trace_stat', '-stf', stats, '-fd', '1'],
      });
      assert.equal(run.code, 0, `sipp caller failed:\n${run.stderr.slice(-2000)}`);
      await b.run;
      for (let i = 0; i < 200 && (app.media.activeSessions > 0 || app.portPool.inUse > 0); i++) await sleep(20);
      assert.equal(app.media.activeSessions, 0);
      assert.deepEqual(app.portPool.status().inUse, 0);
      // every pair is back: free, or set aside for a while because another process (a test running
      // alongside) held it when the relay tried to bind it
      assert.equal(app.portPool.status().available + app.portPool.status().reserved, app.portPool.total, 'every pair is back');
      const t = app.media.closedTotals;
      assert.equal(t.sessions, 5000);
      assert.ok(t.forwarded > 5000 * 4, `RTP went through on the calls (${t.forwarded} packets relayed)`);
      assert.ok(openFds() <= fds + 2, `no socket left open (${openFds()} fds now, ${fds} before)`);
    } finally {
      await app.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
