/**
 * The B2BUA's core with a fake transport and a fake clock: no sockets, no SIPp. A call is set up, torn
 * down, cancelled (also while the callee's 200 crosses the CANCEL), hunted over max-conn and busyout, and
 * mapped to the caller's failure as CUBE does; after every ending the registry holds nothing of the call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { B2bua } from '../../src/b2bua/b2bua.js';
import type { Call } from '../../src/b2bua/call.js';
import { LocalResponder } from '../../src/b2bua/local-responder.js';
import { type DialPeerJson, dialConfig } from '../../src/config/dial-config.js';
import { compileDialPeers } from '../../src/routing/dial-peer.js';
import { DialPlan } from '../../src/routing/dial-plan.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/sip-message.js';
import { type CallDetailRecord, MemoryCallStore } from '../../src/state/call-store.js';
import { TransactionLayer } from '../../src/transaction/transaction-layer.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { silentLog } from '../helpers/log.js';
import { udpFlow } from '../helpers/messages.js';
import { eventually } from '../helpers/eventually.js';

const CALLEE = { address: '127.0.0.1', port: 5070 };

function plan(peers: DialPeerJson[]): DialPlan {
  const compiled = compileDialPeers(
    dialConfig({ dialPeers: peers.map((value) => ({ file: `dp-${value.tag}.json`, pointer: '', value })) }),
  );
  assert.deepEqual(compiled.problems, []);
  return new DialPlan(compiled.peers, () => 0.5);
}

/** A B2BUA between a caller at 127.0.0.1:5099 and callees behind the dial-peers, everything it sends recorded. */
function harness(peers: DialPeerJson[], up: (tag: number) => boolean = () => true) {
  const clock = new FakeClock();
  const transport = new FakeTransport(() => clock.now());
  const transactions = new TransactionLayer({ transport, log: silentLog, clock, agent: 'sbc' });
  const responder = new LocalResponder((req) => transactions.tagFor(req), null);
  const store = new MemoryCallStore();
  const cdrs: CallDetailRecord[] = [];
  const b2bua = new B2bua({
    transactions,
    transport,
    responder,
    calls: store,
    clock,
    log: silentLog,
    agent: 'sbc',
    keepLadders: 0,
    config: {
      dialPlan: plan(peers),
      profiles: { inbound: null, outbound: null },
      sipProfiles: new Map(),
      errorCodeOverride: null,
    },
    health: { isUp: up },
    observer: { callEnded: (cdr) => cdrs.push(cdr) },
  });
  transactions.setUser(b2bua);
  let seen = 0;
  const h = {
    clock,
    transport,
    b2bua,
    store,
    cdrs,
    /** A message from the caller (its flow) or from a callee (a flow from the callee's address). */
    fromCaller: (text: string) => transactions.receive(parseMessage(Buffer.from(text)), udpFlow),
    fromCallee: (msg: SipMessage) => transactions.receive(msg, { ...udpFlow, remotePort: CALLEE.port }),
    /** What the B2BUA sent since the last call of this, as statuses and methods with where they went. */
    sentSince: (): string[] => {
      const out = transport.sent.slice(seen).map((s) => {
        const what = s.msg.isResponse() ? String(s.msg.status) : s.msg.isRequest() ? s.msg.method : '?';
        return s.dest !== undefined ? `${what} -> ${s.dest.port}` : `${what} -> caller`;
      });
      seen = transport.sent.length;
      return out;
    },
    /** The last request of this method sent toward a callee. */
    lastOut: (method: string): SipRequest => {
      const hit = [...transport.sent]
        .reverse()
        .find((s) => s.msg.isRequest() && s.msg.method === method && s.dest !== undefined);
      assert.ok(hit !== undefined && hit.msg.isRequest(), `no ${method} was sent toward a callee`);
      return hit.msg;
    },
    /** The last response to the caller's INVITE with this status. */
    toCaller: (status: number): SipResponse => {
      const hit = [...transport.sent]
        .reverse()
        .find(
          (s) =>
            s.msg.isResponse() && s.msg.status === status && s.msg.cseq().method === 'INVITE' && s.dest === undefined,
        );
      assert.ok(hit !== undefined && hit.msg.isResponse(), `no ${status} was sent to the caller's INVITE`);
      return hit.msg;
    },
    /** The live call (there is one). */
    call: (): Call => {
      const [record] = store.list();
      assert.ok(record !== undefined, 'no call in the store');
      const call = b2bua.registry.get(record.id);
      assert.ok(call !== undefined, 'the registry does not know the stored call');
      return call;
    },
  };
  return h;
}

