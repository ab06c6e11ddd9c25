/** RFC 3261 §17.1 / RFC 6026 client transactions and CANCEL (§9.1), on a fake clock. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { SipRequest, SipResponse } from '../../src/sip/sip-message.js';
import type { ClientHandlers } from '../../src/transaction/client-transaction.js';
import { TransactionLayer } from '../../src/transaction/transaction-layer.js';
import type { Destination } from '../../src/transport/flow.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { silentLog } from '../helpers/log.js';
import { request, responseTo, udpFlow } from '../helpers/messages.js';

const udp: Destination = { transport: 'udp', address: '127.0.0.1', port: 5099 };
const tcp: Destination = { transport: 'tcp', address: '127.0.0.1', port: 5099 };

let clock: FakeClock;
let transport: FakeTransport;
let layer: TransactionLayer;
let seen: { responses: number[]; timeouts: number; errors: number };
let handlers: ClientHandlers;

beforeEach(() => {
  clock = new FakeClock();
  transport = new FakeTransport(() => clock.now());
  layer = new TransactionLayer({ transport, log: silentLog, clock, agent: 'test-sbc' });
  seen = { responses: [], timeouts: 0, errors: 0 };
  handlers = {
    response: (res: SipResponse) => void seen.responses.push(res.status),
    timeout: () => void seen.timeouts++,
    transportError: () => void seen.errors++,
  };
});

function outgoing(method: string): SipRequest {
  return request({ method, branch: TransactionLayer.newBranch(), via: 'SIP/2.0/UDP 127.0.0.1:5060' });
}

describe('INVITE client transaction', () => {
  it('retransmits on Timer A (T1 doubling) and times out on Timer B = 64*T1', () => {
    layer.sendRequest(outgoing('INVITE'), udp, handlers);
    clock.advance(40_000);
    assert.deepEqual(transport.times('INVITE'), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(seen.timeouts, 1);
    assert.equal(layer.openTransactions.client, 0);
  });

  it('does not retransmit over TCP', () => {
    layer.sendRequest(outgoing('INVITE'), tcp, handlers);
    clock.advance(40_000);
    assert.deepEqual(transport.times('INVITE'), [0]);
    assert.equal(seen.timeouts, 1);
  });

  it('stops retransmitting on a provisional and no longer runs Timer B in Proceeding', () => {
    const inv = outgoing('INVITE');
    layer.sendRequest(inv, udp, handlers);
    clock.advance(600);
    layer.receive(responseTo(inv, 180), udpFlow);
    clock.advance(60_000);
    assert.deepEqual(transport.times('INVITE'), [0, 500]);
    assert.deepEqual(seen.responses, [180]);
    assert.equal(seen.timeouts, 0);
  });

  it('ACKs a non-2xx itself (same branch, To tag from the response) and re-ACKs a retransmitted final', () => {
    const inv = outgoing('INVITE');
    layer.sendRequest(inv, udp, handlers);
    layer.receive(responseTo(inv, 486, 'callee'), udpFlow);
    layer.receive(responseTo(inv, 486, 'callee'), udpFlow);
    assert.deepEqual(seen.responses, [486], 'the final is passed up once');
    const acks = transport.sent.filter((s) => s.msg.isRequest() && s.msg.method === 'ACK').map((s) => s.msg);
    assert.equal(acks.length, 2);
    const ack = acks[0];
    assert.ok(ack?.isRequest());
    assert.equal(ack.requestUri, inv.requestUri);
    assert.equal(ack.topVia().params.get('branch'), inv.topVia().params.get('branch'));
    assert.equal(ack.to().params.get('tag'), 'callee');
    assert.deepEqual(ack.cseq(), { seq: inv.cseq().seq, method: 'ACK' });
    clock.advance(32_000); // Timer D
    assert.equal(layer.openTransactions.client, 0);
  });

  it('enters Accepted on a 2xx and passes every further 2xx up until Timer M (RFC 6026)', () => {
    const inv = outgoing('INVITE');
    layer.sendRequest(inv, udp, handlers);
    layer.receive(responseTo(inv, 200, 'a'), udpFlow);
    layer.receive(responseTo(inv, 200, 'a'), udpFlow);
    layer.receive(responseTo(inv, 200, 'b'), udpFlow); // a forked 2xx
    assert.deepEqual(seen.responses, [200, 200, 200]);
    assert.equal(transport.summary().filter((x) => x === 'ACK').length, 0, 'the TU ACKs a 2xx, not the transaction');
    clock.advance(32_000);
    assert.equal(layer.openTransactions.client, 0);
  });

  it('reports a transport error and ends', () => {
    transport.failSends = true;
    layer.sendRequest(outgoing('INVITE'), udp, handlers);
    assert.equal(seen.errors, 1);
    assert.equal(layer.openTransactions.client, 0);
  });
});

describe('non-INVITE client transaction', () => {
  it('retransmits on Timer E (doubling, capped at T2) and times out on Timer F', () => {
    layer.sendRequest(outgoing('OPTIONS'), udp, handlers);
    clock.advance(33_000);
    assert.deepEqual(transport.times('OPTIONS').slice(0, 7), [0, 500, 1500, 3500, 7500, 11500, 15500]);
    assert.equal(seen.timeouts, 1);
  });

  it('retransmits at T2 once a provisional arrived, and completes on the final (Timer K)', () => {
    const opt = outgoing('OPTIONS');
    layer.sendRequest(opt, udp, handlers);
    layer.receive(responseTo(opt, 100), udpFlow);
    clock.advance(8100);
    assert.deepEqual(
      transport.times('OPTIONS'),
      [0, 500, 4500, 8500].filter((t) => t <= 8100),
    );
    layer.receive(responseTo(opt, 200), udpFlow);
    layer.receive(responseTo(opt, 200), udpFlow);
    assert.deepEqual(seen.responses, [100, 200]);
    clock.advance(5000); // Timer K = T4
    assert.equal(layer.openTransactions.client, 0);
  });

  it('drops a response that matches no transaction, silently', () => {
    layer.receive(responseTo(outgoing('OPTIONS'), 200), udpFlow);
    assert.equal(layer.stats.unmatchedResponses, 1);
    assert.deepEqual(transport.summary(), []);
  });
});

describe('CANCEL of an outgoing INVITE (§9.1)', () => {
  it('waits for a provisional before sending the CANCEL, which carries the INVITE branch and CSeq number', () => {
    const inv = outgoing('INVITE');
    const tx = layer.sendRequest(inv, udp, handlers);
    tx.cancel('Q.850;cause=16');
    assert.equal(transport.summary().includes('CANCEL'), false);
    layer.receive(responseTo(inv, 180), udpFlow);
    const cancel = transport.sent.find((s) => s.msg.isRequest() && s.msg.method === 'CANCEL')?.msg;
    assert.ok(cancel?.isRequest());
    assert.equal(cancel.topVia().params.get('branch'), inv.topVia().params.get('branch'));
    assert.deepEqual(cancel.cseq(), { seq: inv.cseq().seq, method: 'CANCEL' });
    assert.equal(cancel.header('to'), inv.header('to'));
    assert.equal(cancel.header('reason'), 'Q.850;cause=16');
    layer.receive(responseTo(cancel, 200), udpFlow);
    layer.receive(responseTo(inv, 487), udpFlow);
    assert.deepEqual(seen.responses, [180, 487]);
  });

  it('times the INVITE out if no final comes within 64*T1 of the CANCEL', () => {
    const inv = outgoing('INVITE');
    const tx = layer.sendRequest(inv, udp, handlers);
    layer.receive(responseTo(inv, 180), udpFlow);
    tx.cancel();
    clock.advance(32_000);
    assert.equal(seen.timeouts, 1);
  });

  it('sends no CANCEL once a final response arrived', () => {
    const inv = outgoing('INVITE');
    const tx = layer.sendRequest(inv, udp, handlers);
    layer.receive(responseTo(inv, 486), udpFlow);
    tx.cancel();
    assert.equal(transport.summary().includes('CANCEL'), false);
  });
});
