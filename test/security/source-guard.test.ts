/** CIDR matching and the source guard: scanners, untrusted sources, floods, bans that end. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CidrError, parseCidr } from '../../src/security/cidr.js';
import { DEFAULT_SCANNERS, type GuardSettings, SourceGuard } from '../../src/security/source-guard.js';

describe('CIDR blocks', () => {
  it('match IPv4 and IPv6 addresses by prefix, and refuse what is not a block', () => {
    const v4 = parseCidr('10.20.0.0/16');
    assert.ok(v4.matches('10.20.255.1'));
    assert.ok(!v4.matches('10.21.0.1'));
    assert.ok(v4.matches('::ffff:10.20.1.1'), 'an IPv4-mapped IPv6 address');
    assert.ok(parseCidr('127.0.0.1').matches('127.0.0.1') && !parseCidr('127.0.0.1').matches('127.0.0.2'));
    assert.ok(parseCidr('0.0.0.0/0').matches('192.0.2.9'));
    const v6 = parseCidr('2001:db8::/32');
    assert.ok(v6.matches('2001:db8:1::5') && v6.matches('[2001:db8::1]'));
    assert.ok(!v6.matches('2001:db9::1') && !v6.matches('10.0.0.1'));
    assert.ok(parseCidr('::1').matches('::1'));
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'host.example', '1.2.3.256', '2001:db8::/129', '10.0.0.0/x'])
      assert.throws(() => parseCidr(bad), CidrError, bad);
  });
});

const settings = (over: Partial<GuardSettings> = {}): GuardSettings => ({
  trustedList: ['127.0.0.0/24'],
  silentDiscardUntrusted: true,
  pike: null,
  scannerUserAgents: DEFAULT_SCANNERS,
  ...over,
});

describe('SourceGuard', () => {
  it('drops scanners anywhere, drops or rejects untrusted sources, trusts session targets', () => {
    const g = new SourceGuard(settings());
    assert.deepEqual(g.check('127.0.0.9', 'PBX/1.0'), { kind: 'pass' });
    assert.deepEqual(g.check('127.0.0.9', 'friendly-scanner'), { kind: 'drop', reason: 'scanner' });
    assert.deepEqual(
      g.check('127.0.0.9', 'SIPVicious 0.3.4'),
      { kind: 'drop', reason: 'scanner' },
      'case and version do not matter',
    );
    assert.deepEqual(g.check('192.0.2.1', 'PBX/1.0'), { kind: 'drop', reason: 'untrusted' });
    g.setTargets(['192.0.2.1']);
    assert.deepEqual(g.check('192.0.2.1', undefined), { kind: 'pass' }, 'a dial-peer target is trusted');
    const loud = new SourceGuard(settings({ silentDiscardUntrusted: false }));
    assert.deepEqual(loud.check('192.0.2.7', undefined), { kind: 'reject', reason: 'untrusted' });
    assert.deepEqual(
      loud.check('192.0.2.7', undefined, { ack: true }),
      { kind: 'drop', reason: 'untrusted' },
      'an ACK is never answered',
    );
    assert.deepEqual(
      loud.check('192.0.2.7', undefined, { byCertificate: true }),
      { kind: 'pass' },
      'a trusted TLS client passes from anywhere',
    );
    assert.deepEqual(g.counters, { scanner: 2, untrusted: 1, flood: 0, rejected: 0 });
    assert.deepEqual(loud.counters, { scanner: 0, untrusted: 1, flood: 0, rejected: 1 });
  });

  it('bans a flooding source for the ban time, spares the others and the trunks, and lets it back after', () => {
    let now = 0;
    const g = new SourceGuard(settings({ pike: { windowSeconds: 2, maxRequests: 50, banSeconds: 30 } }), () => now);
    g.setTargets(['127.0.0.1']);
    for (let i = 0; i < 50; i++) assert.equal(g.check('127.0.0.2', undefined).kind, 'pass');
    assert.deepEqual(g.check('127.0.0.2', undefined), { kind: 'drop', reason: 'flood' });
    for (let i = 0; i < 500; i++) assert.equal(g.check('127.0.0.1', undefined).kind, 'pass', 'a trunk is never banned');
    assert.equal(g.check('127.0.0.3', undefined).kind, 'pass', 'another source is not affected');
    assert.deepEqual(g.report().banned, [{ address: '127.0.0.2', secondsLeft: 30 }]);
    now = 20_000;
    assert.equal(g.check('127.0.0.2', undefined).kind, 'drop', 'still banned');
    now = 31_000;
    assert.equal(g.check('127.0.0.2', undefined).kind, 'pass', 'the ban has ended');
    assert.deepEqual(g.report().banned, []);
  });
});
