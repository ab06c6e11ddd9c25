/** A call's media on rtpengine, against a fake fleet that records the ng commands it is given. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaFailure } from '../../../src/b2bua/media/media-failure.js';
import { RtpengineCallMedia } from '../../../src/b2bua/media/rtpengine-call-media.js';
import type { RtpengineFleet } from '../../../src/media/rtpengine/fleet.js';
import { NgError, type NgDict } from '../../../src/media/rtpengine/ng-client.js';

const sdp = (port: number, dir = 'sendrecv'): Buffer =>
  Buffer.from(
    `v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 8\r\na=${dir}\r\n`,
  );

const rtpStream = (port: number, from: number, packets: number, extra: NgDict = {}): NgDict => ({
  'local port': port,
  endpoint: { family: 'IPv4', address: '10.0.0.1', port: from },
  flags: ['RTP', 'filled', 'confirmed'],
  'last packet': 1796300863,
  stats: { packets, bytes: packets * 172, errors: 1 },
  ...extra,
});
const rtcpStream: NgDict = { 'local port': 1, flags: ['RTCP'], stats: { packets: 3, bytes: 300, errors: 0 } };

/** What rtpengine 10.5 answers to `query` (and `delete`), cut to what matters: one audio medium per leg. */
const QUERY_REPLY: NgDict = {
  SSRC: {
    '1234': {
      packets: 50,
      'cumulative loss': 7,
      'average MOS': { MOS: 43, 'round-trip time': 24000, jitter: 3, 'packet loss': 1 },
    },
  },
  tags: {
    'fosip-a': {
      tag: 'fosip-a',
      medias: [{ index: 1, streams: [rtpStream(6054, 4000, 50, { SSRC: 1234 }), rtcpStream] }],
    },
    'fosip-b': { tag: 'fosip-b', medias: [{ index: 1, streams: [rtpStream(6042, 6000, 20), rtcpStream] }] },
  },
};

/** A fleet whose instance answers every offer/answer with its own port (5000 + n) and records what it got. */
function fakeFleet(fail?: (cmd: string) => Error | null) {
  const commands: Array<{ command: string; args: NgDict }> = [];
  let n = 0;
  const fleet = {
    sessionOpened: () => undefined,
    sessionClosed: () => undefined,
    choose: () => null, // no other instance
    command: (_ng: string, command: string, args: NgDict = {}) => {
      commands.push({ command, args });
      const err = fail?.(command) ?? null;
      if (err !== null) return Promise.reject(err);
      const reply: NgDict = { result: 'ok' };
      if (command === 'offer' || command === 'answer') reply['sdp'] = sdp(5000 + n++).toString('latin1');
      if (command === 'query' || command === 'delete') Object.assign(reply, QUERY_REPLY);
      return Promise.resolve(reply);
    },
  } as unknown as RtpengineFleet;
  return { fleet, commands };
}

