/**
 * moveMedia (unit, with a recording transaction layer and a stand-in for the call's media): each leg of a
 * call moved to new RTP ports gets a re-INVITE with its re-offer; every 2xx is ACKed with the INVITE's
 * CSeq and the first one's SDP is the answer; the record is written once both legs took their ports; a leg
 * that refuses or does not answer makes the call end (once).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Call } from '../../../src/b2bua/call.js';
import { type MoveDeps, moveMedia } from '../../../src/b2bua/media/media-move.js';
import { Dialog } from '../../../src/dialog/dialog.js';
import type { SipMessage, SipRequest, SipResponse } from '../../../src/sip/sip-message.js';
import type { ClientHandlers } from '../../../src/transaction/client-transaction.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { silentLog } from '../../helpers/log.js';
import { responseTo } from '../../helpers/messages.js';

const dialog = (leg: 'a' | 'b'): Dialog =>
  new Dialog({
    callId: `call-${leg}`,
    localTag: `us-${leg}`,
    remoteTag: `them-${leg}`,
    localUri: '<sip:sbc@127.0.0.1>',
    remoteUri: `<sip:${leg}@127.0.0.1>`,
    remoteTarget: `sip:${leg}@127.0.0.1:${leg === 'a' ? 5071 : 5072}`,
    routeSet: [],
    localSeq: 1000,
    remoteSeq: 1,
    contact: '<sip:sbc@127.0.0.1:5060>',
    transport: 'udp',
    flow: undefined,
    fallback: undefined,
  });

function withSdp(res: SipResponse, port: number): SipResponse {
  res.setBody(
    Buffer.from(
      `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\n`,
      'latin1',
    ),
    'application/sdp',
  );
  return res;
}

function rig() {
  const sent: Array<{ req: SipRequest; handlers: ClientHandlers }> = [];
  const acks: SipMessage[] = [];
  const absorbed: Array<[string, string]> = [];
  const puts: unknown[] = [];
  let failed = 0;
  const clock = new FakeClock();
  const media = {
    reoffer: (leg: string) => Buffer.from(`v=0\r\nm=audio ${leg === 'a' ? 20000 : 20002} RTP/AVP 0\r\n`),
    absorb: (leg: string, body: Buffer) => (
      absorbed.push([leg, /m=audio (\d+)/.exec(body.toString())?.[1] ?? '']),
      null
    ),
    record: () => ({ mode: 'flow-through', streams: [] }),
  };
  const call = {
    id: 'c1',
    a: { dialog: dialog('a') },
    b: { dialog: dialog('b'), peer: { authentication: null } },
    inbound: { authentication: null },
    media,
    record: { id: 'c1' },
  } as unknown as Call;
  const deps = {
    transactions: {
      sendRequest: (req: SipRequest, _dest: unknown, handlers: ClientHandlers) => sent.push({ req, handlers }),
    },
    transport: { sentBy: () => ({ host: '127.0.0.1', port: 5060 }), send: (msg: SipMessage) => acks.push(msg) },
    calls: { put: (r: unknown) => puts.push(r) },
    log: silentLog,
    credentials: () => [],
    clock,
  } as unknown as MoveDeps;
  moveMedia(call, deps, () => failed++);
  const answer = (i: number, status: number, port?: number): void => {
    const s = sent[i];
    assert.ok(s);
    const res = responseTo(s.req, status);
    s.handlers.response(port === undefined ? res : withSdp(res, port), {} as never);
  };
  return { sent, acks, absorbed, puts, answer, failures: () => failed, call, clock };
}

describe("moving a restarted call's media", () => {
  it('re-INVITEs both legs with their re-offers, ACKs every 2xx, and writes the record once both answered', () => {
    const r = rig();
    assert.deepEqual(
      r.sent.map((s) => [
        s.req.method,
        s.req.callId(),
        s.req.cseq().seq,
        /m=audio (\d+)/.exec(s.req.body.toString())?.[1],
      ]),
      [
        ['INVITE', 'call-a', 1001, '20000'],
        ['INVITE', 'call-b', 1001, '20002'],
      ],
    );
    r.answer(0, 100);
    r.answer(0, 200, 7000);
    r.answer(0, 200, 7000); // a retransmitted 2xx: ACKed again, its SDP is not a new answer
    assert.deepEqual(r.puts, [], 'not until both legs took their ports');
    r.answer(1, 200, 7002);
    assert.deepEqual(
      r.acks.map((m) => [(m as SipRequest).method, (m as SipRequest).callId(), (m as SipRequest).cseq().seq]),
      [
        ['ACK', 'call-a', 1001],
        ['ACK', 'call-a', 1001],
        ['ACK', 'call-b', 1001],
      ],
    );
    assert.deepEqual(r.absorbed, [
      ['a', '7000'],
      ['b', '7002'],
    ]);
    assert.equal(r.puts.length, 1);
    assert.equal(r.failures(), 0);
  });

  it('ends the call once when a leg refuses its new port or does not answer', () => {
    const refused = rig();
    refused.answer(0, 200, 7000);
    refused.answer(1, 488);
    assert.equal(refused.failures(), 1);
    assert.deepEqual(refused.puts, []);
    const silent = rig();
    silent.sent[0]?.handlers.timeout({} as never);
    silent.sent[1]?.handlers.transportError({} as never, new Error('unreachable'));
    assert.equal(silent.failures(), 1, 'once, however many legs fail');
    const hungUp = rig();
    hungUp.answer(0, 200, 7000);
    hungUp.call.ended = true; // the caller's BYE crossed the re-INVITE
    hungUp.answer(1, 200, 7002);
    assert.deepEqual(
      [hungUp.puts, hungUp.failures()],
      [[], 0],
      'an ended call is neither written back nor ended again',
    );
  });

  it('sends the offer again after a 491 (2.1-4 s on the B leg, whose Call-ID is ours; 0-2 s on the A leg), and gives up on a second', () => {
    const r = rig();
    r.answer(0, 491);
    r.answer(1, 491);
    assert.equal(r.failures(), 0, 'glare is not a failure');
    r.clock.advance(2000);
    assert.deepEqual(
      r.sent.slice(2).map((s) => [s.req.callId(), s.req.cseq().seq]),
      [['call-a', 1002]],
      'the A leg first',
    );
    r.clock.advance(2000);
    assert.deepEqual(
      r.sent.slice(3).map((s) => [s.req.callId(), s.req.cseq().seq]),
      [['call-b', 1002]],
    );
    r.answer(2, 200, 7000);
    r.answer(3, 491);
    assert.equal(r.failures(), 1);
  });
});
