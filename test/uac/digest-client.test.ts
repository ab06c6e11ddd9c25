import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticatedRetry, credentialFor, newAuthMemory } from '../../src/uac/digest-client.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipRequest, SipResponse } from '../../src/sip/sip-message.js';

const invite = parseMessage(
  Buffer.from(
    [
      'INVITE sip:2001@carrier.test SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfirst;rport',
      'From: <sip:1@sbc>;tag=a',
      'To: <sip:2001@carrier.test>',
      'Call-ID: c1',
      'CSeq: 1 INVITE',
      'Contact: <sip:1@10.0.0.1>',
      'Content-Type: application/sdp',
      'Content-Length: 3',
      '',
      'v=0',
    ].join('\r\n'),
  ),
) as SipRequest;

function challenge(status: number, ...values: string[]): SipResponse {
  const name = status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  return parseMessage(
    Buffer.from(
      [
        `SIP/2.0 ${status} Challenge`,
        'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKfirst;rport',
        'From: <sip:1@sbc>;tag=a',
        'To: <sip:2001@carrier.test>;tag=b',
        'Call-ID: c1',
        'CSeq: 1 INVITE',
        ...values.map((v) => `${name}: ${v}`),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    ),
  ) as SipResponse;
}

describe('digest client', () => {
  it('retries with a new branch, the next CSeq, the same Call-ID, tags and body, and the credentials', () => {
    const retry = authenticatedRetry(
      invite,
      challenge(407, 'Digest realm="carrier.test", nonce="n1", qop="auth"'),
      [{ username: 'u', password: 'p' }],
      newAuthMemory(),
    );
    assert.ok(retry);
    assert.equal(retry.cseq().seq, 2);
    assert.equal(retry.callId(), 'c1');
    assert.equal(retry.from().params.get('tag'), 'a');
    assert.notEqual(retry.topVia().params.get('branch'), 'z9hG4bKfirst');
    assert.equal(retry.body.toString(), 'v=0');
    assert.match(
      retry.header('proxy-authorization') ?? '',
      /^Digest username="u", realm="carrier.test", nonce="n1", uri="sip:2001@carrier.test"/,
    );
    assert.equal(retry.header('authorization'), undefined);
  });

  it('chooses the credential of the realm, else one without a realm, else none', () => {
    const pool = [
      { username: 'any', password: 'p' },
      { username: 'mine', password: 'p', realm: 'r1' },
    ];
    assert.equal(credentialFor(pool, 'r1')?.username, 'mine');
    assert.equal(credentialFor(pool, 'r2')?.username, 'any');
    assert.equal(credentialFor([{ username: 'x', password: 'p', realm: 'r1' }], 'r2'), undefined);
    assert.equal(
      authenticatedRetry(
        invite,
        challenge(401, 'Digest realm="r2", nonce="n"'),
        [{ username: 'x', password: 'p', realm: 'r1' }],
        newAuthMemory(),
      ),
      null,
    );
  });

  it('never loops: the same realm challenged again is refused unless the nonce was stale', () => {
    const memory = newAuthMemory();
    const pool = [{ username: 'u', password: 'p' }];
    const first = authenticatedRetry(invite, challenge(401, 'Digest realm="r", nonce="n1"'), pool, memory);
    assert.ok(first);
    assert.match(first.header('authorization') ?? '', /username="u"/);
    const stale = authenticatedRetry(first, challenge(401, 'Digest realm="r", nonce="n2", stale=true'), pool, memory);
    assert.ok(stale, 'a stale nonce is answered again');
    assert.equal(stale.cseq().seq, 3);
    assert.equal(stale.getHeaders('authorization').length, 1, 'the old credentials are replaced');
    assert.equal(
      authenticatedRetry(stale, challenge(401, 'Digest realm="r", nonce="n3"'), pool, memory),
      null,
      'refused credentials are not sent again',
    );
    assert.equal(authenticatedRetry(invite, challenge(486), pool, newAuthMemory()), null);
  });

  it('answers the strongest of several challenges of a realm', () => {
    const retry = authenticatedRetry(
      invite,
      challenge(401, 'Digest realm="r", nonce="n", algorithm=MD5', 'Digest realm="r", nonce="n", algorithm=SHA-256'),
      [{ username: 'u', password: 'p' }],
      newAuthMemory(),
    );
    assert.match(retry?.header('authorization') ?? '', /algorithm=SHA-256/);
    assert.equal(retry?.getHeaders('authorization').length, 1);
  });

  it('keeps the credentials of a realm not challenged again, replaces those of the realm challenged now', () => {
    const pool = [{ username: 'u', password: 'p' }];
    const memory = newAuthMemory();
    const first = authenticatedRetry(invite, challenge(407, 'Digest realm="edge", nonce="n1"'), pool, memory);
    assert.ok(first);
    const second = authenticatedRetry(first, challenge(407, 'Digest realm="core", nonce="n2"'), pool, memory);
    assert.ok(second);
    assert.deepEqual(
      second.getHeaders('proxy-authorization').map((h) => /realm="([^"]+)"/.exec(h.value)?.[1]),
      ['edge', 'core'],
    );
  });
});
