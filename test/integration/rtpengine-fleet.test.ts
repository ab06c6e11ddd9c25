/**
 * FoSIP's rtpengine client against real rtpengine daemons (userspace, `--table=-1`): the ng commands of a
 * call's life (offer, answer, query, delete), weighted choice over two instances, and one instance killed
 * and started again (taken out of the fleet, commands to the survivor untouched, put back).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RtpengineFleet, type InstanceStatus } from '../../src/media/rtpengine/fleet.js';
import { NgError } from '../../src/media/rtpengine/ng-client.js';
import { Rtpengine } from '../helpers/rtpengine.js';

const sdp = (port: number, session = '1'): string =>
  `v=0\r\no=- ${session} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n`;

/** The SDP of a reply ('' when it has none). */
const sdpOf = (reply: Record<string, unknown>): string => (typeof reply['sdp'] === 'string' ? reply['sdp'] : '');
/** The audio port an SDP offers. */
const audioPort = (text: string): number => Number(/^m=audio (\d+) /m.exec(text)?.[1] ?? NaN);

describe('rtpengine fleet (real rtpengine)', () => {
  const started: Rtpengine[] = [];
  const fleets: RtpengineFleet[] = [];
  after(async () => {
    for (const f of fleets) f.stop();
    await Promise.all(started.map((e) => e.kill()));
  });

  it("drives one call's media through an instance: offer, answer, query, delete", async () => {
    const e = await Rtpengine.start();
    started.push(e);
    const fleet = new RtpengineFleet({ members: [{ ng: e.ng, weight: 1 }], pingMs: 0 });
    fleets.push(fleet);
    const ng = fleet.choose();
    assert.equal(ng, e.ng);
    const call = { 'call-id': 'fleet-call-1', 'from-tag': 'a-tag' };
    const offer = await fleet.command(e.ng, 'offer', {
      ...call,
      sdp: sdp(40000),
      flags: ['trust-address'],
      replace: ['origin', 'session-connection'],
    });
    const offered = audioPort(sdpOf(offer));
    assert.ok(
      offered >= e.media.portMin && offered <= e.media.portMax,
      `rtpengine offers its own port (${offered}):\n${sdpOf(offer)}\n${e.log.slice(-1500)}`,
    );
    assert.match(sdpOf(offer), /^c=IN IP4 127\.0\.0\.1\r?$/m);
    const answer = await fleet.command(e.ng, 'answer', {
      ...call,
      'to-tag': 'b-tag',
      sdp: sdp(40002, '2'),
      flags: ['trust-address'],
    });
    const answered = audioPort(sdpOf(answer));
    assert.ok(
      answered >= e.media.portMin && answered <= e.media.portMax && answered !== offered,
      `a port of its own toward the caller (${answered})`,
    );
    const query = await fleet.command(e.ng, 'query', { 'call-id': 'fleet-call-1' });
    assert.equal(typeof query['tags'], 'object', `query names the call's tags: ${JSON.stringify(query).slice(0, 500)}`);
    assert.ok(Object.keys(query['tags'] as object).includes('a-tag'));
    await fleet.command(e.ng, 'delete', { 'call-id': 'fleet-call-1', 'from-tag': 'a-tag' });
    await assert.rejects(
      fleet.command(e.ng, 'query', { 'call-id': 'fleet-call-1' }),
      (err: unknown) => err instanceof NgError && err.kind === 'refused',
      'the call is gone after delete',
    );
    assert.equal(fleet.isUp(e.ng), true, 'a refusal is an answer: the instance stays up');
  });

  it('chooses instances by weight, takes a killed one out, keeps the survivor working, and puts it back', async () => {
    const [a, b] = await Promise.all([Rtpengine.start(), Rtpengine.start()]);
    assert.ok(a && b);
    started.push(a, b);
    let k = 0;
    const changes: InstanceStatus[] = [];
    const fleet = new RtpengineFleet({
      members: [
        { ng: a.ng, weight: 3 },
        { ng: b.ng, weight: 1 },
      ],
      pingMs: 0,
      timeoutMs: 200,
      tries: 2,
      random: () => (k++ % 200) / 200,
      changed: (s) => changes.push(s),
    });
    fleets.push(fleet);
    const picks = Array.from({ length: 200 }, () => fleet.choose());
    assert.deepEqual(
      [picks.filter((p) => p === a.ng).length, picks.filter((p) => p === b.ng).length],
      [150, 50],
      'weights 3:1 over 200 calls',
    );

    // a call in progress on b, then a dies
    await fleet.command(b.ng, 'offer', { 'call-id': 'survivor', 'from-tag': 'x', sdp: sdp(40010) });
    await a.kill();
    await fleet.pingAll();
    assert.equal(fleet.isUp(a.ng), false, 'the dead instance is out of the fleet');
    assert.deepEqual(
      changes.map((c) => [c.ng, c.up]),
      [[a.ng, false]],
    );
    assert.ok(
      Array.from({ length: 50 }, () => fleet.choose()).every((p) => p === b.ng),
      'new calls go to the survivor only',
    );
    const q = await fleet.command(b.ng, 'query', { 'call-id': 'survivor' });
    assert.equal(q['result'], 'ok', 'the call on the survivor is untouched');
    await assert.rejects(
      fleet.command(a.ng, 'query', { 'call-id': 'x' }),
      (err: unknown) => err instanceof NgError && err.kind === 'timeout',
    );

    await a.run(); // the same port again
    await fleet.pingAll();
    assert.equal(fleet.isUp(a.ng), true, 'it answers again: back in the fleet');
    assert.deepEqual(
      changes.map((c) => [c.ng, c.up]),
      [
        [a.ng, false],
        [a.ng, true],
      ],
    );
    assert.equal(fleet.status().find((s) => s.ng === a.ng)?.downs, 1);
    await fleet.command(b.ng, 'delete', { 'call-id': 'survivor', 'from-tag': 'x' });
  });

  it('reaches an instance over IPv6', async () => {
    const e = await Rtpengine.start({ address: '::1' });
    started.push(e);
    const fleet = new RtpengineFleet({ members: [{ ng: e.ng, weight: 1 }], pingMs: 0 });
    fleets.push(fleet);
    await fleet.pingAll();
    assert.equal(fleet.status()[0]?.up, true);
    assert.ok((fleet.status()[0]?.lastAnswerAt ?? 0) > 0, 'it answered the ping');
  });
});
