/**
 * Every log line about a call names it: a call through the SBC at debug level (a header held back by the
 * shield, media relayed, the call-detail record) and each line of the call carries its `callId`, the id the
 * show commands print.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { recordingLog } from '../helpers/log.js';
import { relayRange } from '../helpers/net.js';
import { uacWith } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

/** Lines about the node, not about one call (start and stop, the relay's worker). */
const NODE_LINES = /^(fosip (started|stopped)|RTP relay|relay worker|admin API)/;

describe('call log lines', () => {
  it('carry the callId on every line of a call, the CDR included', async () => {
    const b = await callee();
    const { log, lines } = recordingLog('debug');
    const app = await startTestApp({
      log,
      media: { mode: 'flow-through', ...relayRange(4) },
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), { scenario: uacWith({ headers: [`X-Big: ${'x'.repeat(3000)}`] }) });
      assert.equal(r.code, 0, r.stderr);
      await b.run;
    } finally {
      await app.stop();
    }
    const records = lines.map((l) => JSON.parse(l) as { msg: string; callId?: string });
    const [cdr] = app.callStore.history(1);
    const ofCall = records.filter((l) => !NODE_LINES.test(l.msg));
    assert.ok(
      ofCall.some((l) => l.msg === 'call detail record'),
      'the CDR line is there',
    );
    assert.ok(
      ofCall.some((l) => l.msg === 'header held back by the shield'),
      'the shield line is there',
    );
    for (const l of ofCall) assert.equal(l.callId, cdr?.id, JSON.stringify(l));
  });
});
