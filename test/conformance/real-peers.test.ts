/** Byte-exact messages from MicroSIP, CUCM and CUBE: each parses, passes the core checks, and round-trips. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage } from '../../src/sip/message-parser.js';
import { STACK_CHECKS, checkRequest, responseFault } from '../../src/sip/request-checks.js';
import { realPeerFiles, realPeerMessage } from '../helpers/corpus.js';

describe('real peers (MicroSIP, CUCM, CUBE)', () => {
  const files = realPeerFiles();

  it('finds the corpus', () => assert.ok(files.length >= 20));

  for (const file of files) {
    it(`${file} parses, is accepted and serializes to the same bytes`, () => {
      const buf = realPeerMessage(file);
      const msg = parseMessage(buf);
      assert.ok(msg.serialize().equals(buf));
      if (msg.isRequest()) assert.equal(checkRequest(msg, STACK_CHECKS), null);
      else if (msg.isResponse()) assert.equal(responseFault(msg), null);
      assert.ok(msg.callId().length > 0);
      assert.ok(msg.topVia().host.length > 0);
      assert.equal(msg.body.length, Number(msg.header('content-length')));
    });
  }

  it('CUCM OPTIONS keepalive with Max-Forwards 0 over TCP parses as a stream message', () => {
    const msg = parseMessage(realPeerMessage('cucm-options-keepalive-tcp.sip'), { stream: true });
    assert.ok(msg.isRequest());
    assert.equal(msg.method, 'OPTIONS');
    assert.equal(msg.maxForwards(), 0);
    assert.equal(msg.topVia().transport, 'TCP');
  });
});
