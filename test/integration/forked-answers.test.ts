/**
 * Two forks of the callee side answer the same INVITE (a forking proxy behind the trunk). The call takes
 * the first answer; the second fork's 200 is ACKed on its own dialog and that dialog is ended with BYE
 * (RFC 3261 §13.2.2.4), and the call goes on with the first fork. Caller and callee are plain UDP sockets
 * so that both 200s are sent exactly when the test says.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipMessage } from '../../src/sip/sip-message.js';
import { requestText } from '../helpers/messages.js';
import {
  callerInvite,
  isRequest,
  okFromCallee,
  okTo,
  receivedMessage,
  receivedMessages,
  socketsAroundSbc,
} from '../helpers/udp-sip.js';

describe('forked answers', () => {
  it("ACKs and hangs up a second fork's 200 and keeps the call on the first", async () => {
    const { caller, callee, app, port, close } = await socketsAroundSbc();
    try {
      caller.send(callerInvite(caller, port, 'forked@127.0.0.1'), port);
      const invite = await receivedMessage(callee, isRequest('INVITE'));
      assert.ok(invite?.isRequest(), 'the callee got the INVITE');
      callee.send(okFromCallee(invite, callee.port, 'forkA'), port);
      callee.send(okFromCallee(invite, callee.port, 'forkB'), port);
      const toCaller = await receivedMessage(caller, (m) => m.isResponse() && m.status === 200);
      assert.ok(toCaller?.isResponse(), "the caller got the first fork's 200");
      // fork B: ACK with the INVITE's CSeq, then BYE, both on its own dialog
      const tagOf = (m: SipMessage): string | null | undefined => m.to().params.get('tag');
      const [ackB] = await receivedMessages(callee, (m) => isRequest('ACK')(m) && tagOf(m) === 'forkB');
      assert.ok(ackB?.isRequest(), "fork B's 200 is ACKed");
      assert.equal(ackB.cseq().seq, invite.cseq().seq);
      const byeB = await receivedMessage(callee, (m) => isRequest('BYE')(m) && tagOf(m) === 'forkB');
      assert.ok(byeB?.isRequest(), 'fork B is hung up');
      callee.send(okTo(byeB), port);
      // the caller's ACK becomes fork A's; the call goes on: the caller's BYE reaches fork A
      const ackUri = /<([^>]+)>/.exec(toCaller.header('contact') ?? '')?.[1] ?? '';
      const inDialog = (method: string, cseq: number, branch: string): string =>
        requestText({
          method,
          uri: ackUri,
          via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`,
          branch,
          callId: 'forked@127.0.0.1',
          fromTag: 'caller1',
          toTag: tagOf(toCaller) ?? '',
          cseq,
        });
      caller.send(inDialog('ACK', 1, 'z9hG4bKack1'), port);
      const ackA = await receivedMessage(callee, (m) => isRequest('ACK')(m) && tagOf(m) === 'forkA');
      assert.ok(ackA !== undefined, "fork A gets the caller's ACK");
      assert.deepEqual(
        app.callStore.list().map((r) => r.state),
        ['connected'],
        'the call is up',
      );
      caller.send(inDialog('BYE', 2, 'z9hG4bKbye1'), port);
      const byeA = await receivedMessage(callee, (m) => isRequest('BYE')(m) && tagOf(m) === 'forkA');
      assert.ok(byeA?.isRequest(), "the caller's BYE reaches fork A");
      callee.send(okTo(byeA), port);
      const acks = (await receivedMessages(callee, isRequest('ACK'), 3, 300)).length;
      assert.equal(acks, 2, 'one ACK per fork');
    } finally {
      await close();
    }
  });
});
