/**
 * DTMF interworking with real SIPp: the caller's leg is `dtmfRelay: rtp-nte` and plays an RFC 2833 digit;
 * the callee's leg is `sip-info`. The callee is not offered telephone-event, the caller is (although the
 * callee's answer had none), and the digit reaches the callee as one SIP INFO application/dtmf-relay. And
 * the other way. With either engine: the built-in relay, or rtpengine (which plays digits into the call and
 * reports those it sees to the node's DTMF event listener).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MediaSettings } from '../../src/config/settings.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freePort, freeUdpBlock } from '../helpers/net.js';
import { Rtpengine } from '../helpers/rtpengine.js';
import { digitCall } from '../helpers/pcap-scenarios.js';
import { uacInfo } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { Capture } from '../helpers/tshark.js';

/** A response to the last request; with `media` (the SDP's m= section) the 2xx that answers the INVITE. */
const response = (
  status: string,
  media?: string,
): string => `<send${media !== undefined ? ' retrans="500"' : ''}><![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:]${media !== undefined ? ';tag=[pid]SIPpTag01[call_number]' : ''}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
${
  media !== undefined
    ? `Content-Type: application/sdp
Content-Length: [len]

v=0
o=callee 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
${media}`
    : 'Content-Length: 0'
}

]]></send>`;

/** Answer with PCMA only (no telephone-event), then take one INFO and the BYE. */
const uasInfo = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uas takes DTMF as INFO">
<recv request="INVITE" rrs="true"/>
${response('200 OK', 'm=audio [media_port] RTP/AVP 8\na=rtpmap:8 PCMA/8000')}
<recv request="ACK"/>
<recv request="INFO"/>
${response('200 OK')}
<recv request="BYE"/>
${response('200 OK')}
</scenario>`;

/** The media settings of each engine under test (rtpengine's DTMF events come to the node's listener). */
interface Engine {
  name: string;
  media: () => MediaSettings | undefined;
  /** What the engine logged, for a failing test. */
  log: () => string;
}

function interworking(engine: Engine): void {
  it("turns the caller's RFC 2833 digit into one SIP INFO to a sip-info callee", async () => {
    const b = await callee({ scenario: uasInfo });
    const app = await startTestApp({
      ...withMedia(engine),
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2001', dtmfRelay: ['rtp-nte'] },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, dtmfRelay: ['sip-info'] },
      ],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), {
        scenario: digitCall(300, 1500),
        extra: ['-mp', String(await freeUdpBlock())],
      });
      const bres = await b.run;
      assert.equal(a.code, 0, a.messages.slice(-2000));
      assert.equal(bres.code, 0, `${bres.messages.slice(-3000)}\ncaller:\n${a.messages.slice(-3000)}\n${engine.log()}`);
      const invite = /INVITE sip:[\s\S]*?m=audio[^\r\n]*/.exec(bres.messages)?.[0] ?? '';
      assert.match(invite, /m=audio \d+ RTP\/AVP 8$/, 'the sip-info callee is not offered telephone-event');
      const ok = /SIP\/2\.0 200 OK[\s\S]*?m=audio[^\r\n]*/.exec(a.messages)?.[0] ?? '';
      assert.match(ok, /m=audio \d+ RTP\/AVP 8 101$/, 'the rtp-nte caller is offered it, with its own payload type');
      const infos = bres.messages.split(/\r?\n/).filter((l) => /^INFO sip:/.test(l));
      assert.equal(infos.length, 1, 'one INFO per digit, though the end packet came three times');
      assert.match(bres.messages, /Content-Type: application\/dtmf-relay\r?\n[\s\S]*?Signal=1\r?\nDuration=\d+/);
    } finally {
      await app.stop();
    }
  });

  it("turns a sip-info caller's INFO into RFC 4733 packets in the RTP toward an rtp-nte callee", async () => {
    const calleeMp = await freeUdpBlock();
    const b = await callee({ scenario: uasTakesEvents, extra: ['-mp', String(calleeMp)] });
    const app = await startTestApp({
      ...withMedia(engine),
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2001', dtmfRelay: ['sip-info'] },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, dtmfRelay: ['rtp-nte'] },
      ],
    });
    const capture = await Capture.start(`udp and port ${calleeMp}`);
    try {
      const a = await caller(boundPort(app, 'udp'), {
        scenario: uacInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160', true),
      });
      const bres = await b.run;
      // it waits for what was sent before it (see Capture); events under the type the callee was offered
      const offeredTe = Number(/a=rtpmap:(\d+) telephone-event/.exec(bres.messages)?.[1] ?? 101);
      const wire = await capture.stop([calleeMp], offeredTe);
      assert.equal(a.code, 0, a.messages.slice(-2000));
      assert.match(bres.messages, /^INVITE sip:/m, "the callee's message log is there to be read");
      assert.doesNotMatch(bres.messages, /^INFO sip:/m, 'the callee gets no INFO');
      // telephone-event on the rtp-nte leg: 101 from the built-in relay, a dynamic type of rtpengine's own
      const offered = /INVITE sip:[\s\S]*?\r?\n\r?\n[\s\S]*?(?=\r?\n\r?\n-{10})/.exec(bres.messages)?.[0] ?? '';
      const te = Number(/^a=rtpmap:(\d+) telephone-event\/8000/m.exec(offered)?.[1]);
      assert.match(
        offered,
        new RegExp(`^m=audio \\d+ RTP/AVP 8 ${te}\\r?$`, 'm'),
        'the rtp-nte callee is offered telephone-event',
      );
      if (engine.name === 'builtin') assert.equal(te, 101);
      const events = wire.filter((p) => p.dstPort === calleeMp && p.payloadType === te);
      const shape = events.map((p) => [p.event, p.end]);
      if (engine.name === 'builtin')
        assert.deepEqual(
          shape,
          [
            [5, false],
            [5, false],
            [5, false],
            [5, false],
            [5, true],
            [5, true],
            [5, true],
          ],
          'a start packet, updates every 50 ms, then the end three times (RFC 4733)',
        );
      else {
        // rtpengine paces its own updates: digit 5 throughout, updates first, the end three times (RFC 4733 §2.5.1.4)
        const ends = shape.filter(([, end]) => end === true).length;
        assert.ok(
          shape.length >= 5 && shape.every(([e]) => e === 5) && shape[0]?.[1] === false && ends === 3,
          `one digit 5 played by rtpengine: ${JSON.stringify(shape)}\n${engine.log()}`,
        );
        assert.equal(JSON.stringify(shape.slice(-3)), '[[5,true],[5,true],[5,true]]');
      }
      assert.ok(
        events.at(-1)!.time - events[0]!.time >= (engine.name === 'builtin' ? 0.15 : 0.1),
        `paced over the digit's 160 ms, not sent in one burst: ${JSON.stringify(events.map((p) => [p.time, p.end]))}`,
      );
    } finally {
      await capture.stop().catch(() => []);
      await app.stop();
    }
  });
}

