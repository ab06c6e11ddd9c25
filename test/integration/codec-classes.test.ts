/**
 * Codec classes on dial-peers with real SIPp: the callee gets only the outbound class's codecs (in both
 * media modes), and a caller whose offer has none of them gets 488.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freePort, relayRange } from '../helpers/net.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { runCli } from '../helpers/cli.js';

describe('voice class codec', () => {
  for (const media of ['flow-through', 'flow-around'] as const) {
    it(`offers the callee only the outbound class's codecs (${media})`, async () => {
      const b = await callee();
      const app = await startTestApp({
        codecClasses: [{ kind: 'codec', tag: 5, preferences: ['g711ulaw', 'g729r8'] }],
        dialPeers: [
          { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, voiceClassCodec: 5, media },
        ],
      });
      try {
        // sipp's uac offers PCMU only (m=audio ... RTP/AVP 0)
        assert.equal((await caller(boundPort(app, 'udp'), { holdMs: 100 })).code, 0);
        const invite = /INVITE sip:[\s\S]*?m=audio[^\r\n]*/.exec((await b.run).messages)?.[0] ?? '';
        assert.match(invite, /m=audio \d+ RTP\/AVP 0$/);
      } finally {
        await app.stop();
      }
    });
  }

  it('answers 488 to an offer with no codec of the class, and never rings the callee', async () => {
    const nobody = await freePort('udp'); // the call must never get there
    const app = await startTestApp({
      codecClasses: [{ kind: 'codec', tag: 9, preferences: ['g729r8'] }],
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${nobody}`, voiceClassCodec: 9 },
      ],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), { holdMs: 100 });
      assert.notEqual(r.code, 0);
      assert.match(r.messages, /SIP\/2\.0 488 /);
      assert.match(r.messages, /Warning: 399 fosip-test "no codec in common with voice class codec 9"/);
      await eventually(() => app.portPool.inUse === 0); // given back once the worker closed them
      assert.equal(app.portPool.inUse, 0, 'the relay ports of the refused call are back');
      const [cdr] = app.callStore.history(1);
      assert.equal(cdr?.finalStatus, 488);
      assert.equal(app.b2bua.callCount, 0);
    } finally {
      await app.stop();
    }
  });
});

describe('voice class codec in the hunt', () => {
  it('hunts past a dial-peer whose class has no codec of the offer, as show dialplan --codecs predicts', async () => {
    const nobody = await freePort('udp'); // dial-peer 1 must never get the call
    const b = await callee();
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      codecClasses: [{ kind: 'codec', tag: 9, preferences: ['g729r8'] }],
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${nobody}`, voiceClassCodec: 9 },
        { tag: 2, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, preference: 1 },
      ],
    });
    try {
      const admin = ['--admin', `http://127.0.0.1:${adminPort}`];
      const plan = await runCli(['show', 'dialplan', 'number', '2001', '--codecs', 'g711ulaw', '--json', ...admin]);
      assert.equal(plan.code, 0, plan.stderr);
      assert.deepEqual(
        (JSON.parse(plan.stdout) as { outbound: Array<{ tag: number; verdict: string }> }).outbound.map((o) => [
          o.tag,
          o.verdict,
        ]),
        [
          [1, 'skipped: no common codec (voice class codec 9: g729r8)'],
          [2, 'would try'],
        ],
      );
      const unknown = await runCli(['show', 'dialplan', 'number', '2001', '--codecs', 'g711x', ...admin]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /unknown codec g711x/);
      // sipp's uac offers PCMU only
      assert.equal((await caller(boundPort(app, 'udp'), { holdMs: 100 })).code, 0);
      assert.equal((await b.run).code, 0);
      const [cdr] = app.callStore.history(1);
      assert.equal(cdr?.outboundDialPeer, 2, 'the call went out through dial-peer 2');
      assert.equal(cdr?.disconnectCause, 16);
    } finally {
      await app.stop();
    }
  });
});

describe('RTP port pool exhaustion', () => {
  it('answers 503 when the pool cannot give the call its ports, and counts it', async () => {
    const nobody = await freePort('udp');
    // one pair only: a call needs two (one facing each leg)
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${nobody}` }],
      media: relayRange(1),
    });
    try {
      const r = await caller(boundPort(app, 'udp'), { holdMs: 100 });
      assert.notEqual(r.code, 0);
      assert.match(r.messages, /SIP\/2\.0 503 /);
      assert.match(r.messages, /Warning: 399 fosip-test "no RTP ports left"/);
      assert.equal(app.media.exhausted, 1);
      assert.deepEqual((app.health()['rtp'] as { exhausted: number; inUse: number }).exhausted, 1);
      assert.equal(app.portPool.inUse, 0);
    } finally {
      await app.stop();
    }
  });
});
