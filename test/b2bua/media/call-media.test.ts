/**
 * CallMedia with a real media engine on loopback: telephone-event payload types that differ between the
 * legs are renumbered by the relay (RFC 4733 with RFC 3264 §6.1 numbering), as happens when the SBC wrote
 * one leg's offer itself (early offer forced) and the caller answers with a number of its own; after a
 * restart a new relay renumbers and detects DTMF (interworking) as the old one did, from the call's snapshot.
 */
import { eventually } from '../../helpers/eventually.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallMedia, MediaFailure } from '../../../src/b2bua/media/call-media.js';
import { BuiltinRelay } from '../../../src/media/builtin-relay.js';
import { PortPool } from '../../../src/media/port-pool.js';
import { Sdp } from '../../../src/media/sdp.js';
import { freePort, relayRange, sleep } from '../../helpers/net.js';
import { RtpEndpoint } from '../../helpers/rtp.js';

const sdp = (port: number, nte: number): Buffer =>
  Buffer.from(
    [
      'v=0',
      'o=- 1 1 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${port} RTP/AVP 0 ${nte}`,
      'a=rtpmap:0 PCMU/8000',
      `a=rtpmap:${nte} telephone-event/8000`,
      `a=fmtp:${nte} 0-15`,
      'a=sendrecv',
      '',
    ].join('\r\n'),
    'latin1',
  );

const portOf = (body: Buffer): number => Sdp.parse(body.toString('latin1')).media[0]!.port;

/** An RFC 4733 end packet for `event` (payload: event, E bit, volume 10, duration 800). */
const digitEnd = (seq: number, pt: number, event: number): Buffer => {
  const b = Buffer.alloc(16);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(0x1000, 4);
  b.writeUInt32BE(0x4321, 8);
  b[12] = event;
  b[13] = 0x80 | 10;
  b.writeUInt16BE(800, 14);
  return b;
};