describe('RtpengineCallMedia', () => {
  it("tags the legs' monologues, offers and answers in turn, and deletes the call when it ends", async () => {
    const { fleet, commands } = fakeFleet();
    const m = new RtpengineCallMedia({ fleet, ng: 'udp:127.0.0.1:1', id: 'call-1' });
    await m.prepare('a', sdp(4000));
    assert.equal(m.open, true);
    assert.match(m.rewrite('a', sdp(4000), 'offer').toString(), /m=audio 5000 /);
    const answer = m.settle('b', sdp(6000), 'answer');
    assert.ok(answer !== null, 'an answer needs a round trip');
    await answer;
    assert.equal(m.settle('b', sdp(6000), 'answer'), null, 'once settled, its rewrite is there');
    assert.match(m.rewrite('b', sdp(6000), 'answer').toString(), /m=audio 5001 /);
    m.close();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      commands.map((c) => [c.command, c.args['call-id'], c.args['from-tag'], c.args['to-tag'] ?? null]),
      [
        ['offer', 'call-1', 'fosip-a', null],
        ['answer', 'call-1', 'fosip-a', 'fosip-b'],
        ['delete', 'call-1', 'fosip-a', null],
      ],
    );
    assert.equal(commands[0]?.args['ICE'], 'remove');
  });

  it('sends the same SDP again once another command came between (a resume after a hold)', async () => {
    const { fleet, commands } = fakeFleet();
    const m = new RtpengineCallMedia({ fleet, ng: 'udp:127.0.0.1:1', id: 'c' });
    await m.prepare('a', sdp(4000));
    await m.settle('b', sdp(6000), 'answer');
    await m.prepareMore('a', sdp(4000, 'sendonly'));
    await m.prepareMore('a', sdp(4000));
    assert.deepEqual(
      commands.map((c) => [c.command, c.args['to-tag'] ?? null]),
      [
        ['offer', null],
        ['answer', 'fosip-b'],
        ['offer', 'fosip-b'],
        ['offer', 'fosip-b'],
      ],
    );
    assert.match(m.rewrite('a', sdp(4000), 'offer').toString(), /m=audio 5003 /, "the resume's own rewrite");
  });

  it('shares one command among retransmissions of the same SDP, and refuses to rewrite SDP rtpengine has not seen', async () => {
    const { fleet, commands } = fakeFleet();
    const m = new RtpengineCallMedia({ fleet, ng: 'udp:127.0.0.1:1', id: 'c' });
    await Promise.all([m.prepare('a', sdp(4000)), m.prepare('a', sdp(4000))]);
    assert.equal(commands.length, 1);
    assert.throws(
      () => m.rewrite('b', sdp(7000), 'answer'),
      (e: unknown) => e instanceof MediaFailure && e.status === 488,
    );
  });

  it('turns a refusal into 488 and silence into 503; with no instance up the call gets 503 without a command', async () => {
    const saysNo = fakeFleet((cmd) => (cmd === 'offer' ? new NgError('refused', 'rtpengine x: bad SDP') : null));
    const refused = new RtpengineCallMedia({ fleet: saysNo.fleet, ng: 'x', id: 'c' });
    await assert.rejects(
      refused.prepare('a', sdp(1)),
      (e: unknown) => e instanceof MediaFailure && e.status === 488 && /bad SDP/.test(e.message),
    );
    refused.close();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      saysNo.commands.map((c) => c.command),
      ['offer'],
      'a refused offer left nothing to delete',
    );
    const mute = fakeFleet((cmd) => (cmd === 'offer' ? new NgError('timeout', 'rtpengine x did not answer') : null));
    const silent = new RtpengineCallMedia({ fleet: mute.fleet, ng: 'x', id: 'c' });
    await assert.rejects(silent.prepare('a', sdp(1)), (e: unknown) => e instanceof MediaFailure && e.status === 503);
    silent.close();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      mute.commands.map((c) => c.command),
      ['offer', 'delete'],
      'an unanswered offer may have been done: deleted',
    );
    const { fleet, commands } = fakeFleet();
    const none = new RtpengineCallMedia({ fleet, ng: null, id: 'c' });
    await assert.rejects(
      none.prepare('a', sdp(1)),
      (e: unknown) => e instanceof MediaFailure && e.status === 503 && /no rtpengine instance is up/.test(e.message),
    );
    none.close();
    assert.equal(commands.length, 0, 'nothing sent, nothing to delete');
  });

  it("moves a new call to another instance when its first doesn't answer, and asks the silent one to delete it", async () => {
    const sent: string[] = [];
    let n = 0;
    const fleet = {
      sessionOpened: (ng: string) => sent.push(`open@${ng}`),
      sessionClosed: (ng: string) => sent.push(`close@${ng}`),
      choose: () => 'y',
      command: (ng: string, command: string) => {
        sent.push(`${command}@${ng}`);
        if (ng === 'x') return Promise.reject(new NgError('timeout', 'rtpengine x did not answer'));
        return Promise.resolve(
          command === 'offer' ? { result: 'ok', sdp: sdp(5000 + n++).toString('latin1') } : { result: 'ok' },
        );
      },
    } as unknown as RtpengineFleet;
    const warned: string[] = [];
    const m = new RtpengineCallMedia({ fleet, ng: 'x', id: 'c', warn: (what) => warned.push(what) });
    await m.prepare('a', sdp(4000));
    assert.equal(m.instance, 'y', 'the call is on the instance that answered');
    assert.deepEqual(sent, ['open@x', 'offer@x', 'delete@x', 'close@x', 'open@y', 'offer@y']);
    assert.deepEqual(warned, ['rtpengine x did not answer: the call moves to y']);
    // once rtpengine holds the call, a silent instance is not left: the call's media is there
    const later = {
      ...fleet,
      command: (ng: string, command: string) => (
        sent.push(`${command}@${ng}`),
        Promise.reject(new NgError('timeout', 'gone'))
      ),
    } as unknown as RtpengineFleet;
    const held = new RtpengineCallMedia({ fleet: later, ng: 'y', id: 'd', adopted: true });
    await assert.rejects(
      held.prepareMore('a', sdp(4002)),
      (e: unknown) => e instanceof MediaFailure && e.status === 503,
    );
    assert.equal(held.instance, 'y');
  });

  it("reads rtpengine's per-stream counters as the built-in relay reports them, and the final ones at delete", async () => {
    const { fleet, commands } = fakeFleet();
    const closed: unknown[] = [];
    const m = new RtpengineCallMedia({ fleet, ng: 'x', id: 'c', closed: (r) => closed.push(r) });
    assert.equal(m.stats(), null, 'nothing to ask before rtpengine holds the call');
    await m.prepare('a', sdp(4000));
    const [report] = (await m.stats()) ?? [];
    assert.equal(commands.at(-1)?.command, 'query');
    assert.deepEqual(report?.a, {
      localPort: 6054,
      remote: { address: '10.0.0.1', port: 4000 },
      latched: true,
      packets: 50,
      bytes: 50 * 172,
      lost: 7,
      jitterMs: 3,
      lastArrival: 1796300863000,
      forwarded: 49,
      dropped: 1,
      rttMs: 24,
    });
    assert.equal(report?.b.packets, 20);
    assert.equal(report?.b.rttMs, null, 'no RTCP report from that leg: no round trip');
    m.close();
    await new Promise((r) => setImmediate(r));
    assert.equal(closed.length, 1, 'the counters of the delete reply');
  });

  it('deletes under the tag of the leg that offered first (a delayed offer: the callee)', async () => {
    const { fleet, commands } = fakeFleet();
    const m = new RtpengineCallMedia({ fleet, ng: 'x', id: 'c' });
    await m.prepare('b', sdp(6000));
    m.close();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(commands.at(-1)?.args, { 'call-id': 'c', 'from-tag': 'fosip-b' });
  });

  it("offers each leg what its dial-peer's srtp asks, and refuses plain RTP from a leg that requires SRTP", async () => {
    const { fleet, commands } = fakeFleet();
    const m = new RtpengineCallMedia({ fleet, ng: 'x', id: 'c' });
    m.srtp.b = 'required';
    await m.prepare('a', sdp(4000));
    assert.equal(commands[0]?.args['transport-protocol'], 'RTP/SAVP');
    assert.equal(commands[0]?.args['DTLS'], 'off');
    assert.deepEqual(commands[0]?.args['SDES'], ['no-NULL_HMAC_SHA1_80', 'no-NULL_HMAC_SHA1_32']);
    await assert.rejects(m.settle('b', sdp(6000), 'answer') ?? Promise.resolve(), /srtp required: the answer of leg b/);
    const secure = Buffer.from(
      sdp(4000).toString('latin1').replace('RTP/AVP', 'RTP/SAVP') + 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc\r\n',
    );
    const off = fakeFleet();
    const plainToB = new RtpengineCallMedia({ fleet: off.fleet, ng: 'x', id: 'd' });
    await plainToB.prepare('a', secure);
    assert.equal(off.commands[0]?.args['transport-protocol'], 'RTP/AVP', 'SRTP decrypted toward a leg with srtp off');
    assert.deepEqual(off.commands[0]?.args['SDES'], ['off']);
    await plainToB.prepare('a', sdp(4002));
    assert.equal(off.commands[1]?.args['transport-protocol'], undefined, 'plain RTP toward it: nothing to say');
    const fallback = fakeFleet();
    const opportunistic = new RtpengineCallMedia({ fleet: fallback.fleet, ng: 'x', id: 'e' });
    opportunistic.srtp.b = 'fallback';
    await opportunistic.prepare('a', sdp(4000));
    assert.deepEqual(fallback.commands[0]?.args['OSRTP'], ['offer']);
    const passing = fakeFleet();
    const untouched = new RtpengineCallMedia({ fleet: passing.fleet, ng: 'x', id: 'f' });
    untouched.srtp.b = 'pass-thru';
    await untouched.prepare('a', secure);
    assert.deepEqual(passing.commands[0]?.args['flags'], ['trust-address', 'passthrough']);
  });

  it("names the legs' rtpengine interfaces in the offer (its direction), instead of an address family", async () => {
    const { fleet, commands } = fakeFleet();
    const m = new RtpengineCallMedia({ fleet, ng: 'x', id: 'c' });
    m.legAddress('b', '::1');
    m.interfaces.b = 'outside';
    await m.prepare('a', sdp(4000));
    assert.deepEqual(commands[0]?.args['direction'], ['default', 'outside']);
    assert.equal(commands[0]?.args['address family'], undefined);
    await m.settle('b', sdp(6000), 'answer');
    assert.equal(commands[1]?.args['direction'], undefined, 'rtpengine keeps them after the offer');
  });

  it('interworks DTMF: digits played into the call as the sip-info leg, reported ones from the rtp-nte leg only', async () => {
    const { fleet, commands } = fakeFleet();
    const m = new RtpengineCallMedia({ fleet, ng: 'x', id: 'c' });
    m.dtmf.a = 'sip-info';
    m.dtmf.b = 'rtp-nte';
    await m.prepare('a', sdp(4000));
    assert.deepEqual(commands[0]?.args['codec'], { transcode: ['telephone-event'] }, 'the rtp-nte leg gets it');
    assert.ok((commands[0]?.args['flags'] as string[]).includes('inject-DTMF'));
    await m.settle('b', sdp(6000), 'answer');
    assert.deepEqual(
      commands.slice(1).map((c) => [c.command, c.args['from-tag']]),
      [
        ['answer', 'fosip-a'],
        ['block DTMF', 'fosip-b'],
      ],
      "the rtp-nte leg's digits are blocked toward the other once answered",
    );
    assert.equal(m.takesInfoFrom('a'), true);
    assert.equal(m.takesInfoFrom('b'), false);
    m.sendDtmf('b', 11, 40);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(commands.at(-1), {
      command: 'play DTMF',
      args: { 'call-id': 'c', 'from-tag': 'fosip-a', code: 11, duration: 100 },
    });
    assert.equal(m.digitFrom('fosip-b'), 'b');
    assert.equal(m.digitFrom('fosip-a'), null, "the sip-info leg's own (played) digits go nowhere");
    assert.equal(m.digitFrom('other'), null);
  });
});