const withMedia = (engine: Engine): { media?: MediaSettings } => {
  const media = engine.media();
  return media === undefined ? {} : { media };
};

/** Answer A-law with the telephone-event type it was offered (whatever number the SBC gave it), then the BYE. */
const uasTakesEvents = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uas takes RFC 4733 events">
<recv request="INVITE" rrs="true">
  <action><ereg regexp="a=rtpmap:([0-9]+) telephone-event" search_in="body" check_it="true" assign_to="all,te"/></action>
</recv>
${response('200 OK', 'm=audio [media_port] RTP/AVP 8 [$te]\na=rtpmap:8 PCMA/8000\na=rtpmap:[$te] telephone-event/8000')}
<recv request="ACK"/>
<recv request="BYE"/>
${response('200 OK')}
<Reference variables="all"/>
</scenario>`;

describe('DTMF interworking (dtmfRelay), built-in relay', () =>
  interworking({ name: 'builtin', media: () => undefined, log: () => '' }));

describe('DTMF interworking (dtmfRelay), rtpengine', () => {
  let e: Rtpengine;
  let events = '';
  before(async () => {
    const port = await freePort('udp');
    events = `udp:127.0.0.1:${port}`;
    e = await Rtpengine.start({ dtmfLogDest: `127.0.0.1:${port}` });
  });
  after(() => e.kill());
  interworking({
    name: 'rtpengine',
    log: () => `rtpengine:\n${e.log.slice(-3000)}`,
    media: () => ({ mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }], rtpengineEvents: events }),
  });
});
