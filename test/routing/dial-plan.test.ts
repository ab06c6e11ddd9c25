/** Inbound and outbound dial-peer selection in CUBE's order (cube-reference §1.1-§1.3). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DialPeerJson, type UriClassJson, dialConfig } from '../../src/config/dial-config.js';
import { compileDialPeers } from '../../src/routing/dial-peer.js';
import { DialPlan } from '../../src/routing/dial-plan.js';

function plan(peers: DialPeerJson[], classes: UriClassJson[] = [], random = () => 0.5): DialPlan {
  const compiled = compileDialPeers(
    dialConfig({
      dialPeers: peers.map((value, i) => ({ file: `dp${i}.json`, pointer: '', value })),
      uriClasses: classes.map((value, i) => ({ file: `c${i}.json`, pointer: '', value })),
    }),
  );
  assert.deepEqual(compiled.problems, []);
  return new DialPlan(compiled.peers, random);
}

const uris = (host: string, user = 'alice') => ({ uri: `sip:${user}@${host}`, host, user });

describe('inbound dial-peer', () => {
  it('prefers incoming uri via over request, to and from, and those over numbers', () => {
    const p = plan(
      [
        { tag: 1, incomingCalledNumber: '2000' },
        { tag: 2, incomingUri: { from: 'pbx' } },
        { tag: 3, incomingUri: { request: 'pbx' } },
        { tag: 4, incomingUri: { via: 'pbx' } },
      ],
      [{ kind: 'uri', id: 'pbx', host: ['ipv4:10.0.0.1'] }],
    );
    const keys = { calledNumber: '2000', callingNumber: '1000' };
    const all = { via: uris('10.0.0.1'), request: uris('10.0.0.1'), to: uris('10.0.0.1'), from: uris('10.0.0.1') };
    assert.deepEqual(
      [p.inbound({ ...keys, uris: all }).peer.tag, p.inbound({ ...keys, uris: all }).criterion],
      [4, 'uri-via'],
    );
    assert.equal(p.inbound({ ...keys, uris: { ...all, via: uris('10.9.9.9') } }).peer.tag, 3);
    assert.equal(p.inbound({ ...keys, uris: { from: uris('10.0.0.1') } }).peer.tag, 2);
    assert.equal(p.inbound({ ...keys, uris: { via: uris('10.9.9.9') } }).peer.tag, 1);
  });

  it('a host class beats a user class beats a whole-URI pattern', () => {
    const p = plan(
      [
        { tag: 1, incomingUri: { from: 'by-pattern' } },
        { tag: 2, incomingUri: { from: 'by-user' } },
        { tag: 3, incomingUri: { from: 'by-host' } },
      ],
      [
        { kind: 'uri', id: 'by-pattern', pattern: 'alice' },
        { kind: 'uri', id: 'by-user', user: '^ali' },
        { kind: 'uri', id: 'by-host', host: 'example\\.com$' },
      ],
    );
    assert.equal(
      p.inbound({ calledNumber: '1', callingNumber: '2', uris: { from: uris('pbx.example.com') } }).peer.tag,
      3,
    );
    assert.equal(p.inbound({ calledNumber: '1', callingNumber: '2', uris: { from: uris('other.net') } }).peer.tag, 2);
    assert.equal(
      p.inbound({ calledNumber: '1', callingNumber: '2', uris: { from: uris('other.net', 'bob-alice') } }).peer.tag,
      1,
    );
  });

  it('then called number, answer-address, destination-pattern against the calling number, else dial-peer 0', () => {
    const p = plan([
      { tag: 10, incomingCalledNumber: '2...' },
      { tag: 11, incomingCalledNumber: '200.' },
      { tag: 20, answerAddress: '555T' },
      { tag: 30, destinationPattern: '7...', sessionTarget: 'ipv4:127.0.0.1' },
    ]);
    assert.equal(p.inbound({ calledNumber: '2001', callingNumber: '5551' }).peer.tag, 11, 'longest match');
    assert.equal(p.inbound({ calledNumber: '3001', callingNumber: '5551' }).peer.tag, 20);
    const viaDest = p.inbound({ calledNumber: '3001', callingNumber: '7001' });
    assert.deepEqual([viaDest.peer.tag, viaDest.criterion], [30, 'destination-pattern']);
    const none = p.inbound({ calledNumber: '3001', callingNumber: '8001' });
    assert.deepEqual([none.peer.tag, none.criterion], [0, 'default']);
  });

  it('ignores shut-down dial-peers', () => {
    const p = plan([{ tag: 1, incomingCalledNumber: '2T', shutdown: true }]);
    assert.equal(p.inbound({ calledNumber: '2001', callingNumber: '' }).peer.tag, 0);
  });
});

describe('outbound dial-peers', () => {
  it('hunt longest match first, then preference', () => {
    const p = plan([
      { tag: 1, destinationPattern: '2...', sessionTarget: 'ipv4:127.0.0.1:5071', preference: 0 },
      { tag: 2, destinationPattern: '200.', sessionTarget: 'ipv4:127.0.0.1:5072', preference: 5 },
      { tag: 3, destinationPattern: '200.', sessionTarget: 'ipv4:127.0.0.1:5073', preference: 1 },
      { tag: 4, destinationPattern: '3...', sessionTarget: 'ipv4:127.0.0.1:5074' },
    ]);
    assert.deepEqual(
      p.outbound('2001').map((d) => d.tag),
      [3, 2, 1],
    );
    assert.deepEqual(p.outbound('9999'), []);
  });

  it('choose randomly among equals', () => {
    const peers: DialPeerJson[] = [
      { tag: 1, destinationPattern: '2...', sessionTarget: 'ipv4:127.0.0.1:5071' },
      { tag: 2, destinationPattern: '2...', sessionTarget: 'ipv4:127.0.0.1:5072' },
    ];
    const seen = new Set<string>();
    let r = 0;
    const rng = () => (r = (r * 9301 + 49297) % 233280) / 233280;
    const p = plan(peers, [], rng);
    for (let i = 0; i < 50; i++)
      seen.add(
        p
          .outbound('2001')
          .map((d) => d.tag)
          .join(','),
      );
    assert.deepEqual([...seen].sort(), ['1,2', '2,1']);
  });

  it('skip shut-down dial-peers and those without a session target', () => {
    const p = plan([
      { tag: 1, destinationPattern: '2...', sessionTarget: 'ipv4:127.0.0.1', shutdown: true },
      { tag: 2, destinationPattern: '2...' },
      { tag: 3, destinationPattern: '2T', sessionTarget: 'dns:carrier.example.com:5080' },
    ]);
    assert.deepEqual(
      p.outbound('2001').map((d) => d.tag),
      [3],
    );
  });
});
