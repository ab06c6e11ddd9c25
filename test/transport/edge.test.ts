/** The edge never throws: a handler that fails on one message leaves the listener serving the next. */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransportLayer } from '../../src/transport/transport-layer.js';
import { silentLog } from '../helpers/log.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer } from '../helpers/net.js';

describe('transport edge', () => {
  it('keeps serving after the message handler throws', async () => {
    const t = new TransportLayer({ log: silentLog });
    const seen: string[] = [];
    t.onMessage((msg) => {
      seen.push(msg.callId());
      if (seen.length === 1) throw new Error('boom');
    });
    const [spec] = await t.listen([{ transport: 'udp', address: '127.0.0.1', port: 0 }]);
    const peer = await UdpPeer.open();
    peer.send(requestText({ callId: 'first' }), spec?.port ?? 0);
    peer.send(requestText({ callId: 'second' }), spec?.port ?? 0);
    await eventually(() => seen.length >= 2, { everyMs: 10 });
    assert.deepEqual(seen, ['first', 'second']);
    peer.close();
    await t.close();
  });
});
