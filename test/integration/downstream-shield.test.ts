/**
 * The downstream shield with SIPp on both sides (issue 19): what the callee behind the SBC receives is
 * bounded and well formed whatever the caller sent (a 4,000-character display name, a 3,000-byte header,
 * 200 unknown headers, a malformed P-Asserted-Identity), the call still works, and the identity and routing
 * headers name none of the caller's addresses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage } from '../../src/sip/message-parser.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { uacWith } from '../helpers/scenarios.js';
import { inviteOf } from '../helpers/sipp.js';
import { callee, caller } from '../helpers/sipp-pair.js';

const TAG = ';tag=[pid]SIPpTag00[call_number]';

/** The header lines of the INVITE the callee got, parsed by our own parser (so it is well formed). */
function receivedInvite(messages: string): { head: string; lines: string[] } {
  const invite = inviteOf(messages);
  assert.match(invite, /^INVITE sip:/, 'the callee got the INVITE');
  const head = invite.split(/\r?\n\r?\n/)[0] ?? '';
  const msg = parseMessage(Buffer.from(`${invite.replace(/\r?\n/g, '\r\n')}`));
  assert.ok(msg.isRequest());
  return { head, lines: head.split(/\r?\n/).slice(1) };
}

describe('downstream shield (SIPp caller and callee)', () => {
  it('bounds what reaches the callee: display name, long and numerous headers, a malformed identity', async () => {
    const b = await callee();
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const many = Array.from({ length: 200 }, (_, i) => `X-Many-${i}: value ${i}`);
      const a = await caller(boundPort(app, 'udp'), {
        scenario: uacWith({
          from: `From: "${'D'.repeat(4000)}" <sip:sipp@[local_ip]:[local_port]>${TAG}`,
          headers: [`X-Big: ${'b'.repeat(3000)}`, 'P-Asserted-Identity: <sip:1001@10.1.1.1', ...many],
        }),
      });
      assert.equal(a.code, 0, `the call works:\n${a.stderr}\n${a.messages.slice(-2000)}`);
      const { lines } = receivedInvite((await b.run).messages);
      const from = lines.find((l) => /^From:/i.test(l)) ?? '';
      assert.match(from, new RegExp(`^From: "D{128}" <sip:`), 'the display name cut to 128 characters, quoted');
      for (const l of lines) assert.ok(Buffer.byteLength(l) <= 1024, `a line within 1,024 bytes: ${l.slice(0, 60)}`);
      assert.ok(!lines.some((l) => /^X-Big:/i.test(l)), 'the 3,000-byte header stayed behind');
      assert.ok(!lines.some((l) => /^P-Asserted-Identity:/i.test(l)), 'the malformed P-Asserted-Identity too');
      const passed = lines.filter((l) => /^X-Many-\d+:/.test(l)).length;
      assert.ok(passed > 0 && passed <= 64, `at most 64 copied headers (${passed} of 200 X-Many)`);
      const metrics = await app.metrics.text();
      for (const reason of ['too-long', 'too-many', 'malformed'])
        assert.match(metrics, new RegExp(`^sbc_shield_headers_dropped_total\\{reason="${reason}"\\} [1-9]`, 'm'));
    } finally {
      await app.stop();
    }
  });

  it("hides the caller's hosts in every identity and routing header; users and parameters cross", async () => {
    const b = await callee();
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), {
        scenario: uacWith({
          headers: [
            'P-Asserted-Identity: "Alice" <sip:1001@10.1.1.1;user=phone>',
            'P-Preferred-Identity: <sip:1001@pbx.inside.example>',
            'Remote-Party-ID: <sip:1001@10.1.1.1>;party=calling;privacy=off',
            'Diversion: <sip:3001@10.1.1.2:5060>;reason=unconditional;counter=1',
            'History-Info: <sip:3001@10.1.1.2>;index=1, <sip:2001@10.1.1.3>;index=1.1',
            'Call-Info: <sip:info@10.1.1.4>;purpose=info, <http://10.1.1.4/a.png>;purpose=icon',
            'Reply-To: <sip:1001@10.1.1.5>',
            'Referred-By: <sip:1001@10.1.1.6>',
          ],
        }),
      });
      assert.equal(a.code, 0, `the call works:\n${a.stderr}`);
      const { head, lines } = receivedInvite((await b.run).messages);
      for (const name of [
        'P-Asserted-Identity',
        'P-Preferred-Identity',
        'Remote-Party-ID',
        'Diversion',
        'History-Info',
        'Call-Info',
        'Reply-To',
        'Referred-By',
      ])
        assert.ok(
          lines.some((l) => l.startsWith(`${name}: `) && l.includes('@127.0.0.1')),
          `${name} reached the callee, at the SBC's address`,
        );
      assert.match(head, /^P-Asserted-Identity: "Alice" <sip:1001@127\.0\.0\.1;user=phone>$/m);
      assert.match(head, /^Diversion: <sip:3001@127\.0\.0\.1>;reason=unconditional;counter=1$/m);
      assert.doesNotMatch(head, /10\.1\.1\.|inside\.example/, 'no inside address reached the callee');
    } finally {
      await app.stop();
    }
  });
});
