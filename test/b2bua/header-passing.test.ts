/** Which headers of a message cross to the other leg, and what a caller's final failure carries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Toward, crossing, failureHeaders, IN_DIALOG_CARRIED, toward } from '../../src/b2bua/header-passing.js';
import { DEFAULT_SANITIZE } from '../../src/b2bua/header-shield.js';
import type { HeaderPolicy } from '../../src/routing/dial-peer.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipResponse } from '../../src/sip/sip-message.js';

const busy = parseMessage(
  Buffer.from(
    [
      'SIP/2.0 486 Busy Here',
      'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1',
      'From: <sip:a@x>;tag=1',
      'To: <sip:b@y>;tag=2',
      'Call-ID: c1',
      'CSeq: 1 INVITE',
      'Contact: <sip:b@10.0.0.9>',
      'Reason: Q.850;cause=17',
      'Retry-After: 30',
      'X-Carrier-Ref: 77',
      'Proxy-Authenticate: Digest realm="r", nonce="n"',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ),
) as SipResponse;

/** The leg toward a dial-peer with this header policy, the node's shield defaults. */
const to = (headerPolicy: HeaderPolicy | null): Toward =>
  toward({ headerPolicy, sanitize: null }, '192.0.2.10', { sanitize: DEFAULT_SANITIZE, dropped: () => undefined });

describe('header passing', () => {
  it('never carries what the SBC owns (Via, Contact, challenges), always the known ones, unknown ones by policy', () => {
    const names = (h: Array<[string, string]>) => h.map(([n]) => n);
    assert.deepEqual(names(crossing(busy, IN_DIALOG_CARRIED, to(null))), ['Reason', 'Retry-After', 'X-Carrier-Ref']);
    assert.deepEqual(names(crossing(busy, IN_DIALOG_CARRIED, to({ pass: new Set(['x-carrier-ref']) }))), [
      'Reason',
      'X-Carrier-Ref',
    ]);
    assert.deepEqual(names(crossing(busy, IN_DIALOG_CARRIED, to({ drop: new Set(['x-carrier-ref']) }))), [
      'Reason',
      'Retry-After',
    ]);
  });

  it("gives a caller's failure our Warning, and the callee's Reason and Retry-After whatever the policy", () => {
    assert.deepEqual(failureHeaders(undefined, to(null), '399 sbc "no route"'), [['Warning', '399 sbc "no route"']]);
    assert.deepEqual(failureHeaders(busy, to({ pass: new Set() }), null), [
      ['Reason', 'Q.850;cause=17'],
      ['Retry-After', '30'],
    ]);
    assert.deepEqual(failureHeaders(busy, to(null), null), [
      ['Reason', 'Q.850;cause=17'],
      ['Retry-After', '30'],
      ['X-Carrier-Ref', '77'],
    ]);
  });

  it("takes the dial-peer's sanitize over the node's for its leg", () => {
    const node = { sanitize: DEFAULT_SANITIZE, dropped: () => undefined };
    const leg = toward({ headerPolicy: null, sanitize: { maxHeaders: 1, topologyHiding: false } }, 'h', node);
    assert.deepEqual(leg.shield.settings, { ...DEFAULT_SANITIZE, maxHeaders: 1, topologyHiding: false });
    assert.deepEqual(
      crossing(busy, IN_DIALOG_CARRIED, leg).map(([n]) => n),
      ['Reason'],
      'one copied header at most',
    );
    assert.equal(toward(null, 'h', node).shield.settings, DEFAULT_SANITIZE);
  });

  it('reports a header held back with the call it belongs to', () => {
    const held: Array<[string, string, string | undefined]> = [];
    const node = { sanitize: DEFAULT_SANITIZE, dropped: (n: string, r: string, id?: string) => held.push([n, r, id]) };
    const leg = toward({ headerPolicy: null, sanitize: { maxHeaders: 1 } }, 'h', node, 'c0ffee');
    crossing(busy, IN_DIALOG_CARRIED, leg);
    assert.ok(held.length > 0, 'something was held back');
    assert.ok(
      held.every(([, , id]) => id === 'c0ffee'),
      JSON.stringify(held),
    );
  });
});