describe('CallMedia telephone-event numbering', () => {
  it('renumbers DTMF toward a caller that answered the SBC-made offer with another payload type', async () => {
    const start = (await freePort('udp')) & ~1;
    const engine = new BuiltinRelay({ pool: new PortPool(start, start + 7), address: '127.0.0.1' });
    const [a, b] = await Promise.all([RtpEndpoint.open(), RtpEndpoint.open()]);
    const media = new CallMedia(engine, '127.0.0.1', 'call-nte');
    try {
      await media.prepareOwnOffer(); // the caller sent no SDP (delayed offer)
      const offerToB = media.ownOffer();
      assert.match(offerToB.toString(), /a=rtpmap:101 telephone-event/);
      const toA = media.rewrite('b', sdp(b.port, 101), 'offer'); // the callee's answer, offered to the caller
      assert.equal(media.absorb('a', sdp(a.port, 100)), null); // the caller answers (in the ACK) with 100 for telephone-event
      await sleep(50);
      b.send(portOf(offerToB), [1], '127.0.0.1', 101); // the callee sends DTMF as it was offered: 101
      b.send(portOf(offerToB), [2], '127.0.0.1', 0);
      await a.waitFor(2);
      assert.deepEqual(
        a.received.map((r) => r.payloadType),
        [100, 0],
        'the caller gets DTMF with its own number',
      );
      a.send(portOf(toA), [3], '127.0.0.1', 101); // the caller sends with the number it was offered
      await b.waitFor(1);
      assert.equal(b.received[0]?.payloadType, 101, 'toward the callee nothing needs renumbering');
    } finally {
      media.close();
      a.close();
      b.close();
      await engine.stop();
    }
  });

  it('rejects unreadable SDP with 488 instead of throwing at its caller (a fuzzed INVITE once left its call waiting forever)', async () => {
    const start = (await freePort('udp')) & ~1;
    const engine = new BuiltinRelay({ pool: new PortPool(start, start + 7), address: '127.0.0.1' });
    const media = new CallMedia(engine, '127.0.0.1', 'call-bad-sdp');
    try {
      const bad = Buffer.from(
        'v=0\r\no=a 1 0 IN IP6 ::ffff:192.0.2.2\r\ns=-\r\nc=IN IP6 ::ffff:192.0.2.2\r\nt=0 0\r\nm,=audio 6000 RTP/AVP 2\r\n',
        'latin1',
      );
      let opening: Promise<void> | undefined;
      assert.doesNotThrow(() => {
        opening = media.prepare('a', bad);
      });
      await assert.rejects(
        opening as Promise<void>,
        (err: unknown) => err instanceof MediaFailure && err.status === 488,
      );
    } finally {
      media.close();
      await engine.stop();
    }
  });

  it('renumbers DTMF again after a restart, from the snapshot alone', async () => {
    const range = relayRange(4);
    const pool = (): PortPool => new PortPool(range.portMin, range.portMax);
    const before = new BuiltinRelay({ pool: pool(), address: '127.0.0.1' });
    const [a, b] = await Promise.all([RtpEndpoint.open(), RtpEndpoint.open()]);
    const first = new CallMedia(before, '127.0.0.1', 'call-restart');
    let after: BuiltinRelay | undefined;
    let again: CallMedia | undefined;
    try {
      await first.prepareOwnOffer();
      const offerToB = first.ownOffer(); // telephone-event 101 toward the callee
      const toA = first.rewrite('b', sdp(b.port, 101), 'offer');
      assert.equal(first.absorb('a', sdp(a.port, 100)), null); // the caller wants 100
      const snap = first.snapshot();
      assert.ok(snap !== null);
      assert.deepEqual(snap.telephoneEvents?.wanted.a, { stream: 0, pt: 100 });
      await before.stop(); // the old process dies with its relay
      after = new BuiltinRelay({ pool: pool(), address: '127.0.0.1' });
      again = new CallMedia(after, '127.0.0.1', 'call-restart');
      assert.equal(await again.restore(JSON.parse(JSON.stringify(snap)) as typeof snap), 'same');
      await sleep(50);
      b.send(portOf(offerToB), [1], '127.0.0.1', 101);
      await a.waitFor(1);
      assert.equal(a.received[0]?.payloadType, 100, 'the new relay renumbers toward the caller as the old one did');
      a.send(portOf(toA), [2], '127.0.0.1', 101);
      await b.waitFor(1);
      assert.equal(b.received[0]?.payloadType, 101);
    } finally {
      again?.close();
      a.close();
      b.close();
      await after?.stop();
    }
  });

  it('detects DTMF for SIP INFO again after a restart (interworking: rtp-nte caller, sip-info callee)', async () => {
    const range = relayRange(4);
    const pool = (): PortPool => new PortPool(range.portMin, range.portMax);
    const digits: Array<[string, number]> = [];
    const before = new BuiltinRelay({ pool: pool(), address: '127.0.0.1' });
    const [a, b] = await Promise.all([RtpEndpoint.open(), RtpEndpoint.open()]);
    const first = new CallMedia(before, '127.0.0.1', 'call-iw');
    first.dtmf.a = 'rtp-nte';
    first.dtmf.b = 'sip-info';
    let after: BuiltinRelay | undefined;
    let again: CallMedia | undefined;
    try {
      await first.prepare('a', sdp(a.port, 101));
      first.rewrite('a', sdp(a.port, 101), 'offer');
      const toA = first.rewrite('b', sdp(b.port, 101));
      assert.equal(first.takesInfoFrom('b'), true);
      const snap = first.snapshot();
      assert.ok(snap !== null);
      await before.stop();
      after = new BuiltinRelay({
        pool: pool(),
        address: '127.0.0.1',
        onDtmf: (id, side, event) => digits.push([`${id}/${side}`, event]),
      });
      again = new CallMedia(after, '127.0.0.1', 'call-iw');
      again.dtmf.a = 'rtp-nte';
      again.dtmf.b = 'sip-info';
      assert.equal(await again.restore(snap), 'same');
      assert.equal(again.takesInfoFrom('b'), true, 'INFO from the callee still becomes RTP toward the caller');
      await sleep(50);
      a.socket.send(digitEnd(7, 101, 5), portOf(toA), '127.0.0.1');
      a.send(portOf(toA), [8], '127.0.0.1', 0);
      await b.waitFor(1);
      await eventually(() => digits.length > 0);
      assert.deepEqual(digits, [['call-iw/a', 5]], "the caller's digit is reported for INFO");
      assert.deepEqual(
        b.received.map((r) => r.payloadType),
        [0],
        'and not relayed as RTP to the sip-info callee',
      );
    } finally {
      again?.close();
      a.close();
      b.close();
      await after?.stop();
    }
  });

  it('moves to new ports when one of its own is taken, and re-offers each leg its last SDP there with a new o= version', async () => {
    const range = relayRange(8);
    const before = new BuiltinRelay({ pool: new PortPool(range.portMin, range.portMax), address: '127.0.0.1' });
    const [a, b] = await Promise.all([RtpEndpoint.open(), RtpEndpoint.open()]);
    const first = new CallMedia(before, '127.0.0.1', 'call-moved');
    let after: BuiltinRelay | undefined;
    let again: CallMedia | undefined;
    let squatter: RtpEndpoint | undefined;
    try {
      await first.prepare('a', sdp(a.port, 101));
      const toB = first.rewrite('a', sdp(a.port, 101), 'offer');
      const toA = first.rewrite('b', sdp(b.port, 101));
      const snap = first.snapshot();
      assert.ok(snap !== null);
      await before.stop();
      squatter = await RtpEndpoint.open('127.0.0.1', portOf(toA)); // another process takes the port that faced the caller
      after = new BuiltinRelay({ pool: new PortPool(range.portMin, range.portMax), address: '127.0.0.1' });
      again = new CallMedia(after, '127.0.0.1', 'call-moved');
      assert.equal(await again.restore(snap), 'moved');
      const offerA = again.reoffer('a')?.toString('latin1') ?? '';
      const newA = Number(/m=audio (\d+) /.exec(offerA)?.[1]);
      assert.notEqual(newA, portOf(toA), 'a new port faces the caller');
      const version = (body: string): string => /^o=FoSIP \d+ (\d+) /m.exec(body)?.[1] ?? '';
      assert.equal(
        Number(version(offerA)),
        Number(version(toA.toString('latin1'))) + 1,
        'the same session, one version on',
      );
      assert.match(offerA, /a=rtpmap:101 telephone-event\/8000/, 'the rest of the SDP is what the caller had');
      const offerB = again.reoffer('b')?.toString('latin1') ?? '';
      assert.notEqual(Number(/m=audio (\d+) /.exec(offerB)?.[1]), portOf(toB));
      // the far ends answer on their old ports; media flows through the new ones
      assert.equal(again.absorb('a', sdp(a.port, 101)), null);
      assert.equal(again.absorb('b', sdp(b.port, 101)), null);
      await sleep(50);
      a.send(newA, [1, 2], '127.0.0.1', 0);
      await b.waitFor(2);
      assert.deepEqual(
        b.received.map((r) => r.seq),
        [1, 2],
      );
    } finally {
      again?.close();
      squatter?.close();
      a.close();
      b.close();
      await after?.stop();
    }
  });

  it('carries SRTP untouched: no DTMF interworking or renumbering on it, said once, and marked SRTP in the record', async () => {
    const start = (await freePort('udp')) & ~1;
    const engine = new BuiltinRelay({ pool: new PortPool(start, start + 7), address: '127.0.0.1' });
    const notes: string[] = [];
    const media = new CallMedia(engine, '127.0.0.1', 'call-srtp', (what) => notes.push(what));
    media.dtmf.a = 'rtp-nte';
    media.dtmf.b = 'sip-info';
    try {
      const secure = (port: number): Buffer =>
        Buffer.from(
          sdp(port, 101)
            .toString('latin1')
            .replace('RTP/AVP', 'RTP/SAVP')
            .replace(
              'a=sendrecv',
              'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:m9evfqVbDJ65f4xlsWBNM4POsRzyGIMDrrnFFkiS\r\na=ssrc:77 cname:alice@10.0.0.1\r\na=sendrecv',
            ),
          'latin1',
        );
      await media.prepare('a', secure(4000));
      const toB = media.rewrite('a', secure(4000), 'offer').toString('latin1');
      assert.match(toB, /m=audio \d+ RTP\/SAVP 0 101\r\n/, 'telephone-event stays: the packets are not ours to change');
      assert.match(toB, /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:m9ev/, 'and the keys cross as they are');
      assert.match(
        toB,
        /^a=ssrc:77 cname:alice@10\.0\.0\.1\r$/m,
        "the CNAME its SRTCP carries, which the relay can't hide",
      );
      media.rewrite('b', secure(6000), 'answer');
      assert.equal(media.takesInfoFrom('b'), false, 'INFO passes as INFO');
      assert.equal(notes.length, 1, notes.join('\n'));
      assert.match(notes[0] ?? '', /SRTP relayed untouched/);
      assert.ok(media.record().streams.every((st) => st.srtp === true));
    } finally {
      media.close();
      await engine.stop();
    }
  });
});
