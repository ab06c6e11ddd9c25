/**
 * A call answered just before a SIGKILL: the node had relayed the callee's 200 to the caller, and the
 * caller's ACK (which the node turns into the B leg's ACK) was lost with it. The callee goes on
 * retransmitting its 200 until it gets an ACK (RFC 3261 §13.3.1.4); the restarted node, which took the
 * call back, answers each retransmission with the ACK (§13.2.2.4) instead of letting the callee give up
 * on the call after 32 s. The caller and callee are plain UDP sockets so that the test decides when each
 * message is sent.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { parseMessage } from '../../src/sip/message-parser.js';
import { startNode } from '../helpers/fosip-process.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer, freePort } from '../helpers/net.js';
import { RedisServer } from '../helpers/redis.js';
import { callerInvite, okFromCallee, receivedMessage } from '../helpers/udp-sip.js';

describe('restart: the ACK the dead run owed', () => {
  it("answers the callee's retransmitted 200 with the ACK after a SIGKILL between the 200 and the ACK, and the call goes on", async () => {
    const redis = await RedisServer.start();
    const caller = await UdpPeer.open();
    const callee = await UdpPeer.open();
    const port = await freePort('udp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-restart-ack-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    fs.writeFileSync(
      path.join(dir, 'fosip.json'),
      JSON.stringify({ listen: [`udp:127.0.0.1:${port}`], trustedList: ['127.0.0.0/8'] }),
    );
    fs.writeFileSync(
      path.join(dir, 'dialpeers', '1.json'),
      JSON.stringify({
        tag: 1,
        destinationPattern: '2...',
        sessionTarget: `ipv4:127.0.0.1:${callee.port}`,
        media: 'flow-around',
      }),
    );
    const probe = new Redis(redis.url);
    let node = await startNode(dir, redis.url, 'restart-ack');
    try {
      caller.send(callerInvite(caller, port, 'restart-ack@127.0.0.1'), port);
      const invite = await receivedMessage(callee, (m) => m.isRequest() && m.method === 'INVITE');
      assert.ok(invite?.isRequest(), 'the callee got the INVITE');
      const answer = okFromCallee(invite, callee.port, 'callee1');
      callee.send(answer, port);
      const toCaller = await receivedMessage(caller, (m) => m.isResponse() && m.status === 200);
      assert.ok(toCaller?.isResponse(), 'the caller got the 200');
      // the record carries both dialogs: what a restart takes back
      let record: { recovery?: { a?: unknown; b?: unknown } } = {};
      await eventually(
        async () => {
          const [id] = await probe.smembers('sbc:node:restart-ack:calls');
          record = id === undefined ? {} : (JSON.parse((await probe.get(`sbc:call:{${id}}`)) ?? '{}') as typeof record);
          return record.recovery?.a !== undefined && record.recovery.b !== undefined;
        },
        { everyMs: 50 },
      );
      assert.ok(
        record.recovery?.a !== undefined && record.recovery.b !== undefined,
        'the answered call is in Redis with both dialogs',
      );
      // killed before the caller's ACK: the B leg's ACK is never sent by this run
      node.child.kill('SIGKILL');
      await new Promise((r) => node.child.once('exit', r));
      assert.equal(
        callee.received.map((b) => parseMessage(b)).filter((m) => m.isRequest() && m.method === 'ACK').length,
        0,
      );
      node = await startNode(dir, redis.url, 'restart-ack');
      await eventually(() => node.log().includes('the previous run of this node left calls'), { everyMs: 50 });
      assert.match(node.log(), /"resumed":1,"ended":0/);
      callee.send(answer, port); // the callee's retransmission (T1 later, in its own time)
      const ack = await receivedMessage(callee, (m) => m.isRequest() && m.method === 'ACK');
      assert.ok(ack?.isRequest(), `the restarted node ACKs the retransmitted 200:\n${node.log()}`);
      assert.equal(ack.cseq().seq, invite.cseq().seq, "the ACK has the INVITE's CSeq number");
      assert.equal(ack.callId(), invite.callId());
      assert.equal(ack.to().params.get('tag'), 'callee1');
      // the call goes on: the caller's BYE reaches the callee
      const bye = requestText({
        method: 'BYE',
        uri: /<([^>]+)>/.exec(toCaller.header('contact') ?? '')?.[1] ?? '',
        via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`,
        branch: 'z9hG4bKbye1',
        callId: 'restart-ack@127.0.0.1',
        fromTag: 'caller1',
        toTag: toCaller.to().params.get('tag') ?? '',
        cseq: 2,
      });
      caller.send(bye, port);
      const byeToCallee = await receivedMessage(callee, (m) => m.isRequest() && m.method === 'BYE');
      assert.ok(byeToCallee?.isRequest(), "the caller's BYE reaches the callee");
    } finally {
      node.child.kill('SIGKILL');
      caller.close();
      callee.close();
      probe.disconnect();
      await redis.kill();
    }
  });
});
