/**
 * A node killed with SIGKILL and started again with the same hostname and Redis takes back the calls its
 * previous run carried: answered calls whose media flows around it go on (SIPp's BYEs after the restart are
 * relayed as before and the calls end normally); a relayed call whose RTP port another process took
 * meanwhile moves to new ports, and both its far ends get a re-INVITE offering them; one still ringing gets
 * 503 toward the caller and CANCEL toward the callee (whose 487 is ACKed). Records leave Redis; the ended
 * call's call-detail record says cause 41. (Relayed calls on their own ports, with their RTP: restart-media.test.ts.)
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { UdpPeer, freePort, freeUdpBlock } from '../helpers/net.js';
import { startNode } from '../helpers/fosip-process.js';
import { RedisServer } from '../helpers/redis.js';
import {
  uacExpect,
  uacHoldResume,
  uacMediaMoved,
  uasCancelled,
  uasHoldResume,
  uasMediaMoved,
} from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

/** `fosip start` in its own process; resolves once it listens. */

describe('restart after SIGKILL', () => {
  it('carries answered flow-around calls on, moves a relayed one that lost its port with re-INVITEs, ends a ringing one with 503 and CANCEL', async () => {
    const redis = await RedisServer.start();
    const answering = await callee({ scenario: uasHoldResume(), calls: 3, timeoutMs: 60_000 });
    const relayedCallee = await callee({
      scenario: uasMediaMoved(),
      calls: 1,
      timeoutMs: 60_000,
      extra: ['-mp', String(await freeUdpBlock())],
    });
    const ringing = await callee({ scenario: uasCancelled(), calls: 1, timeoutMs: 60_000 });
    const port = await freePort('udp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-restart-'));
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
        sessionTarget: `ipv4:127.0.0.1:${answering.port}`,
        media: 'flow-around',
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'dialpeers', '3.json'),
      JSON.stringify({ tag: 3, destinationPattern: '4...', sessionTarget: `ipv4:127.0.0.1:${relayedCallee.port}` }),
    );
    fs.writeFileSync(
      path.join(dir, 'dialpeers', '2.json'),
      JSON.stringify({ tag: 2, destinationPattern: '3...', sessionTarget: `ipv4:127.0.0.1:${ringing.port}` }),
    );
    const probe = new Redis(redis.url);
    let node = await startNode(dir, redis.url, 'restart-test');
    let squatter: UdpPeer | undefined;
    try {
      // the flow-around calls hang up 8 s after the answer: well after the restart, even on a loaded machine
      // after the restart: hold and resume (re-INVITE), INFO, UPDATE and BYE, all relayed by the new run
      const afterRestart = uacHoldResume().replace(
        /(<send ack_txn="invite">[\s\S]*?<\/send>)/,
        '$1\n<pause milliseconds="8000"/>',
      );
      assert.match(afterRestart, /<pause milliseconds="8000"\/>/);
      const answered = caller(port, { scenario: afterRestart, calls: 3, extra: ['-r', '10'], timeoutMs: 60_000 });
      const relayed = caller(port, {
        called: '4001',
        scenario: uacMediaMoved(),
        timeoutMs: 60_000,
        extra: ['-mp', String(await freeUdpBlock())],
      });
      const waiting = caller(port, { called: '3001', scenario: uacExpect(503), timeoutMs: 60_000 });
      type Rec = {
        calledNumber: string;
        state: string;
        recovery?: { a?: unknown; b?: unknown };
        media?: { streams: Array<{ leg: string; localPort: number }> };
      };
      const inRedis = async (): Promise<Rec[]> => {
        const ids = await probe.smembers('sbc:node:restart-test:calls');
        return Promise.all(ids.map(async (id) => JSON.parse((await probe.get(`sbc:call:{${id}}`)) ?? '{}') as Rec));
      };
      // four answered calls whose records carry both dialogs (what a restart takes back), and the ringing one
      const ready = (recs: Rec[]): boolean =>
        recs.length === 5 &&
        recs.filter((rec) => rec.state === 'connected' && rec.recovery?.a !== undefined && rec.recovery.b !== undefined)
          .length === 4;
      let records = await inRedis();
      await eventually(async () => ready((records = await inRedis())), { ms: 15_000, everyMs: 100 });
      assert.ok(
        ready(records),
        `five calls in Redis before the kill, four of them answered: ${JSON.stringify(records.map((rec) => [rec.calledNumber, rec.state]))}`,
      );
      // the relayed call's port facing the caller, taken by another process while the node is down
      const lostPort = records
        .find((rec) => rec.calledNumber === '4001')
        ?.media?.streams.find((st) => st.leg === 'a')?.localPort;
      assert.ok(lostPort, 'the relayed call has its ports in its record');
      node.child.kill('SIGKILL');
      await new Promise((r) => node.child.once('exit', r));
      squatter = await UdpPeer.open(lostPort);
      node = await startNode(dir, redis.url, 'restart-test');
      const [a, r, w] = await Promise.all([answered, relayed, waiting]);
      assert.equal(
        a.code,
        0,
        `the flow-around calls went on (held, resumed, INFO, UPDATE) and ended with their own BYEs:\n${a.stderr}\n${a.messages.slice(-3000)}\n${node.log()}`,
      );
      assert.match(a.messages, /BYE/, "the callers' message log is there to be read");
      assert.doesNotMatch(a.messages, /cause=41/);
      // the relayed call: a re-INVITE to each leg offers a port of the new run's, not the squatted one
      assert.equal(
        r.code,
        0,
        `the relayed caller took the re-INVITE and hung up:\n${r.stderr}\n${r.messages.slice(-3000)}\n${node.log()}`,
      );
      const movedTo = /^INVITE sip:sipp@[^\n]*\n(?:[^\n]*\n)*?m=audio (\d+) /m.exec(r.messages)?.[1];
      assert.ok(
        movedTo !== undefined && Number(movedTo) !== lostPort,
        `the caller is offered a new port (${movedTo ?? 'none'}, lost ${lostPort})`,
      );
      assert.equal(w.code, 0, `the ringing caller got 503:\n${w.messages.slice(-2000)}\n${node.log()}`);
      const callees = await Promise.all([answering.run, relayedCallee.run, ringing.run]);
      assert.equal(
        callees[0].code,
        0,
        `the answering callee got the callers' BYEs:\n${callees[0].messages.slice(-2000)}`,
      );
      assert.equal(
        callees[1].code,
        0,
        `the relayed callee took its re-INVITE and the caller's BYE:\n${callees[1].stderr}\n${callees[1].messages.slice(-3000)}`,
      );
      assert.equal(
        callees[2].code,
        0,
        `the ringing callee got CANCEL and an ACK for its 487:\n${callees[2].messages.slice(-3000)}`,
      );
      await eventually(async () => (await probe.scard('sbc:node:restart-test:calls')) === 0, { everyMs: 100 });
      assert.equal(await probe.scard('sbc:node:restart-test:calls'), 0, 'no record left');
      const history = (await probe.xrange('sbc:history', '-', '+')).map(
        ([, fields]) => JSON.parse(fields[1] ?? '{}') as { disconnectCause: number; releasedBy: string },
      );
      assert.equal(
        history.filter((c) => c.disconnectCause === 41 && c.releasedBy === 'sbc').length,
        1,
        'the ringing call',
      );
      assert.equal(
        history.filter((c) => c.disconnectCause === 16 && c.releasedBy === 'caller').length,
        4,
        'the flow-around calls and the moved one ended normally',
      );
      assert.match(node.log(), /"resumed":4,"ended":1/);
      assert.match(node.log(), /relays on new RTP ports; both far ends took them/);
    } finally {
      node.child.kill('SIGKILL');
      answering.kill();
      relayedCallee.kill();
      squatter?.close();
      ringing.kill();
      probe.disconnect();
      await redis.kill();
    }
  });
});
