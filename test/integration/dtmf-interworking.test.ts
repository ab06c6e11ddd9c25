/**
 * DTMF interworking with real SIPp: the caller's leg is `dtmfRelay: rtp-nte` and plays an RFC 2833 digit;
 * the callee's leg is `sip-info`. The callee is not offered telephone-event, the caller is (although the
 * callee's answer had none), and the digit reaches the callee as one SIP INFO application/dtmf-relay.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freeUdpBlock } from '../helpers/net.js';
import { digitCall } from '../helpers/pcap-scenarios.js';
import { uacInfo } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { Capture } from '../helpers/tshark.js';

const response = (status: string, sdp: boolean): string => `<send${sdp ? ' retrans="500"' : ''}><![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:]${sdp ? ';tag=[pid]SIPpTag01[call_number]' : ''}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
${
  sdp
    ? `Content-Type: application/sdp
Content-Length: [len]

v=0
o=callee 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8
a=rtpmap:8 PCMA/8000`
    : 'Content-Length: 0'
}

]]></send>`;

/** Answer with PCMA only (no telephone-event), then take one INFO and the BYE. */
const uasInfo = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uas takes DTMF as INFO">
<recv request="INVITE" rrs="true"/>
${response('200 OK', true)}
<recv request="ACK"/>
<recv request="INFO"/>
${response('200 OK', false)}
<recv request="BYE"/>
${response('200 OK', false)}
</scenario>`;

describe('DTMF interworking (dtmfRelay)', () => {
  it("turns the caller's RFC 2833 digit into one SIP INFO to a sip-info callee", async () => {
    const b = await callee({ scenario: uasInfo });
    const app = await startTestApp({
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
      assert.equal(bres.code, 0, bres.messages.slice(-3000));
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
    const b = await callee({ extra: ['-mp', String(calleeMp)] });
    const app = await startTestApp({
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2001', dtmfRelay: ['sip-info'] },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, dtmfRelay: ['rtp-nte'] },
      ],
    });
    const capture = await Capture.start(`udp and port ${calleeMp}`);
    try {
      const a = await caller(boundPort(app, 'udp'), {
        scenario: uacInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160'),
      });
      const bres = await b.run;
      const wire = await capture.stop([calleeMp]); // it waits for what was sent before it (see Capture)
      assert.equal(a.code, 0, a.messages.slice(-2000));
      assert.match(bres.messages, /^INVITE sip:/m, "the callee's message log is there to be read");
      assert.doesNotMatch(bres.messages, /^INFO sip:/m, 'the callee gets no INFO');
      assert.match(
        /INVITE sip:[\s\S]*?\r?\n\r?\n[\s\S]*?m=audio[^\r\n]*/.exec(bres.messages)?.[0] ?? '',
        /m=audio \d+ RTP\/AVP 0 101$/,
        'the rtp-nte callee is offered telephone-event',
      );
      const events = wire.filter((p) => p.dstPort === calleeMp && p.payloadType === 101);
      assert.deepEqual(
        events.map((p) => [p.event, p.end]),
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
      assert.ok(events.at(-1)!.time - events[0]!.time >= 0.15, "paced over the digit's 160 ms, not sent in one burst");
    } finally {
      await capture.stop().catch(() => []);
      await app.stop();
    }
  });
});
