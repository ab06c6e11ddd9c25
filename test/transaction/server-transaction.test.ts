/** RFC 3261 §17.2 / RFC 6026 server transactions, on a fake clock and a recording transport. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { buildResponse } from '../../src/sip/response-builder.js';
import type { SipRequest } from '../../src/sip/sip-message.js';
import type { ServerTransaction } from '../../src/transaction/server-transaction.js';
import { TransactionLayer, type TransactionUser } from '../../src/transaction/transaction-layer.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { silentLog } from '../helpers/log.js';
import { request, tcpFlow, udpFlow } from '../helpers/messages.js';

class RecordingUser implements TransactionUser {
  requests: Array<{ tx: ServerTransaction; req: SipRequest }> = [];
  acks: SipRequest[] = [];
  cancels: ServerTransaction[] = [];
  answer: number | undefined;
  request(tx: ServerTransaction, req: SipRequest): void {
    this.requests.push({ tx, req });
    if (this.answer !== undefined) tx.respond(buildResponse(req, this.answer, { toTag: 'us' }));
  }
  ack(req: SipRequest): void {
    this.acks.push(req);
  }
  cancel(tx: ServerTransaction): void {
    this.cancels.push(tx);
    tx.respond(buildResponse(tx.request, 487, { toTag: 'us' }));
  }
}

let clock: FakeClock;
let transport: FakeTransport;
let layer: TransactionLayer;
let user: RecordingUser;

beforeEach(() => {
  clock = new FakeClock();
  transport = new FakeTransport(() => clock.now());
  layer = new TransactionLayer({ transport, log: silentLog, clock, agent: 'test-sbc' });
  user = new RecordingUser();
  layer.setUser(user);
});

describe('non-INVITE server transaction', () => {
  it('absorbs retransmissions while Trying, resends the final when Completed, ends after Timer J', () => {
    const req = () => request({ method: 'OPTIONS' });
    layer.receive(req(), udpFlow);
    assert.equal(user.requests.length, 1);
    layer.receive(req(), udpFlow); // retransmission while Trying: absorbed, not passed up
    assert.equal(user.requests.length, 1);
    assert.deepEqual(transport.summary(), []);
    user.requests[0]?.tx.respond(buildResponse(user.requests[0].req, 200, { toTag: 'us' }));
    layer.receive(req(), udpFlow); // retransmission while Completed: the 200 again
    assert.deepEqual(transport.summary(), [200, 200]);
    assert.equal(layer.stats.retransmissionsIn, 2);
    clock.advance(64 * 500 - 1);
    assert.equal(layer.openTransactions.server, 1);
    clock.advance(1); // Timer J = 64*T1 on UDP
    assert.equal(layer.openTransactions.server, 0);
  });

  it('ends at once over a reliable transport (Timer J = 0)', () => {
    user.answer = 200;
    layer.receive(request(), tcpFlow);
    assert.equal(layer.openTransactions.server, 0);
  });
});

describe('INVITE server transaction', () => {
  it('sends 100 Trying at once and resends the last provisional on a retransmission', () => {
    layer.receive(request({ method: 'INVITE' }), udpFlow);
    assert.deepEqual(transport.summary(), [100]);
    user.requests[0]?.tx.respond(buildResponse(user.requests[0].req, 180, { toTag: 'us' }));
    layer.receive(request({ method: 'INVITE' }), udpFlow);
    assert.deepEqual(transport.summary(), [100, 180, 180]);
  });

  it('retransmits a non-2xx final on Timer G (T1, 2T1, 4T1 capped at T2) until Timer H', () => {
    user.answer = 486;
    layer.receive(request({ method: 'INVITE' }), udpFlow);
    clock.advance(40_000);
    const times = transport.times(486);
    // sent at 0, then G at 500, 1500, 3500, 7500 (cap T2=4000), 11500, ... until H at 32000
    assert.deepEqual(times.slice(0, 6), [0, 500, 1500, 3500, 7500, 11500]);
    assert.ok(times.every((t) => t < 32_000));
    assert.equal(layer.openTransactions.server, 0);
    assert.equal(layer.stats.timeouts, 1);
  });

  it('stops on the ACK, absorbs ACK retransmissions for Timer I, then ends', () => {
    user.answer = 486;
    layer.receive(request({ method: 'INVITE' }), udpFlow);
    clock.advance(600);
    const ack = () => request({ method: 'ACK', toTag: 'us' });
    layer.receive(ack(), udpFlow);
    layer.receive(ack(), udpFlow);
    assert.equal(user.acks.length, 0, 'the ACK of a non-2xx belongs to the transaction');
    const sentBefore = transport.sent.length;
    clock.advance(4999);
    assert.equal(transport.sent.length, sentBefore, 'no retransmission after the ACK');
    assert.equal(layer.openTransactions.server, 1);
    clock.advance(1); // Timer I = T4
    assert.equal(layer.openTransactions.server, 0);
  });

  it('enters Accepted on a 2xx (RFC 6026): absorbs INVITE retransmissions, passes the ACK up, ends on Timer L', () => {
    user.answer = 200;
    layer.receive(request({ method: 'INVITE' }), udpFlow);
    layer.receive(request({ method: 'INVITE' }), udpFlow);
    assert.deepEqual(transport.summary(), [100, 200], 'retransmitted INVITE absorbed in Accepted');
    user.requests[0]?.tx.respond(buildResponse(user.requests[0].req, 200, { toTag: 'us' }));
    assert.deepEqual(transport.summary(), [100, 200, 200], 'the TU may retransmit its 2xx');
    layer.receive(request({ method: 'ACK', toTag: 'us' }), udpFlow);
    assert.equal(user.acks.length, 1);
    clock.advance(32_000);
    assert.equal(layer.openTransactions.server, 0);
  });

  it('matches RFC 2543 requests without a branch: retransmission absorbed, ACK matched', () => {
    user.answer = 404;
    layer.receive(request({ method: 'INVITE', branch: null }), udpFlow);
    layer.receive(request({ method: 'INVITE', branch: null }), udpFlow);
    assert.equal(user.requests.length, 1);
    assert.deepEqual(transport.summary(), [100, 404, 404]);
    layer.receive(request({ method: 'ACK', branch: null, toTag: 'us' }), udpFlow);
    assert.equal(user.acks.length, 0);
    const n = transport.sent.length;
    clock.advance(10_000);
    assert.equal(transport.sent.length, n, 'ACK stopped Timer G');
  });

  it('treats a bare magic cookie branch as RFC 2543 (RFC 4475 §3.2.1)', () => {
    user.answer = 200;
    layer.receive(request({ branch: 'z9hG4bK' }), udpFlow);
    layer.receive(request({ branch: 'z9hG4bK' }), udpFlow);
    assert.equal(user.requests.length, 1);
  });
});

describe('CANCEL (RFC 3261 §9.2)', () => {
  it('answers 200 to the CANCEL and lets the TU end the INVITE with 487', () => {
    layer.receive(request({ method: 'INVITE' }), udpFlow);
    layer.receive(request({ method: 'CANCEL' }), udpFlow);
    assert.equal(user.cancels.length, 1);
    assert.deepEqual(transport.summary(), [100, 200, 487]);
    const ok = transport.sent[1]?.msg;
    assert.equal(ok?.cseq().method, 'CANCEL');
  });

  it('answers 481 to a CANCEL that matches no INVITE', () => {
    layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bKother' }), udpFlow);
    assert.deepEqual(transport.summary(), [481]);
    assert.equal(user.cancels.length, 0);
  });

  it('answers 481 to a CANCEL after the INVITE got its final response', () => {
    user.answer = 486;
    layer.receive(request({ method: 'INVITE' }), udpFlow);
    layer.receive(request({ method: 'CANCEL' }), udpFlow);
    assert.deepEqual(transport.summary(), [100, 486, 481]);
  });
});

describe('core rejections', () => {
  it('sends a stateless 400 with a Warning naming the fault, the same To tag on a retransmission', () => {
    const bad = () => request({ extra: ['CSeq: 2 OPTIONS'] });
    layer.receive(bad(), udpFlow);
    layer.receive(bad(), udpFlow);
    assert.deepEqual(transport.summary(), [400, 400]);
    const [a, b] = transport.sent.map((s) => s.msg);
    assert.match(a?.header('warning') ?? '', /^399 test-sbc "more than one cseq header"$/);
    assert.equal(a?.to().params.get('tag'), b?.to().params.get('tag'));
    assert.equal(user.requests.length, 0);
  });

  it('answers 501 with Allow for an unknown method, 420 with Unsupported for an unknown Require', () => {
    layer.receive(request({ method: 'FROB' }), udpFlow);
    layer.receive(request({ extra: ['Require: frobnication'] }), udpFlow);
    assert.deepEqual(transport.summary(), [501, 420]);
    assert.ok(transport.sent[0]?.msg.header('allow')?.includes('INVITE'));
    assert.equal(transport.sent[1]?.msg.header('unsupported'), 'frobnication');
  });

  it('answers 483 to a relayed request with Max-Forwards 0, but OPTIONS to the SBC still reaches the TU', () => {
    const inv = request({ method: 'INVITE', callId: 'mf0' });
    inv.setHeader('Max-Forwards', '0');
    layer.receive(inv, udpFlow);
    const opt = request({ callId: 'mf0-options' });
    opt.setHeader('Max-Forwards', '0');
    layer.receive(opt, udpFlow);
    assert.deepEqual(transport.summary(), [483]);
    assert.deepEqual(
      user.requests.map((r) => r.req.method),
      ['OPTIONS'],
    );
  });

  it('never answers an ACK, even a broken one', () => {
    layer.receive(request({ method: 'ACK', extra: ['CSeq: 9 ACK'] }), udpFlow);
    assert.deepEqual(transport.summary(), []);
    assert.equal(layer.stats.dropped, 1);
  });
});
