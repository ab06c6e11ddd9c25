/**
 * A node whose event loop was held up (GC, a burst of work, a loaded machine) past Timer A: Node runs due
 * timers before it reads sockets, so the INVITE would be sent again although the callee's 180 is already
 * waiting in the socket. The client transaction reads waiting datagrams first, and sends no needless copy
 * (some UAS, SIPp's built-in one among them, abort a call on such a copy after their 200).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipRequest } from '../../src/sip/sip-message.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer, sleep } from '../helpers/net.js';
import { isRequest, receivedMessage, receivedMessages, sdpAt } from '../helpers/udp-sip.js';

/** The callee's 180 to `invite`. */
function ringing(invite: SipRequest): string {
  return [
    'SIP/2.0 180 Ringing',
    ...invite.getHeaders('via').map((h) => `Via: ${h.value}`),
    `From: ${invite.header('from') ?? ''}`,
    `To: ${invite.header('to') ?? ''};tag=callee1`,
    `Call-ID: ${invite.callId()}`,
    `CSeq: ${invite.header('cseq') ?? ''}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('retransmission after a held event loop', () => {
  it('does not send the INVITE again when the 180 was already waiting as Timer A fired', async () => {
    const caller = await UdpPeer.open();
    const callee = await UdpPeer.open();
    const app = await startTestApp({
      listen: ['udp:127.0.0.1:0'],
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${callee.port}`, media: 'flow-around' }],
    });
    const port = boundPort(app, 'udp');
    try {
      caller.send(requestText({
        method: 'INVITE', uri: `sip:2001@127.0.0.1:${port}`, via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`, branch: 'z9hG4bKheld1',
        callId: 'held@127.0.0.1', fromTag: 'caller1', extra: [`Contact: <sip:alice@127.0.0.1:${caller.port}>`], body: sdpAt(30000),
      }), port);
      const invite = await receivedMessage(callee, isRequest('INVITE'));
      assert.ok(invite?.isRequest(), 'the callee got the INVITE');
      callee.send(ringing(invite), port);
      // hold this process's event loop (the SBC runs in it) well past Timer A (T1 = 500 ms)
      const until = Date.now() + 800;
      while (Date.now() < until) { /* held */ }
      await sleep(300);
      const invites = await receivedMessages(callee, isRequest('INVITE'), 2, 200);
      assert.equal(invites.length, 1, 'no copy of the INVITE: the waiting 180 was read first');
      assert.equal(app.transactions.stats.retransmissionsOut, 0);
      const toCaller = await receivedMessage(caller, (m) => m.isResponse() && m.status === 180);
      assert.ok(toCaller !== undefined, 'the 180 reached the caller');
    } finally {
      await app.stop();
      caller.close();
      callee.close();
    }
  });
});
