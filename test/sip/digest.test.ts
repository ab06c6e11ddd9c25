import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authParams, digestAuthorization, parseChallenge, usableChallenges } from '../../src/sip/digest.js';

describe('digest', () => {
  it('answers the RFC 2617 §3.5 example (MD5, qop auth)', () => {
    const ch = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    assert.ok(ch);
    const v = digestAuthorization(ch, {
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      body: Buffer.alloc(0),
      count: 0,
      cnonce: '0a4f113b',
    });
    assert.match(v, /response="6629fae49393a05397450978507c4ef1"/);
    assert.match(v, /qop=auth, nc=00000001/);
    assert.match(v, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
  });

  it('answers the RFC 7616 §3.9.1 examples (SHA-256 and MD5) and prefers SHA-256 when both are offered', () => {
    const common =
      'realm="http-auth@example.org", qop="auth, auth-int", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const [best, md5] = usableChallenges([`Digest ${common}, algorithm=MD5`, `Digest ${common}, algorithm=SHA-256`]);
    assert.equal(best?.algorithm, 'SHA-256');
    const answer = {
      username: 'Mufasa',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      body: Buffer.alloc(0),
      count: 0,
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    };
    assert.match(
      digestAuthorization(best, answer),
      /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/,
    );
    assert.match(digestAuthorization(md5 ?? best, answer), /response="8ca523f5e9506fed4657c9700eebdbec"/);
  });

  it('reads quoted values with commas and escapes, stale, and refuses what it cannot answer', () => {
    assert.deepEqual(
      [...authParams('a="x, \\"y\\"", b=tok,c = "z"')],
      [
        ['a', 'x, "y"'],
        ['b', 'tok'],
        ['c', 'z'],
      ],
    );
    assert.equal(parseChallenge('Digest realm="r", nonce="n", stale=TRUE')?.stale, true);
    assert.equal(parseChallenge('Basic realm="r"'), null);
    assert.equal(parseChallenge('Digest realm="r"'), null, 'no nonce');
    assert.equal(parseChallenge('Digest realm="r", nonce="n", algorithm=AKAv1-MD5'), null);
    assert.equal(parseChallenge('Digest realm="r", nonce="n", qop="auth-conf"'), null);
    assert.equal(parseChallenge('Digest realm="r", nonce="n", algorithm=sha-256-sess')?.algorithm, 'SHA-256-SESS');
  });

  it('answers without qop as RFC 2069 did, and auth-int over the body', () => {
    const plain = digestAuthorization(parseChallenge('Digest realm="r", nonce="n"')!, {
      username: 'u',
      password: 'p',
      method: 'INVITE',
      uri: 'sip:a@b',
      body: Buffer.alloc(0),
      count: 0,
    });
    assert.doesNotMatch(plain, /qop|cnonce|nc=/);
    const int1 = digestAuthorization(parseChallenge('Digest realm="r", nonce="n", qop="auth-int"')!, {
      username: 'u',
      password: 'p',
      method: 'INVITE',
      uri: 'sip:a@b',
      body: Buffer.from('v=0'),
      count: 1,
      cnonce: 'c',
    });
    const int2 = digestAuthorization(parseChallenge('Digest realm="r", nonce="n", qop="auth-int"')!, {
      username: 'u',
      password: 'p',
      method: 'INVITE',
      uri: 'sip:a@b',
      body: Buffer.from('v=1'),
      count: 1,
      cnonce: 'c',
    });
    assert.match(int1, /qop=auth-int, nc=00000002/);
    assert.notEqual(int1, int2, 'the body is in the hash');
    assert.doesNotMatch(int1, /"p"/, 'the password is never written');
  });
});
