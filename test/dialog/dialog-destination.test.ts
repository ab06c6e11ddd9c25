import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dialog, type DialogInit } from '../../src/dialog/dialog.js';

function dialog(over: Partial<DialogInit>): Dialog {
  return new Dialog({
    callId: 'c@x',
    localTag: 'l',
    remoteTag: 'r',
    localSeq: 1,
    remoteSeq: 1,
    remoteTarget: 'sip:2001@127.0.0.9:5061;transport=tls',
    routeSet: [],
    localUri: 'sip:a@x',
    remoteUri: 'sip:b@y',
    contact: '<sip:x>',
    transport: 'tls',
    flow: undefined,
    fallback: { transport: 'tls', address: '127.0.0.9', port: 5061, serverName: 'sip.carrier.example' },
    ...over,
  });
}

describe('Dialog.destination', () => {
  it('keeps the server name the leg was set up to when requests go to the same server (TLS certificate name)', () => {
    assert.deepEqual(dialog({}).destination(), {
      transport: 'tls',
      address: '127.0.0.9',
      port: 5061,
      serverName: 'sip.carrier.example',
    });
  });

  it('gives no server name to another server (its address is the name checked)', () => {
    const d = dialog({ remoteTarget: 'sip:2001@127.0.0.10:5061;transport=tls' });
    assert.deepEqual(d.destination(), { transport: 'tls', address: '127.0.0.10', port: 5061 });
  });

  it("follows the far end's flow first, and a UDP dialog never carries a name", () => {
    const flow = {
      transport: 'udp' as const,
      localAddress: '127.0.0.1',
      localPort: 5060,
      remoteAddress: '127.0.0.7',
      remotePort: 5070,
    };
    const d = dialog({ remoteTarget: 'sip:2001@127.0.0.7:5070', transport: 'udp', flow, fallback: undefined });
    assert.deepEqual(d.destination(), { transport: 'udp', address: '127.0.0.7', port: 5070 });
  });
});
