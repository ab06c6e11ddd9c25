/**
 * SRTP through rtpengine, from the dial-peers' `srtp`: a real SRTP softphone (baresip, SDES and DTLS-SRTP)
 * calls through FoSIP to a plain-RTP SIPp echo; rtpengine decrypts toward the echo and encrypts what comes
 * back. `required` refuses plain RTP with 488 (the caller's offer, or the callee's answer to our SRTP
 * offer); `fallback` offers SRTP opportunistically (RFC 8643) and takes a plain answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DialPeerJson, SrtpPolicy } from '../../src/config/dial-config.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { audibleFrames, baresipCall } from '../helpers/baresip.js';
import { eventually } from '../helpers/eventually.js';
import { recordingLog } from '../helpers/log.js';
import { freeUdpBlock } from '../helpers/net.js';
import { Rtpengine } from '../helpers/rtpengine.js';
import { uacExpect } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { Capture } from '../helpers/tshark.js';

const G711_RTP = 12 + 160; // header and 20 ms of mu-law

describe('SRTP through rtpengine (baresip, SIPp, real rtpengine)', () => {
  let e: Rtpengine;
  before(async () => {
    e = await Rtpengine.start();
  });
  after(() => e.kill());

  const sbc = (dialPeers: DialPeerJson[], log = recordingLog('info')) =>
    startTestApp({
      dialPeers,
      media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }] },
      log: log.log,
    });
  const toEcho = (port: number, srtp: SrtpPolicy = 'off'): DialPeerJson => ({
    tag: 1,
    destinationPattern: '2...',
    sessionTarget: `ipv4:127.0.0.1:${port}`,
    srtp,
  });
  const fromPhone = (srtp: SrtpPolicy): DialPeerJson => ({ tag: 10, incomingCalledNumber: '2...', srtp });

  for (const mediaenc of ['srtp-mand', 'dtls_srtp'] as const) {
    it(`interworks ${mediaenc === 'srtp-mand' ? 'SDES' : 'DTLS'}-SRTP from a softphone with plain RTP toward an echo, both ways`, async () => {
      const echoMp = await freeUdpBlock(4);
      const echo = await callee({ extra: ['-rtp_echo', '-mp', String(echoMp)], timeoutMs: 60_000 });
      const log = recordingLog('info');
      const app = await sbc([fromPhone('required'), toEcho(echo.port)], log);
      const capture = await Capture.start(`udp and portrange ${e.media.portMin}-${e.media.portMax}`);
      try {
        const phone = await baresipCall({
          target: `sip:2001@127.0.0.1:${boundPort(app, 'udp')}`,
          mediaenc,
          seconds: 5,
        });
        const heard = await phone.done;
        const wire = await capture.stop();
        if (!/Call established/.test(heard.output)) echo.kill(); // no call will come
        const echoed = await echo.run;
        const why = `baresip:\n${heard.output.slice(-3000)}\ncallee:\n${echoed.messages.slice(-2500)}\nSBC:\n${log.lines.slice(-8).join('\n')}\nrtpengine:\n${e.log.slice(-1500)}`;
        assert.match(heard.output, /Call established/, why);
        const secured = mediaenc === 'dtls_srtp' ? /DTLS-SRTP complete \(audio\/RTP\)/ : /SRTP is Enabled/;
        assert.match(heard.output, secured, `the phone's media was secured with rtpengine\n${why}`);
        assert.equal(echoed.code, 0, why);
        const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n[\s\S]*?(?=\r?\n\r?\n-{10})/.exec(echoed.messages)?.[0] ?? '';
        assert.match(invite, /m=audio \d+ RTP\/AVP /, `the echo is offered plain RTP:\n${invite}`);
        assert.doesNotMatch(invite, /a=crypto|a=fingerprint/, 'and no keys');

        const phonePort = (p: number): boolean => p >= phone.rtpPorts.min && p <= phone.rtpPorts.max;
        const fromPhoneRtp = wire.filter((p) => phonePort(p.srcPort) && p.size !== undefined && p.size >= G711_RTP);
        const toPhone = wire.filter((p) => phonePort(p.dstPort) && p.size !== undefined && p.size >= G711_RTP);
        const toEchoRtp = wire.filter((p) => p.dstPort === echoMp);
        const fromEchoRtp = wire.filter((p) => p.srcPort === echoMp);
        assert.ok(fromPhoneRtp.length >= 100, `the phone sent its tone (${fromPhoneRtp.length} packets)\n${why}`);
        assert.ok(
          toEchoRtp.length >= 0.9 * fromPhoneRtp.length,
          `rtpengine passed it to the echo (${toEchoRtp.length})`,
        );
        assert.ok(fromEchoRtp.length >= 0.9 * toEchoRtp.length, `the echo sent it back (${fromEchoRtp.length})`);
        assert.ok(toPhone.length >= 0.9 * fromEchoRtp.length, `and rtpengine to the phone (${toPhone.length})`);
        assert.ok(
          toEchoRtp.every((p) => p.size === G711_RTP),
          'the echo gets plain RTP: 172 bytes, no authentication tag',
        );
        assert.ok(
          [...fromPhoneRtp, ...toPhone].every((p) => (p.size ?? 0) > G711_RTP),
          `the phone's leg is SRTP both ways (an authentication tag on every packet): ${[...new Set(toPhone.map((p) => p.size))].join(',')}`,
        );
        // the phone could decrypt what came back: it heard its own tone
        const audible = audibleFrames(heard.heardSamples);
        assert.ok(audible >= 50, `the phone heard the echo of its tone (${audible} frames of 20 ms)\n${why}`);
        assert.ok(await eventually(async () => (await e.calls()).length === 0), 'rtpengine holds no call after it');
        assert.equal(app.b2bua.callCount, 0);
      } finally {
        await capture.stop().catch(() => []);
        await app.stop();
      }
    });
  }

  it('answers 488 to a plain-RTP offer from a leg whose dial-peer requires SRTP, and nothing reaches rtpengine', async () => {
    const log = recordingLog('info');
    const app = await sbc([fromPhone('required'), toEcho(9)], log);
    try {
      const r = await caller(boundPort(app, 'udp'), { scenario: uacExpect(488), timeoutMs: 30_000 });
      assert.equal(r.code, 0, `488 to the RTP offer:\n${r.messages.slice(-2000)}`);
      assert.match(r.messages, /SIP\/2\.0 488[\s\S]*?Warning: 399 [^\r\n]*srtp required/, 'the Warning says why');
      assert.deepEqual(await e.calls(), []);
      assert.equal(app.b2bua.callCount, 0);
    } finally {
      await app.stop();
    }
  });

  it('fails the call with 488 when a callee that must speak SRTP answers plain RTP, and hangs it up', async () => {
    const plain = await callee({ timeoutMs: 30_000 });
    const app = await sbc([fromPhone('off'), toEcho(plain.port, 'required')]);
    try {
      const r = await caller(boundPort(app, 'udp'), { scenario: uacExpect(488), timeoutMs: 30_000 });
      assert.equal(r.code, 0, `488 for the plain answer:\n${r.messages.slice(-2000)}`);
      const b = await plain.run;
      assert.equal(b.code, 0, `the callee got its ACK and a BYE:\n${b.messages.slice(-2000)}`);
      assert.match(b.messages, /m=audio \d+ RTP\/SAVP [\s\S]*?a=crypto:/, 'it was offered SDES-SRTP');
      assert.doesNotMatch(b.messages, /a=crypto:\d+ NULL_/, 'never a suite that does not encrypt');
      assert.ok(await eventually(async () => (await e.calls()).length === 0), 'rtpengine holds no call after it');
    } finally {
      await app.stop();
    }
  });

  it('with fallback, offers SRTP opportunistically and connects a callee that answers plain RTP', async () => {
    const plain = await callee({ timeoutMs: 30_000 });
    const app = await sbc([fromPhone('off'), toEcho(plain.port, 'fallback')]);
    try {
      const r = await caller(boundPort(app, 'udp'), { timeoutMs: 30_000 });
      assert.equal(r.code, 0, `the call connects:\n${r.messages.slice(-2000)}`);
      const b = await plain.run;
      assert.equal(b.code, 0);
      // RFC 8643: the plain profile, with keys an SRTP-capable callee may take
      assert.match(b.messages, /m=audio \d+ RTP\/AVP [\s\S]*?a=crypto:/, 'offered RTP/AVP with SDES keys');
      assert.ok(await eventually(async () => (await e.calls()).length === 0), 'rtpengine holds no call after it');
    } finally {
      await app.stop();
    }
  });
});
