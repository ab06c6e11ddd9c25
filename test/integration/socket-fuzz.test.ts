/**
 * Mutated real and torture messages thrown at a running SBC over UDP and TCP. Afterwards it still answers,
 * it never tried to send anywhere but loopback, and every transaction and timer is released. Runs only in
 * a loopback-only network namespace (the seeds name foreign hosts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../src/app.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { readManifest, realPeerFiles, realPeerMessage, tortureMessage } from '../helpers/corpus.js';
import { assertLoopbackOnly } from '../helpers/isolation.js';
import { requestText } from '../helpers/messages.js';
import { TcpPeer, UdpPeer, sleep } from '../helpers/net.js';

const seeds = [
  ...realPeerFiles().map((f) => Buffer.from(realPeerMessage(f).toString('latin1').replace(/192\.168\.\d+\.\d+/g, '127.0.0.1'), 'latin1')),
  ...readManifest().map((r) => tortureMessage(r.file)),
];

/** A small seeded PRNG (mulberry32), so a failing run can be replayed. */
class Rng {
  constructor(private s: number) {}
  nextInt(min: number, max: number): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return min + Math.floor(r * (max - min + 1));
  }
}

function mutate(rng: Rng, buf: Buffer): Buffer {
  let out = buf;
  const n = 1 + rng.nextInt(0, 4);
  for (let i = 0; i < n; i++) {
    const at = rng.nextInt(0, Math.max(0, out.length - 1));
    const kind = rng.nextInt(0, 3);
    if (kind === 0) {
      out = Buffer.from(out);
      out[at] = rng.nextInt(0, 255);
    } else if (kind === 1) {
      out = Buffer.concat([out.subarray(0, at), Buffer.from([[13, 10, 58, 59, 44, 60, 32, 0][rng.nextInt(0, 7)] ?? 0]), out.subarray(at)]);
    } else if (kind === 2) {
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + rng.nextInt(1, 30))]);
    } else {
      out = out.subarray(0, at);
    }
  }
  return out;
}

describe('socket fuzzing (isolated network namespace)', () => {
  let app: App;
  before(async () => {
    assertLoopbackOnly();
    app = await startTestApp({ timers: { T1: 10, T2: 40, T4: 50 }, transport: { messageDeadlineMs: 200, idleTimeoutMs: 1000 } });
  });
  after(async () => {
    await app.stop();
  });

  it('survives 4000 mutated datagrams and 200 mutated TCP streams, then answers and releases everything', async () => {
    // every destination the SBC sends to, to prove none is off loopback
    const destinations = new Set<string>();
    const send = app.transport.send.bind(app.transport);
    app.transport.send = (msg, dest, flow, onError) => {
      destinations.add(dest.address);
      send(msg, dest, flow, onError);
    };
    const rng = new Rng(20261124);
    const udp = await UdpPeer.open();
    for (let i = 0; i < 4000; i++) {
      udp.send(mutate(rng, seeds[rng.nextInt(0, seeds.length - 1)] ?? Buffer.alloc(0)), boundPort(app, 'udp'));
      if (i % 100 === 0) await sleep(1);
    }
    const tcp: TcpPeer[] = [];
    for (let i = 0; i < 200; i++) {
      const p = await TcpPeer.connect(boundPort(app, 'tcp'));
      for (let k = 0; k < 3; k++) p.write(mutate(rng, seeds[rng.nextInt(0, seeds.length - 1)] ?? Buffer.alloc(0)));
      tcp.push(p);
      if (tcp.length > 40) tcp.shift()?.close();
    }
    for (const p of tcp) p.close();
    await sleep(300);

    udp.received.length = 0;
    udp.sources.length = 0;
    udp.send(requestText({ via: 'SIP/2.0/UDP 127.0.0.1:1;rport', branch: 'z9hG4bKafterfuzz', callId: 'after-fuzz' }), boundPort(app, 'udp'));
    const answered = async (): Promise<boolean> => {
      for (let i = 0; i < 100; i++) {
        if (udp.received.some((b) => b.includes('after-fuzz') && b.includes('SIP/2.0 200'))) return true;
        await sleep(10);
      }
      return false;
    };
    assert.ok(await answered(), 'no 200 over UDP after the fuzzing');
    const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
    peer.write(requestText({ via: 'SIP/2.0/TCP 127.0.0.1:1', branch: 'z9hG4bKafterfuzztcp' }));
    assert.ok(await peer.until((p) => p.data.includes('SIP/2.0 200')), 'no 200 over TCP after the fuzzing');
    const res = parseMessage(peer.data);
    assert.ok(res.isResponse());
    peer.close();
    udp.close();

    const foreign = [...destinations].filter((a) => !a.startsWith('127.') && a !== '::1');
    assert.deepEqual(foreign, [], 'the SBC tried to send somewhere other than loopback');
    assert.ok(app.transport.stats.parseErrors > 0, 'the fuzzer produced no unparseable message: it is not fuzzing');
    // every transaction ends on its (shortened) timers: nothing is left behind
    for (let i = 0; i < 300 && (app.transactions.openTransactions.server > 0 || app.transactions.openTransactions.client > 0); i++) await sleep(10);
    assert.deepEqual(app.transactions.openTransactions, { server: 0, client: 0 });
    for (let i = 0; i < 200 && app.transport.tcpConnections > 0; i++) await sleep(10);
    assert.equal(app.transport.tcpConnections, 0);
  });
});
