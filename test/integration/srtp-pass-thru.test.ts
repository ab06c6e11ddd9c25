/**
 * SRTP through the built-in relay is carried untouched (issue 18): the caller's leg is `dtmfRelay rtp-nte`
 * and the callee's `sip-info`, which for plain RTP makes the relay take the caller's telephone-event
 * packets out of the stream (they become SIP INFO) and put DTMF into the caller's; for SRTP either would
 * break the packets' authentication, so what leaves the SBC on each leg must be, byte for byte, what came
 * in on the other, telephone-events included. Checked on the wire with tshark.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import type { SipMessage } from '../../src/sip/sip-message.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer } from '../helpers/net.js';
import { Capture } from '../helpers/tshark.js';
import { isRequest, receivedMessage, responseTo } from '../helpers/udp-sip.js';

const KEY = 'inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz';
const srtpSdp = (port: number, eventPt: number): string =>
  'v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n' +
  `m=audio ${port} RTP/SAVP 0 ${eventPt}\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:${eventPt} telephone-event/8000\r\n` +
  `a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${KEY}\r\na=sendrecv\r\n`;

const portOf = (m: SipMessage | undefined): number =>
  Number(/^m=audio (\d+)/m.exec(m?.body.toString('latin1') ?? '')?.[1] ?? NaN);

/** An SRTP packet as the relay sees it: an RTP header in clear, then encrypted payload and a 10-byte tag. */
function srtpPacket(seq: number, pt: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = pt;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(seq * 160, 4);
  header.writeUInt32BE(0x5eed, 8);
  return Buffer.concat([header, crypto.randomBytes(160 + 10)]);
}

describe('SRTP through the built-in relay', () => {
  it('leaves every packet byte-identical on both legs, even where plain RTP would be renumbered', async () => {
    const [caller, callee, callerMedia, calleeMedia] = await Promise.all(
      [0, 1, 2, 3].map(() => UdpPeer.open(0, '127.0.0.1')),
    );
    const app = await startTestApp({
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2001', dtmfRelay: ['rtp-nte'] },
        {
          tag: 1,
          destinationPattern: '2...',
          sessionTarget: `ipv4:127.0.0.1:${callee!.port}`,
          dtmfRelay: ['sip-info'],
        },
      ],
      media: { mode: 'flow-through' },
    });
    const sbc = boundPort(app, 'udp');
    let capture: Capture | null = null;
    try {
      caller!.send(
        requestText({
          method: 'INVITE',
          uri: `sip:2001@127.0.0.1:${sbc}`,
          via: `SIP/2.0/UDP 127.0.0.1:${caller!.port}`,
          branch: 'z9hG4bKsrtp1',
          callId: 'srtp-call',
          fromTag: 'caller1',
          extra: [`Contact: <sip:alice@127.0.0.1:${caller!.port}>`],
          body: srtpSdp(callerMedia!.port, 101),
        }),
        sbc,
      );
      const offer = await receivedMessage(callee!, isRequest('INVITE'));
      assert.ok(offer?.isRequest(), 'the callee got the INVITE');
      const offered = offer.body.toString('latin1');
      assert.match(offered, /^m=audio \d+ RTP\/SAVP 0 101\r$/m, 'offered as SRTP');
      assert.ok(offered.includes(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 ${KEY}`), 'with the caller key, unchanged');
      callee!.send(
        responseTo(offer, '200 OK', { tag: 'callee1', contactPort: callee!.port, sdp: srtpSdp(calleeMedia!.port, 96) }),
        sbc,
      );
      const ok = await receivedMessage(caller!, (m) => m.isResponse() && m.status === 200);
      assert.ok(ok !== undefined, 'the caller got the 200');
      const [towardCallee, towardCaller] = [portOf(offer), portOf(ok)];
      capture = await Capture.start(
        `udp and (dst port ${towardCaller} or dst port ${towardCallee} or dst port ${callerMedia!.port} or dst port ${calleeMedia!.port})`,
      );
      const fromCaller = [0, 101, 0, 101, 0, 0].map((pt, i) => srtpPacket(100 + i, pt));
      const fromCallee = [0, 96, 0, 96, 0, 0].map((pt, i) => srtpPacket(500 + i, pt));
      for (const p of fromCaller) callerMedia!.send(p, towardCaller);
      assert.ok(await eventually(() => calleeMedia!.received.length >= fromCaller.length), 'the callee got them all');
      for (const p of fromCallee) calleeMedia!.send(p, towardCallee);
      assert.ok(await eventually(() => callerMedia!.received.length >= fromCallee.length), 'the caller got them all');
      const wire = await capture.stop();
      const payloads = (dst: number): string[] =>
        wire
          .filter((p) => p.dstPort === dst)
          .map((p) => p.payload ?? '')
          .sort();
      const hex = (ps: Buffer[]): string[] => ps.map((p) => p.toString('hex')).sort();
      assert.deepEqual(payloads(towardCaller), hex(fromCaller), 'tshark saw the caller send them');
      assert.deepEqual(payloads(calleeMedia!.port), hex(fromCaller), 'and the callee receive them unchanged');
      assert.deepEqual(payloads(towardCallee), hex(fromCallee), 'tshark saw the callee send its own');
      assert.deepEqual(payloads(callerMedia!.port), hex(fromCallee), 'and the caller receive them unchanged');
    } finally {
      await capture?.stop().catch(() => []);
      await app.stop();
      for (const p of [caller, callee, callerMedia, calleeMedia]) p!.close();
    }
  });
});
