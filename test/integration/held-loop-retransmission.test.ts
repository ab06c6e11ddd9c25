/**
 * A node whose event loop was held up (GC, a burst of work, a loaded machine) past Timer A: Node runs due
 * timers before it reads sockets, so the INVITE would be sent again although the callee's 180 is already
 * waiting in the socket. The client transaction reads waiting datagrams first, and sends no needless copy
 * (some UAS, SIPp's built-in one among them, abort a call on such a copy after their 200); the 200 that the
 * B2BUA resends to the caller until its ACK does the same.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestText } from '../helpers/messages.js';
import { sleep } from '../helpers/net.js';
import {
  callerInvite,
  isRequest,
  okFromCallee,
  receivedMessage,
  receivedMessages,
  responseTo,
  socketsAroundSbc,
} from '../helpers/udp-sip.js';

describe('retransmission after a held event loop', () => {
  it('does not send the INVITE again when the 180 was already waiting as Timer A fired', async () => {
    const { caller, callee, app, port, close } = await socketsAroundSbc();
    try {
      caller.send(callerInvite(caller, port, 'held@127.0.0.1'), port);
      const invite = await receivedMessage(callee, isRequest('INVITE'));
      assert.ok(invite?.isRequest(), 'the callee got the INVITE');
      callee.send(responseTo(invite, '180 Ringing', { tag: 'callee1' }), port);
      // hold this process's event loop (the SBC runs in it) well past Timer A (T1 = 500 ms)
      const until = Date.now() + 800;
      while (Date.now() < until) {
        /* held */
      }
      await sleep(300);
      const invites = await receivedMessages(callee, isRequest('INVITE'), 2, 200);
      assert.equal(invites.length, 1, 'no copy of the INVITE: the waiting 180 was read first');
      assert.equal(app.transactions.stats.retransmissionsOut, 0);
      const toCaller = await receivedMessage(caller, (m) => m.isResponse() && m.status === 180);
      assert.ok(toCaller !== undefined, 'the 180 reached the caller');
    } finally {
      await close();
    }
  });

  it("does not send the 200 to the caller again when the caller's ACK was already waiting", async () => {
    const { caller, callee, port, close } = await socketsAroundSbc();
    try {
      caller.send(callerInvite(caller, port, 'held-ack@127.0.0.1'), port);
      const invite = await receivedMessage(callee, isRequest('INVITE'));
      assert.ok(invite?.isRequest(), 'the callee got the INVITE');
      callee.send(okFromCallee(invite, callee.port, 'callee1'), port);
      const ok = await receivedMessage(caller, (m) => m.isResponse() && m.status === 200);
      assert.ok(ok?.isResponse(), 'the caller got the 200');
      caller.send(
        requestText({
          method: 'ACK',
          uri: /<([^>]+)>/.exec(ok.header('contact') ?? '')?.[1] ?? '',
          via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`,
          branch: 'z9hG4bKheldack',
          callId: 'held-ack@127.0.0.1',
          fromTag: 'caller1',
          toTag: ok.to().params.get('tag') ?? '',
        }),
        port,
      );
      const until = Date.now() + 800; // past the 200's first retransmission (T1 = 500 ms), the ACK waiting
      while (Date.now() < until) {
        /* held */
      }
      await receivedMessage(callee, isRequest('ACK'), 1000);
      const oks = await receivedMessages(caller, (m) => m.isResponse() && m.status === 200, 2, 300);
      assert.equal(oks.length, 1, 'no copy of the 200: the waiting ACK was read first');
    } finally {
      await close();
    }
  });
});
