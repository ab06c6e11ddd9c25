/** Which headers of a message cross to the other leg, and what a caller's final failure carries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crossing, failureHeaders, IN_DIALOG_CARRIED } from '../../src/b2bua/header-passing.js';
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

describe('header passing', () => {
  it('never carries what the SBC owns (Via, Contact, challenges), always the known ones, unknown ones by policy', () => {
    const names = (h: Array<[string, string]>) => h.map(([n]) => n);
    assert.deepEqual(names(crossing(busy, IN_DIALOG_CARRIED, null)), ['Reason', 'Retry-After', 'X-Carrier-Ref']);
    assert.deepEqual(names(crossing(busy, IN_DIALOG_CARRIED, { pass: new Set(['x-carrier-ref']) })), [
      'Reason',
      'X-Carrier-Ref',
    ]);
    assert.deepEqual(names(crossing(busy, IN_DIALOG_CARRIED, { drop: new Set(['x-carrier-ref']) })), [
      'Reason',
      'Retry-After',
    ]);
  });

  it("gives a caller's failure our Warning, and the callee's Reason and Retry-After whatever the policy", () => {
    assert.deepEqual(failureHeaders(undefined, null, '399 sbc "no route"'), [['Warning', '399 sbc "no route"']]);
    assert.deepEqual(failureHeaders(busy, { pass: new Set() }, null), [
      ['Reason', 'Q.850;cause=17'],
      ['Retry-After', '30'],
    ]);
    assert.deepEqual(failureHeaders(busy, null, null), [
      ['Reason', 'Q.850;cause=17'],
      ['Retry-After', '30'],
      ['X-Carrier-Ref', '77'],
    ]);
  });
});