const invite = (n = 1, called = '2001'): string =>
  [
    `INVITE sip:${called}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKcaller${n}`,
    `From: <sip:1000@127.0.0.1>;tag=caller${n}`,
    `To: <sip:${called}@127.0.0.1>`,
    `Call-ID: call-${n}@127.0.0.1`,
    'CSeq: 1 INVITE',
    'Max-Forwards: 70',
    'Contact: <sip:1000@127.0.0.1:5099>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

/** The caller's in-dialog request or CANCEL of call `n`. */
function fromCaller(method: string, n: number, opts: { toTag?: string; cseq?: number; branch?: string } = {}): string {
  return [
    `${method} sip:${method === 'CANCEL' ? '2001@127.0.0.1' : 'sbc@127.0.0.1:5060'} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5099;branch=${opts.branch ?? `z9hG4bKcaller${n}`}`,
    `From: <sip:1000@127.0.0.1>;tag=caller${n}`,
    `To: <sip:2001@127.0.0.1>${opts.toTag === undefined ? '' : `;tag=${opts.toTag}`}`,
    `Call-ID: call-${n}@127.0.0.1`,
    `CSeq: ${opts.cseq ?? 1} ${method}`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** A callee's response to a request the B2BUA sent it. */
function answer(req: SipRequest, status: number, toTag = 'callee1'): SipResponse {
  const lines = [
    `SIP/2.0 ${status} Answer`,
    ...req.getHeaders('via').map((v) => `Via: ${v.value}`),
    `From: ${req.header('from') ?? ''}`,
    `To: ${req.header('to') ?? ''}${status > 100 && !/;tag=/.test(req.header('to') ?? '') ? `;tag=${toTag}` : ''}`,
    `Call-ID: ${req.callId()}`,
    `CSeq: ${req.header('cseq') ?? ''}`,
    ...(status >= 200 && status < 300 && req.method === 'INVITE'
      ? [`Contact: <sip:2001@${CALLEE.address}:${CALLEE.port}>`]
      : []),
    'Content-Length: 0',
    '',
    '',
  ];
  const m = parseMessage(Buffer.from(lines.join('\r\n')));
  assert.ok(m.isResponse());
  return m;
}

const peer = (tag: number, port: number, more: Partial<DialPeerJson> = {}): DialPeerJson => ({
  tag,
  destinationPattern: '2...',
  sessionTarget: `ipv4:127.0.0.1:${port}`,
  preference: tag,
  ...more,
});

describe('B2BUA core (fake transport, fake clock)', () => {
  it('sets a call up and tears it down: INVITE out, 180 and 200 back, ACK and BYE across, every index released', () => {
    const h = harness([{ tag: 100, incomingCalledNumber: '.T' }, peer(1, CALLEE.port)]);
    h.fromCaller(invite());
    assert.deepEqual(h.sentSince(), ['100 -> caller', `INVITE -> ${CALLEE.port}`]);
    const out = h.lastOut('INVITE');
    assert.notEqual(out.callId(), 'call-1@127.0.0.1', 'the B leg is a new dialog');
    assert.equal(out.uri().raw, `sip:2001@127.0.0.1:${CALLEE.port}`);
    const call = h.call();
    assert.equal(call.record.inboundDialPeer, 100);
    assert.equal(call.record.outboundDialPeer, 1);

    h.fromCallee(answer(out, 180));
    h.fromCallee(answer(out, 200));
    assert.deepEqual(h.sentSince(), ['180 -> caller', '200 -> caller']);
    assert.equal(h.store.get(call.id)?.state, 'connected');
    const ok = h.toCaller(200);
    const toTag = ok.to().params.get('tag') ?? '';
    assert.ok(toTag !== '' && toTag !== 'callee1', "the caller sees our To tag, not the callee's");

    h.fromCaller(fromCaller('ACK', 1, { toTag, branch: 'z9hG4bKack1' }));
    assert.deepEqual(h.sentSince(), [`ACK -> ${CALLEE.port}`]);
    h.clock.advance(2000);
    assert.deepEqual(h.sentSince(), [], 'no 200 retransmission once the ACK came');

    h.fromCaller(fromCaller('BYE', 1, { toTag, cseq: 2, branch: 'z9hG4bKbye1' }));
    assert.deepEqual(h.sentSince(), ['200 -> caller', `BYE -> ${CALLEE.port}`]);
    h.fromCallee(answer(h.lastOut('BYE'), 200));
    assert.equal(h.b2bua.callCount, 0);
    assert.equal(h.store.size, 0);
    assert.equal(h.b2bua.registry.holds(call), false, 'the registry let go of the call');
    assert.deepEqual(
      h.cdrs.map((c) => [c.disconnectCause, c.releasedBy]),
      [[16, 'caller']],
    );
  });

  it('cancels a ringing call: 200 to the CANCEL, 487 to the INVITE, CANCEL toward the callee, ACK of its 487', () => {
    const h = harness([peer(1, CALLEE.port)]);
    h.fromCaller(invite());
    const out = h.lastOut('INVITE');
    h.fromCallee(answer(out, 180));
    const call = h.call();
    h.sentSince();
    h.fromCaller(fromCaller('CANCEL', 1, { cseq: 1 }));
    assert.deepEqual(h.sentSince(), ['200 -> caller', '487 -> caller', `CANCEL -> ${CALLEE.port}`]);
    h.fromCallee(answer(h.lastOut('CANCEL'), 200));
    h.fromCallee(answer(out, 487));
    assert.deepEqual(h.sentSince(), [`ACK -> ${CALLEE.port}`]);
    assert.equal(h.b2bua.callCount, 0);
    assert.equal(h.b2bua.registry.holds(call), false);
    assert.deepEqual(
      h.cdrs.map((c) => [c.finalStatus, c.releasedBy]),
      [[487, 'caller']],
    );
  });

  it('hangs up a callee whose 200 crosses the CANCEL: ACK and BYE to it, the caller keeps its 487', () => {
    const h = harness([peer(1, CALLEE.port)]);
    h.fromCaller(invite());
    const out = h.lastOut('INVITE');
    h.fromCallee(answer(out, 180));
    const call = h.call();
    h.fromCaller(fromCaller('CANCEL', 1, { cseq: 1 }));
    h.sentSince();
    h.fromCallee(answer(out, 200)); // sent before the callee saw our CANCEL
    assert.deepEqual(h.sentSince(), [`ACK -> ${CALLEE.port}`, `BYE -> ${CALLEE.port}`]);
    assert.equal(h.toCaller(487).status, 487);
    assert.throws(() => h.toCaller(200), /no 200 was sent to the caller's INVITE/);
    assert.equal(h.b2bua.callCount, 0);
    assert.equal(h.b2bua.registry.holds(call), false);
  });

  it("answers calls beyond the inbound dial-peer's call spike with 503 and Retry-After, and takes them again a second later", () => {
    const h = harness([{ tag: 10, incomingCalledNumber: '2001', callSpike: 2 }, peer(1, 5071)]);
    for (const n of [1, 2, 3]) h.fromCaller(invite(n));
    assert.equal(h.transport.summary().filter((x) => x === 'INVITE').length, 2, 'two calls went on');
    const refused = h.toCaller(503);
    assert.equal(refused.callId(), 'call-3@127.0.0.1');
    assert.equal(refused.header('retry-after'), '1');
    assert.match(refused.header('warning') ?? '', /call spike of 2 calls per second reached on dial-peer 10/);
    assert.equal(h.b2bua.callCount, 2, 'the refused call left nothing behind');
    h.clock.advance(1000);
    h.fromCaller(invite(4));
    assert.equal(h.b2bua.callCount, 3, 'a second later a call goes on');
    assert.equal(h.toCaller(503).callId(), 'call-3@127.0.0.1', 'and is not refused');
  });

  it("writes the caller's display name toward the callee bounded (128 characters) and re-quoted, never as its bytes", () => {
    const h = harness([peer(1, 5071)]);
    const named = (n: number, display: string): string =>
      invite(n).replace(
        `From: <sip:1000@127.0.0.1>;tag=caller${n}`,
        `From: ${display} <sip:1000@127.0.0.1>;tag=caller${n}`,
      );
    h.fromCaller(named(1, `"${'A'.repeat(4000)}"`));
    const long = h.lastOut('INVITE').from();
    assert.equal(long.displayName, `"${'A'.repeat(128)}"`, 'cut to 128 characters, still a quoted-string');
    assert.ok((h.lastOut('INVITE').header('from') ?? '').length < 200);
    h.fromCaller(named(2, '"Bob \\"the\\" \\\\ Builder"'));
    assert.equal(
      h.lastOut('INVITE').from().displayName,
      '"Bob \\"the\\" \\\\ Builder"',
      'quotes and backslashes stay escaped',
    );
    h.fromCaller(named(3, 'Carol  Jones'));
    assert.equal(h.lastOut('INVITE').from().displayName, 'Carol  Jones', 'a display name of tokens stays tokens');
    h.fromCaller(named(4, 'x'.repeat(300)));
    assert.equal(h.lastOut('INVITE').from().displayName, 'x'.repeat(128), 'and is cut as well');
  });

  it('hunts past a dial-peer at max-conn and one busied out, to the next that can take the call', () => {
    const h = harness([peer(1, 5071, { maxConn: 1 }), peer(2, 5072), peer(3, 5073)], (tag) => tag !== 2);
    h.fromCaller(invite(1));
    assert.equal(h.lastOut('INVITE').uri().raw, 'sip:2001@127.0.0.1:5071', 'the first call takes dial-peer 1');
    h.fromCaller(invite(2));
    assert.equal(
      h.lastOut('INVITE').uri().raw,
      'sip:2001@127.0.0.1:5073',
      'the second hunts past 1 (full) and 2 (busied out)',
    );
    assert.equal(h.b2bua.callCount, 2);
  });

  it('lets only max-conn calls through even when they all wait in the chain at once (a DNS target)', async () => {
    const h = harness([{ tag: 1, destinationPattern: '2...', sessionTarget: 'dns:localhost:5071', maxConn: 1 }]);
    h.fromCaller(invite(1));
    h.fromCaller(invite(2)); // both pass max-conn before either has resolved the name
    assert.ok(
      await eventually(() => h.transport.summary().filter((x) => x === 'INVITE' || x === 503).length === 2),
      `both calls were decided: ${JSON.stringify(h.transport.summary())}`,
    );
    assert.equal(h.transport.summary().filter((x) => x === 'INVITE').length, 1, 'one INVITE went out');
    assert.match(h.toCaller(503).header('warning') ?? '', /Maximum Number of Connections reached for dial-peer 1/);
  });

  it('gives the caller the last refusal when no dial-peer can take the call, with a Warning saying why', () => {
    const h = harness([peer(1, 5071), peer(2, 5072)], () => false);
    h.fromCaller(invite());
    assert.deepEqual(h.sentSince(), ['100 -> caller', '404 -> caller']);
    assert.match(h.toCaller(404).header('warning') ?? '', /dial-peer 2 is busied out/);
    assert.equal(h.b2bua.callCount, 0);
    assert.equal(h.store.size, 0);
  });

  it('hunts on 503 and maps the last failure as CUBE does (488 becomes 500), with its cause in the record', () => {
    const h = harness([peer(1, 5071), peer(2, 5072)]);
    h.fromCaller(invite());
    const first = h.lastOut('INVITE');
    h.fromCallee(answer(first, 503));
    const second = h.lastOut('INVITE');
    assert.equal(second.uri().raw, 'sip:2001@127.0.0.1:5072', 'a 503 hunts to the next dial-peer');
    h.fromCallee(answer(second, 488));
    assert.equal(h.toCaller(500).status, 500);
    assert.deepEqual(
      h.cdrs.map((c) => [c.finalStatus, c.disconnectCause]),
      [[500, 41]],
    );
    assert.equal(h.b2bua.callCount, 0);
  });

  it("passes a busy callee's 486 to the caller unchanged and does not hunt on it", () => {
    const h = harness([peer(1, 5071), peer(2, 5072)]);
    h.fromCaller(invite());
    h.fromCallee(answer(h.lastOut('INVITE'), 486));
    assert.deepEqual(
      h.sentSince().filter((s) => s.startsWith('INVITE')),
      ['INVITE -> 5071'],
    );
    assert.equal(h.toCaller(486).status, 486);
    assert.deepEqual(
      h.cdrs.map((c) => [c.disconnectCause, c.releasedBy]),
      [[17, 'callee']],
    );
  });

  it('answers 408 when the callee never answers (Timer B), and releases the call', () => {
    const h = harness([peer(1, 5071)]);
    h.fromCaller(invite());
    const call = h.call();
    h.clock.advance(64 * 500 + 1);
    assert.equal(h.toCaller(408).status, 408);
    assert.equal(h.b2bua.registry.holds(call), false);
  });
});
