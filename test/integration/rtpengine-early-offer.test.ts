/**
 * Delayed offer to early offer (`earlyOfferForced`) with rtpengine: CUCM's INVITE without SDP leaves
 * toward an echoing SIPp callee with an offer rtpengine made from the codec class; the callee's answer
 * reaches the caller as its offer in the 200, the caller's answer in the ACK tells rtpengine where the
 * caller is (the callee's ACK carries no SDP), and RTP goes both ways through rtpengine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { freeUdpBlock } from '../helpers/net.js';
import { ReplayUa } from '../helpers/replay-ua.js';
import { CucmDelayedOffer, earlyOfferTo } from '../helpers/cucm-delayed-offer.js';
import { RtpEndpoint } from '../helpers/rtp.js';
import { Rtpengine } from '../helpers/rtpengine.js';
import { callee } from '../helpers/sipp-pair.js';

describe('early offer forced through rtpengine (CUCM replay, SIPp echo, real rtpengine)', () => {
  let e: Rtpengine;
  before(async () => {
    e = await Rtpengine.start();
  });
  after(() => e.kill());

  it("offers the callee rtpengine's ports for a delayed-offer INVITE, and media flows both ways after the ACK", async () => {
    const b = await callee({ extra: ['-rtp_echo', '-mp', String(await freeUdpBlock(4))], timeoutMs: 60_000 });
    const app = await startTestApp({
      ...earlyOfferTo(b.port),
      media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }] },
    });
    const ua = await ReplayUa.open(boundPort(app, 'udp'));
    const rtp = await RtpEndpoint.open();
    try {
      const call = new CucmDelayedOffer(ua, boundPort(app, 'udp'));
      const ok = await call.invite();
      const offer = ok.body.toString('latin1');
      const port = Number(/m=audio (\d+) RTP\/AVP 0[ \r]/.exec(offer)?.[1]);
      assert.ok(port >= e.media.portMin && port <= e.media.portMax, `the caller's offer names rtpengine: ${offer}`);
      call.ack(rtp.port);
      // rtpengine learns the caller's address from the ACK's answer: keep sending until the echoes come
      let seq = 0;
      const echoed = await eventually(
        () => {
          rtp.send(port, [++seq]);
          return rtp.received.length >= 5;
        },
        { ms: 10_000, everyMs: 40 },
      );
      assert.ok(
        echoed,
        `the echoes came back through rtpengine (${rtp.received.length} of ${seq})\n${e.log.slice(-1500)}`,
      );
      assert.ok(
        rtp.received.every((r) => r.from === `127.0.0.1:${port}`),
        'from the port the caller was offered',
      );
      await call.bye();
      const result = await b.run;
      const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n[\s\S]*?a=sendrecv/.exec(result.messages)?.[0] ?? '';
      assert.match(invite, /m=audio (\d+) RTP\/AVP 0 8 101/, 'the callee got an offer from the codec class');
      const offered = Number(/m=audio (\d+) /.exec(invite)?.[1]);
      assert.ok(offered >= e.media.portMin && offered <= e.media.portMax, 'on an rtpengine port');
      assert.match(invite, /a=sendrecv/, `offered both ways:\n${invite}`);
      assert.doesNotMatch(invite, /m=audio 9 |a=sendonly|a=recvonly|a=inactive/, `never the placeholder:\n${invite}`);
      assert.ok(await eventually(async () => (await e.calls()).length === 0), 'rtpengine holds no call after the BYE');
    } finally {
      ua.close();
      rtp.close();
      await app.stop();
    }
  });
});
