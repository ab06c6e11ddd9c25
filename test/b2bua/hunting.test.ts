/** The hunting chain and each of its steps alone (no B2BUA, no sockets). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Call } from '../../src/b2bua/call.js';
import {
  type Attempt,
  type HuntOutcome,
  type HuntStep,
  Hunting,
  MaxConn,
  SKIP,
  busyoutStep,
  maxConnStep,
  resolveStep,
  sentByStep,
} from '../../src/b2bua/hunting.js';
import { dialConfig } from '../../src/config/dial-config.js';
import { type DialPeer, compileDialPeers } from '../../src/routing/dial-peer.js';

function peers(
  ...json: Array<{ tag: number; sessionTarget?: string; maxConn?: number; sessionTransport?: 'udp' | 'tcp' }>
): DialPeer[] {
  const compiled = compileDialPeers(
    dialConfig({
      dialPeers: json.map((value) => ({
        file: `dp-${value.tag}.json`,
        pointer: '',
        value: { destinationPattern: '2...', ...value },
      })),
    }),
  );
  assert.deepEqual(compiled.problems, []);
  return compiled.peers;
}

/** Just what hunting reads and writes of a call. */
function callOf(candidates: DialPeer[], inboundOverride: number | null = null): Call {
  return {
    candidates,
    next: 0,
    lastFailure: null,
    ended: false,
    cancelled: false,
    inbound: { errorCodeOverride: inboundOverride },
  } as unknown as Call;
}

/** Runs a hunt and says how it ended: the tag found, 'exhausted' or 'gone'. */
function hunt(h: Hunting, call: Call): Promise<number | 'exhausted' | 'gone'> {
  return new Promise((resolve) => {
    const out: HuntOutcome = {
      found: (a) => resolve(a.peer.tag),
      exhausted: () => resolve('exhausted'),
      gone: () => resolve('gone'),
    };
    h.next(call, out);
  });
}

const refuse = (tags: number[], status: number): HuntStep => ({
  name: `refuse ${tags.join(',')}`,
  check: (a: Attempt) => (tags.includes(a.peer.tag) ? { status, warning: `refused ${a.peer.tag}` } : null),
});

describe('hunting chain', () => {
  it('runs the steps in order for each candidate; the first that passes them all is found', async () => {
    const seen: string[] = [];
    const spy = (name: string): HuntStep => ({ name, check: (a) => (seen.push(`${name}:${a.peer.tag}`), null) });
    const h = new Hunting([spy('one'), refuse([1], 503), spy('two')]);
    assert.equal(await hunt(h, callOf(peers({ tag: 1 }, { tag: 2 }))), 2);
    assert.deepEqual(seen, ['one:1', 'one:2', 'two:2'], 'a refused candidate goes no further in the chain');
  });

  it('leaves the caller the last refusal when every candidate is refused; SKIP leaves none of its own', async () => {
    const call = callOf(peers({ tag: 1 }, { tag: 2 }, { tag: 3 }));
    const h = new Hunting([refuse([1], 503), refuse([2], 404), { name: 'skip', check: () => SKIP }]);
    assert.equal(await hunt(h, call), 'exhausted');
    assert.deepEqual(call.lastFailure, { status: 404, warning: 'refused 2' });
  });

  it('waits for a step that answers later, and goes on hunting when it refuses', async () => {
    const later: HuntStep = {
      name: 'later',
      check: (a) => Promise.resolve(a.peer.tag === 1 ? { status: 503, warning: 'no' } : null),
    };
    const call = callOf(peers({ tag: 1 }, { tag: 2 }));
    assert.equal(await hunt(new Hunting([later]), call), 2);
    assert.deepEqual(call.lastFailure, { status: 503, warning: 'no' });
  });

  it('reports the call gone when it was cancelled while a step waited', async () => {
    const call = callOf(peers({ tag: 1 }));
    const later: HuntStep = {
      name: 'later',
      check: () => new Promise((r) => setImmediate(() => ((call.cancelled = true), r(null)))),
    };
    assert.equal(await hunt(new Hunting([later]), call), 'gone');
  });

  it('max-conn: refuses a dial-peer whose slots are all held, and takes it again once one is given back', () => {
    const [dp] = peers({ tag: 7, maxConn: 2 });
    assert.ok(dp);
    const slots = new MaxConn();
    const step = maxConnStep(slots);
    const attempt = { call: callOf([]), peer: dp };
    slots.take(7);
    assert.equal(step.check(attempt), null);
    slots.take(7);
    assert.deepEqual(step.check(attempt), {
      status: 503,
      warning: 'Maximum Number of Connections reached for dial-peer 7',
    });
    slots.give(7);
    assert.equal(step.check(attempt), null);
    assert.equal(slots.held(7), 1);
  });

  it("busyout: a busied-out dial-peer gets the inbound dial-peer's error-code override, else the global, else 404", () => {
    const [dp] = peers({ tag: 4 });
    assert.ok(dp);
    const down = { isUp: () => false };
    assert.equal(busyoutStep({ isUp: () => true }, () => null).check({ call: callOf([]), peer: dp }), null);
    assert.equal(
      busyoutStep(undefined, () => null).check({ call: callOf([]), peer: dp }),
      null,
      'no keepalive: every dial-peer is up',
    );
    assert.deepEqual(busyoutStep(down, () => null).check({ call: callOf([]), peer: dp }), {
      status: 404,
      warning: 'dial-peer 4 is busied out (OPTIONS keepalive)',
    });
    assert.equal(
      (busyoutStep(down, () => 503).check({ call: callOf([]), peer: dp }) as { status: number }).status,
      503,
    );
    assert.equal(
      (busyoutStep(down, () => 503).check({ call: callOf([], 480), peer: dp }) as { status: number }).status,
      480,
    );
  });

  it('resolve and sent-by: an address target is used as written; no listener for its transport is a 503', async () => {
    const [udp, tcp, none] = peers(
      { tag: 1, sessionTarget: 'ipv4:127.0.0.1:5070' },
      { tag: 2, sessionTarget: 'ipv4:127.0.0.1', sessionTransport: 'tcp' },
      { tag: 3 },
    );
    assert.ok(udp && tcp && none);
    const resolve = resolveStep(() => true);
    const sentBy = sentByStep((d) => (d.transport === 'udp' ? { host: '127.0.0.1', port: 5060 } : undefined));
    const a: Attempt = { call: callOf([]), peer: udp };
    assert.equal(await resolve.check(a), null);
    assert.deepEqual(a.dest, { transport: 'udp', address: '127.0.0.1', port: 5070 });
    assert.equal(sentBy.check(a), null);
    assert.deepEqual(a.via, { host: '127.0.0.1', port: 5060 });
    const b: Attempt = { call: callOf([]), peer: tcp };
    assert.equal(await resolve.check(b), null);
    assert.deepEqual(sentBy.check(b), { status: 503, warning: 'no tcp listener to reach dial-peer 2' });
    assert.equal(
      await resolve.check({ call: callOf([]), peer: none }),
      SKIP,
      'no session target: skipped without a failure of its own',
    );
  });

  it('resolve: a DNS name that does not resolve is a 503 naming the dial-peer', async () => {
    const [dp] = peers({ tag: 9, sessionTarget: 'dns:no-such-host.invalid:5060' });
    assert.ok(dp);
    assert.deepEqual(await resolveStep(() => true).check({ call: callOf([]), peer: dp }), {
      status: 503,
      warning: 'session target of dial-peer 9 does not resolve',
    });
  });
});
