import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListenSpecError, formatListenSpec, parseListenSpec } from '../../src/transport/listen-spec.js';

describe('listen specs', () => {
  it('parses udp/tcp on IPv4 and bracketed IPv6', () => {
    assert.deepEqual(parseListenSpec('udp:127.0.0.1:5060'), { transport: 'udp', address: '127.0.0.1', port: 5060 });
    assert.deepEqual(parseListenSpec('tcp:[::1]:5070'), { transport: 'tcp', address: '::1', port: 5070 });
    assert.equal(formatListenSpec(parseListenSpec('udp:[::1]:0')), 'udp:[::1]:0');
  });

  it('rejects what is not a listen address, saying which', () => {
    for (const bad of [
      'sctp:127.0.0.1:5060',
      'udp:::1:5060',
      'udp:[127.0.0.1]:5060',
      'udp:300.1.1.1:5060',
      'udp:127.0.0.1:70000',
      'udp:127.0.0.1',
    ]) {
      assert.throws(
        () => parseListenSpec(bad),
        (e: unknown) => e instanceof ListenSpecError && e.message.includes(bad),
        bad,
      );
    }
  });
});
