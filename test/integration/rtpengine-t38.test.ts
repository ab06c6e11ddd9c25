/**
 * Fax through rtpengine (pass-through, not a gateway): an audio call switches to T.38 with a re-INVITE
 * (`m=image ... udptl t38`), UDPTL datagrams cross both ways unchanged through rtpengine's ports, and a
 * second re-INVITE switches back to audio, whose RTP crosses again. Caller and callee are plain sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipMessage } from '../../src/sip/sip-message.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer } from '../helpers/net.js';
import { Rtpengine } from '../helpers/rtpengine.js';
import { receivedMessages, responseTo } from '../helpers/udp-sip.js';

const session = (m: string): string => `v=0\r\no=- 9 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${m}`;
const audio = (port: number): string => session(`m=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`);
const fax = (port: number): string =>
  session(
    `m=image ${port} udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxRateManagement:transferredTCF\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n`,
  );

/** The media line an SDP body carries. */
const mline = (m: SipMessage | undefined): string =>
  /^m=\S+ \d+ .*$/m.exec(m?.body.toString('latin1') ?? '')?.[0] ?? '';
const portOf = (m: SipMessage | undefined): number => Number(/^m=\S+ (\d+)/m.exec(mline(m))?.[1] ?? NaN);

/** A datagram that is not RTP (UDPTL's first byte is a sequence number, not version 2). */
const udptl = (n: number): Buffer => Buffer.from([0x00, n, 0x00, 0x05, 0xc0, 0x01, 0x80, 0x00, n]);

describe('T.38 fax through rtpengine', () => {
  it('relays a re-INVITE to T.38 and UDPTL both ways, then back to audio', async () => {
    const e = await Rtpengine.start();
    const peers = await Promise.all([0, 1, 2, 3, 4, 5].map(() => UdpPeer.open(0, '127.0.0.1')));
    const [caller, callee, callerAudio, calleeAudio, callerFax, calleeFax] = peers as [
      UdpPeer,
      UdpPeer,
      UdpPeer,
      UdpPeer,
      UdpPeer,
      UdpPeer,
    ];
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${callee.port}` }],
      media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }] },
    });
    const sbc = boundPort(app, 'udp');
    let toTag = '';
    /** A request of the caller's in the call (the INVITE first, then re-INVITEs, ACKs, the BYE). */
    const fromCaller = (method: string, cseq: number, body = '', cseqMethod = method): void =>
      caller.send(
        requestText({
          method,
          uri: `sip:2001@127.0.0.1:${sbc}`,
          via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`,
          branch: `z9hG4bKt38${method}${cseq}`,
          callId: 't38-call',
          fromTag: 'caller1',
          ...(toTag !== '' ? { toTag } : {}),
          cseq,
          cseqMethod,
          extra: [`Contact: <sip:alice@127.0.0.1:${caller.port}>`],
          body,
        }),
        sbc,
      );
    /** The callee's n-th INVITE (the first, then re-INVITEs), answered 200 with `sdp`; the caller's 200 of CSeq `cseq`. */
    const answer = async (n: number, sdp: string, cseq: number): Promise<{ offer: SipMessage; ok: SipMessage }> => {
      const invites = await receivedMessages(callee, (m) => m.isRequest() && m.method === 'INVITE', n);
      const offer = invites[n - 1];
      assert.ok(offer?.isRequest(), `the callee got INVITE number ${n}\n${e.log.slice(-1500)}`);
      callee.send(
        responseTo(offer, '200 OK', { ...(n === 1 ? { tag: 'callee1' } : {}), contactPort: callee.port, sdp }),
        sbc,
      );
      const oks = await receivedMessages(caller, (m) => m.isResponse() && m.status === 200 && m.cseq().seq === cseq);
      const ok = oks[0];
      assert.ok(ok?.isResponse(), `the caller got the 200 of CSeq ${cseq}`);
      return { offer, ok };
    };
    try {
      fromCaller('INVITE', 1, audio(callerAudio.port));
      const call = await answer(1, audio(calleeAudio.port), 1);
      toTag = call.ok.to().params.get('tag') ?? '';
      fromCaller('ACK', 1, '', 'ACK');

      // to T.38
      fromCaller('INVITE', 2, fax(callerFax.port));
      const toFax = await answer(2, fax(calleeFax.port), 2);
      assert.match(mline(toFax.offer), /^m=image \d+ udptl t38$/, 'the callee is offered T.38');
      assert.match(mline(toFax.ok), /^m=image \d+ udptl t38$/, 'the caller is answered T.38');
      const [faxToCallee, faxToCaller] = [portOf(toFax.offer), portOf(toFax.ok)];
      for (const p of [faxToCallee, faxToCaller])
        assert.ok(p >= e.media.portMin && p <= e.media.portMax, `rtpengine's port (${p})`);
      fromCaller('ACK', 2, '', 'ACK');
      for (let n = 1; n <= 3; n++) callerFax.send(udptl(n), faxToCaller);
      assert.ok(
        await eventually(() => calleeFax.received.length >= 3),
        `the callee got the fax datagrams\n${e.log.slice(-1500)}`,
      );
      assert.deepEqual(calleeFax.received.slice(0, 3), [1, 2, 3].map(udptl), 'unchanged');
      for (let n = 11; n <= 13; n++) calleeFax.send(udptl(n), faxToCallee);
      assert.ok(await eventually(() => callerFax.received.length >= 3), "and the caller the callee's");
      assert.deepEqual(callerFax.received.slice(0, 3), [11, 12, 13].map(udptl));

      // back to audio
      fromCaller('INVITE', 3, audio(callerAudio.port));
      const back = await answer(3, audio(calleeAudio.port), 3);
      assert.match(mline(back.offer), /^m=audio \d+ RTP\/AVP 0$/);
      assert.match(mline(back.ok), /^m=audio \d+ RTP\/AVP 0$/);
      fromCaller('ACK', 3, '', 'ACK');
      const rtp = Buffer.concat([Buffer.from([0x80, 0x00, 0x00, 0x07]), Buffer.alloc(168)]);
      callerAudio.send(rtp, portOf(back.ok));
      assert.ok(await eventually(() => calleeAudio.received.length >= 1), 'audio crosses again after the fax');

      fromCaller('BYE', 4);
      assert.ok((await receivedMessages(callee, (m) => m.isRequest() && m.method === 'BYE')).length === 1);
      assert.ok(await eventually(async () => (await e.calls()).length === 0), 'rtpengine let go of the call');
    } finally {
      await app.stop();
      for (const p of peers) p.close();
      await e.kill();
    }
  });
});
