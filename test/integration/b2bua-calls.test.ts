/** Calls through the SBC between real sipp endpoints (issue: B2BUA calls routed by dial-peers). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { sleep } from '../helpers/net.js';

async function emptied(app: App): Promise<void> {
  for (let i = 0; i < 200 && app.callStore.size > 0; i++) await sleep(10);
  assert.equal(app.callStore.size, 0, 'the call store must be empty once calls end');
}

describe('B2BUA calls with sipp', () => {
  it('bridges a basic call; BYE from the caller; the legs share nothing', async () => {
    const b = await callee();
    const app = await startTestApp({ dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }] });
    try {
      const a = await caller(boundPort(app, 'udp'), { called: '2001', holdMs: 1000 });
      const bResult = await b.run;
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      assert.equal(bResult.code, 0, `callee failed:\n${bResult.stderr}\n${bResult.messages.slice(-3000)}`);
      const aCallId = /Call-ID: (\S+)/.exec(a.messages)?.[1] ?? '';
      const bCallId = /Call-ID: (\S+)/.exec(bResult.messages)?.[1] ?? '';
      assert.ok(aCallId && bCallId && aCallId !== bCallId, 'the legs have different Call-IDs');
      assert.ok(!bResult.messages.includes(aCallId), 'the caller Call-ID leaks to the callee');
      await emptied(app);
    } finally {
      await app.stop();
    }
  });
});
