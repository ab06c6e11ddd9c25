/**
 * An IPv4 caller and an IPv6 callee, media through rtpengine (one interface of each family): the callee
 * is offered rtpengine's IPv6 address, the caller answered with its IPv4 one, and RTP crosses both ways
 * between the families. Caller and callee are plain sockets, so that every byte on each side is seen.
 * And rtpengine's named interfaces: each leg faced from the one its dial-peer's `mediaInterface` names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer } from '../helpers/net.js';
import { Rtpengine } from '../helpers/rtpengine.js';
import { isRequest, receivedMessage, responseTo } from '../helpers/udp-sip.js';
import { callee, caller } from '../helpers/sipp-pair.js';

const inRange = (port: number, e: Rtpengine): boolean => port >= e.media.portMin && port <= e.media.portMax;

const sdp = (family: 'IP4' | 'IP6', address: string, port: number): string =>
  `v=0\r\no=- 7 1 IN ${family} ${address}\r\ns=-\r\nc=IN ${family} ${address}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`;

/** The connection address and audio port an SDP names. */
function mediaOf(body: string): { address: string; port: number } {
  return {
    address: /^c=IN IP[46] (\S+)/m.exec(body)?.[1] ?? '',
    port: Number(/^m=audio (\d+)/m.exec(body)?.[1] ?? NaN),
  };
}

const rtp = (seq: number): Buffer => {
  const b = Buffer.alloc(172);
  b[0] = 0x80;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(0x1234, 8);
  return b;
};

describe('IPv4 caller to IPv6 callee through rtpengine', () => {
  it('offers each side an rtpengine address of its own family and relays RTP across', async () => {
    const e = await Rtpengine.start({ also: ['::1'] });
    const [caller, callee, callerRtp, calleeRtp] = await Promise.all([
      UdpPeer.open(0, '127.0.0.1'),
      UdpPeer.open(0, '::1'),
      UdpPeer.open(0, '127.0.0.1'),
      UdpPeer.open(0, '::1'),
    ]);
    const app = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'udp:[::1]:0'],
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv6:[::1]:${callee.port}` }],
      media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }] },
    });
    try {
      const port = boundPort(app, 'udp');
      const offer = sdp('IP4', '127.0.0.1', callerRtp.port);
      caller.send(
        requestText({
          method: 'INVITE',
          uri: `sip:2001@127.0.0.1:${port}`,
          via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`,
          branch: 'z9hG4bKfam1',
          callId: 'families-1',
          fromTag: 'caller1',
          extra: [`Contact: <sip:alice@127.0.0.1:${caller.port}>`],
          body: offer,
        }),
        port,
      );
      const invite = await receivedMessage(callee, isRequest('INVITE'));
      assert.ok(invite?.isRequest(), `the IPv6 callee got the INVITE\n${e.log.slice(-1500)}`);
      const toCallee = mediaOf(invite.body.toString('latin1'));
      assert.equal(
        toCallee.address,
        '::1',
        `the callee is offered rtpengine's IPv6 address:\n${invite.body.toString('latin1')}`,
      );
      assert.ok(toCallee.port >= e.media.portMin && toCallee.port <= e.media.portMax, "and one of rtpengine's ports");
      const ok = responseTo(invite, '200 OK', {
        tag: 'callee1',
        sdp: sdp('IP6', '::1', calleeRtp.port),
      }).replace(/\r\n\r\n/, `\r\nContact: <sip:bob@[::1]:${callee.port}>\r\n\r\n`);
      callee.send(
        ok.replace(/Content-Length: \d+/, `Content-Length: ${Buffer.byteLength(sdp('IP6', '::1', calleeRtp.port))}`),
        boundPort(app, 'udp', true),
        '::1',
      );
      const answered = await receivedMessage(caller, (m) => m.isResponse() && m.status === 200);
      assert.ok(answered?.isResponse(), 'the caller got the 200');
      const toCaller = mediaOf(answered.body.toString('latin1'));
      assert.equal(
        toCaller.address,
        '127.0.0.1',
        `the caller is answered with rtpengine's IPv4 address:\n${answered.body.toString('latin1')}`,
      );

      // RTP both ways: the caller's packets reach the callee over IPv6, its answers come back over IPv4
      for (let seq = 1; seq <= 5; seq++) callerRtp.send(rtp(seq), toCaller.port, '127.0.0.1');
      await calleeRtp.waitFor(5, 10_000);
      assert.equal(calleeRtp.received.length, 5, "the IPv6 callee got the IPv4 caller's RTP");
      for (let seq = 11; seq <= 15; seq++) calleeRtp.send(rtp(seq), toCallee.port, '::1');
      await callerRtp.waitFor(5, 10_000);
      assert.deepEqual(
        // a burst may be reordered by rtpengine's worker threads: every packet counts, not their order
        callerRtp.received.map((b) => b.readUInt16BE(2)).sort((x, y) => x - y),
        [11, 12, 13, 14, 15],
        "and the caller the callee's",
      );

      caller.send(
        requestText({
          method: 'BYE',
          uri: `sip:sbc@127.0.0.1:${port}`,
          via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`,
          branch: 'z9hG4bKfam2',
          callId: 'families-1',
          fromTag: 'caller1',
          toTag: answered.to().params.get('tag') ?? '',
          cseq: 2,
        }),
        port,
      );
      assert.ok(await receivedMessage(callee, isRequest('BYE')), 'the BYE reached the callee');
      assert.ok(await eventually(() => app.b2bua.callCount === 0));
    } finally {
      await app.stop();
      for (const p of [caller, callee, callerRtp, calleeRtp]) p.close();
      await e.kill();
    }
  });

  it("faces each leg with its dial-peer's rtpengine interface (mediaInterface): inside toward the PBX, outside toward the carrier", async () => {
    const e = await Rtpengine.start({ interfaces: ['inside/127.0.0.1', 'outside/127.0.0.2'] });
    const b = await callee({ timeoutMs: 30_000 });
    const app = await startTestApp({
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2001', mediaInterface: 'inside' },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, mediaInterface: 'outside' },
      ],
      media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }] },
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { timeoutMs: 30_000 });
      const answered = await b.run;
      assert.equal(a.code, 0, a.messages.slice(-2000));
      const toCarrier = /INVITE sip:[\s\S]*?\r?\n\r?\n([\s\S]*?m=audio[^\r\n]*)/.exec(answered.messages)?.[1] ?? '';
      assert.deepEqual(
        [mediaOf(toCarrier).address, inRange(mediaOf(toCarrier).port, e)],
        ['127.0.0.2', true],
        `the carrier is offered the outside address:\n${toCarrier}`,
      );
      const toPbx = /SIP\/2\.0 200 OK[\s\S]*?\r?\n\r?\n([\s\S]*?m=audio[^\r\n]*)/.exec(a.messages)?.[1] ?? '';
      assert.deepEqual(
        [mediaOf(toPbx).address, inRange(mediaOf(toPbx).port, e)],
        ['127.0.0.1', true],
        `the PBX is answered with the inside one:\n${toPbx}`,
      );
    } finally {
      await app.stop();
      await e.kill();
    }
  });
});
