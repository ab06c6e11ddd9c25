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
        ['delete', 'call-1', undefined, null],
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
});
