/** RFC 3261 §18.2.2 with RFC 3581: where a response goes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipResponse } from '../../src/sip/sip-message.js';
import { responseDestination } from '../../src/transport/transport-layer.js';
import { tcpFlow, udpFlow } from '../helpers/messages.js';

function res(via: string): SipResponse {
  const m = parseMessage(Buffer.from(`SIP/2.0 200 OK\r\nVia: ${via}\r\nContent-Length: 0\r\n\r\n`));
  assert.ok(m.isResponse());
  return m;
}

describe('response destination', () => {
  it('UDP: the received address at the rport', () => {
    const d = responseDestination(
      res('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa;received=127.0.0.5;rport=40000'),
      udpFlow,
    );
    assert.deepEqual(d, { transport: 'udp', address: '127.0.0.5', port: 40000 });
  });

  it('UDP without rport: the received address at the sent-by port, or 5060', () => {
    assert.equal(
      responseDestination(res('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa;received=127.0.0.5'), udpFlow).port,
      5070,
    );
    assert.equal(
      responseDestination(res('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa;received=127.0.0.5'), udpFlow).port,
      5060,
    );
  });

  it('never the maddr, and IPv6 received addresses without brackets', () => {
    const d = responseDestination(
      res('SIP/2.0/UDP [2001:db8::1];maddr=192.0.2.9;branch=z9hG4bKa;received=[::1]'),
      udpFlow,
    );
    assert.deepEqual(d, { transport: 'udp', address: '::1', port: 5060 });
  });

  it('a Via port 0 falls back to the source port', () => {
    assert.equal(responseDestination(res('SIP/2.0/UDP 127.0.0.1:0;branch=z9hG4bKa'), udpFlow).port, udpFlow.remotePort);
  });

  it('TCP: over the transport the request came on, new connections to the sent-by port', () => {
    const d = responseDestination(
      res('SIP/2.0/TCP 192.0.2.1:5070;branch=z9hG4bKa;received=127.0.0.5;rport=40000'),
      tcpFlow,
    );
    assert.deepEqual(d, { transport: 'tcp', address: '127.0.0.5', port: 5070 });
  });
});
