/**
 * The downstream shield with SIPp on both sides (issue 19): what the callee behind the SBC receives is
 * bounded and well formed whatever the caller sent (a 4,000-character display name, a 3,000-byte header,
 * 200 unknown headers, a malformed P-Asserted-Identity), the call still works, and the identity and routing
 * headers name none of the caller's addresses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityToken } from '../../src/media/media-identity.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer } from '../helpers/net.js';
import { sdes } from '../helpers/rtp.js';
import { Capture } from '../helpers/tshark.js';
import { isRequest, receivedMessage, responseTo, sdpAt } from '../helpers/udp-sip.js';
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

  it("keeps the caller's names out of what the callee's capture holds: identity headers, a=ssrc cname, RTCP SDES", async () => {
    const [caller, callee, callerMedia, calleeMedia] = await Promise.all(
      [0, 1, 2, 3].map(() => UdpPeer.open(0, '127.0.0.1')),
    );
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${callee!.port}` }],
      media: { mode: 'flow-through' },
    });
    const sbc = boundPort(app, 'udp');
    const inside = 'sip:alice@10.1.1.9:5060';
    let capture: Capture | null = null;
    try {
      capture = await Capture.start(`udp and (dst port ${callee!.port} or dst port ${calleeMedia!.port})`);
      caller!.send(
        requestText({
          method: 'INVITE',
          uri: `sip:2001@127.0.0.1:${sbc}`,
          via: `SIP/2.0/UDP 127.0.0.1:${caller!.port}`,
          branch: 'z9hG4bKtopology1',
          callId: 'topology-call',
          fromTag: 'caller1',
          extra: [
            `Contact: <sip:alice@127.0.0.1:${caller!.port}>`,
            'P-Asserted-Identity: <sip:alice@10.1.1.9>',
            'Remote-Party-ID: <sip:alice@10.1.1.9>;party=calling',
            'Diversion: <sip:3001@10.1.1.9>;reason=unconditional',
            'History-Info: <sip:3001@10.1.1.9>;index=1',
          ],
          body: `${sdpAt(callerMedia!.port)}a=ssrc:4321 cname:${inside}\r\n`,
        }),
        sbc,
      );
      const offer = await receivedMessage(callee!, isRequest('INVITE'));
      assert.ok(offer?.isRequest(), 'the callee got the INVITE');
      const cname = identityToken(app.callStore.list()[0]?.id ?? '', inside);
      assert.match(offer.body.toString('latin1'), new RegExp(`^a=ssrc:4321 cname:${cname}\r$`, 'm'));
      callee!.send(
        responseTo(offer, '200 OK', {
          tag: 'callee1',
          contactPort: callee!.port,
          sdp: `${sdpAt(calleeMedia!.port)}a=rtcp:${calleeMedia!.port}\r\n`,
        }),
        sbc,
      );
      const ok = await receivedMessage(caller!, (m) => m.isResponse() && m.status === 200);
      const towardCaller = Number(/^m=audio (\d+)/m.exec(ok?.body.toString('latin1') ?? '')?.[1] ?? NaN);
      // the caller's RTCP: a receiver report and its SDES, CNAME and NAME naming it
      const report = Buffer.concat([
        Buffer.from('81c90007' + '000010e1' + '00'.repeat(24), 'hex'),
        sdes(4321, [
          [1, inside],
          [2, 'Alice at 10.1.1.9'],
        ]),
      ]);
      callerMedia!.send(report, towardCaller + 1); // the relay's RTCP port for the caller (RTP + 1)
      assert.ok(await eventually(() => calleeMedia!.received.length > 0), 'the report reached the callee');
      const wire = await capture.stop();
      const hex = (text: string): string => Buffer.from(text).toString('hex');
      assert.ok(
        wire.some((p) => p.payload?.includes(hex('INVITE sip:2001@'))),
        'the capture holds the INVITE',
      );
      assert.ok(
        wire.some((p) => p.payload?.includes(hex(cname))),
        'and the RTCP, with the CNAME a token',
      );
      for (const p of wire) {
        assert.ok(!p.payload?.includes(hex('10.1.1.9')), `no inside address in a packet to port ${p.dstPort}`);
        // users cross (a called party needs them); what names the caller's side does not
        assert.ok(!p.payload?.includes(hex('Alice at')), `no SDES NAME in a packet to port ${p.dstPort}`);
      }
    } finally {
      await capture?.stop().catch(() => []);
      await app.stop();
      for (const p of [caller, callee, callerMedia, calleeMedia]) p!.close();
    }
  });
});
