/**
 * Mutated real and torture messages thrown at a running SBC over UDP and TCP for a bounded time (8 s, or
 * FOSIP_FUZZ_SECONDS). Calls the mutations start are routed to a trunk that never answers. Afterwards it
 * still answers, it never tried to send anywhere but loopback, every call, transaction, connection and
 * RTP port is released, and its file descriptors and heap are back near where they started. Runs only in
 * a loopback-only network namespace (the seeds name foreign hosts).
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, before, describe, it } from 'node:test';
import type { SbcNode } from '../../src/node/node.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { readManifest, realPeerFiles, realPeerMessage, tortureMessage } from '../helpers/corpus.js';
import { assertLoopbackOnly } from '../helpers/isolation.js';
import { requestText } from '../helpers/messages.js';
import { TcpPeer, UdpPeer, sleep } from '../helpers/net.js';
import type { SippResult } from '../helpers/sipp.js';
import { callee, caller } from '../helpers/sipp-pair.js';

/**
 * The first Via of each seed asks for rport (RFC 3581), so that the SBC's answers come back to the fuzzer's
 * own port rather than to the Via's (mostly 5060): the torture replay, which may run beside this test in
 * the same namespace, listens there, and a flood of answers could overflow its socket and lose its own.
 */
const withRport = (b: Buffer): Buffer =>
  Buffer.from(b.toString('latin1').replace(/(\n(?:Via|v)[ \t]*:[^\r\n;]*)(;)/i, '$1;rport$2'), 'latin1');
const seeds = [
  ...realPeerFiles().map((f) =>
    Buffer.from(
      realPeerMessage(f)
        .toString('latin1')
        .replace(/192\.168\.\d+\.\d+/g, '127.0.0.1'),
      'latin1',
    ),
  ),
  ...readManifest().map((r) => tortureMessage(r.file)),
].map(withRport);

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
      out = Buffer.concat([
        out.subarray(0, at),
        Buffer.from([[13, 10, 58, 59, 44, 60, 32, 0][rng.nextInt(0, 7)] ?? 0]),
        out.subarray(at),
      ]);
    } else if (kind === 2) {
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + rng.nextInt(1, 30))]);
    } else {
      out = out.subarray(0, at);
    }
  }
  return out;
}

/** Mutated seeds at the SBC over UDP (about 15,000 datagrams a second) and TCP, for `seconds`. */
async function fuzz(app: SbcNode, seconds: number, rng: Rng): Promise<{ datagrams: number; streams: number }> {
  const udp = await UdpPeer.open();
  const tcp: TcpPeer[] = [];
  const until = Date.now() + seconds * 1000;
  let datagrams = 0;
  let streams = 0;
  while (Date.now() < until) {
    for (let i = 0; i < 100; i++, datagrams++)
      udp.send(mutate(rng, seeds[rng.nextInt(0, seeds.length - 1)] ?? Buffer.alloc(0)), boundPort(app, 'udp'));
    await sleep(4); // a robustness test, not a load test
    for (let i = 0; i < 5; i++, streams++) {
      const p = await TcpPeer.connect(boundPort(app, 'tcp'));
      for (let k = 0; k < 3; k++) p.write(mutate(rng, seeds[rng.nextInt(0, seeds.length - 1)] ?? Buffer.alloc(0)));
      tcp.push(p);
      if (tcp.length > 40) tcp.shift()?.close();
    }
  }
  for (const p of tcp) p.close();
  udp.close();
  await sleep(300);
  return { datagrams, streams };
}

/** Open file descriptors and the heap after a full collection (MB). */
async function footprint(): Promise<{ fds: number; heapMb: number }> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  await sleep(50);
  gc();
  gc();
  return {
    fds: fs.readdirSync('/proc/self/fd').length,
    heapMb: Math.round(v8.getHeapStatistics().used_heap_size / 1048576),
  };
}

describe('socket fuzzing (isolated network namespace)', () => {
  let app: SbcNode;
  let trunk: UdpPeer;
  before(async () => {
    assertLoopbackOnly();
    trunk = await UdpPeer.open();
    app = await startTestApp({
      timers: { T1: 10, T2: 40, T4: 50 },
      transport: { messageDeadlineMs: 200, idleTimeoutMs: 1000 },
      // every called number is routed (to a trunk that never answers): the B2BUA and the relay are fuzzed too
      dialPeers: [{ tag: 1, destinationPattern: 'T', sessionTarget: `ipv4:127.0.0.1:${trunk.port}` }],
    });
  });
  after(async () => {
    await app.stop();
    trunk.close();
  });

  it('survives mutated datagrams and TCP streams for a bounded time, then answers and releases everything', async () => {
    const seconds = Number(process.env['FOSIP_FUZZ_SECONDS'] ?? 8);
    // the baseline once the relay worker holds its warm ports (32 sockets, bound after the start: later on a
    // loaded machine)
    await app.media.allWarm();
    const baseline = await footprint();
    // every destination the SBC sends to, to prove none is off loopback
    const destinations = new Set<string>();
    const send = app.transport.send.bind(app.transport);
    app.transport.send = (msg, dest, flow, onError) => {
      destinations.add(dest.address);
      send(msg, dest, flow, onError);
    };
    const { datagrams, streams } = await fuzz(app, seconds, new Rng(20261124));
    process.stdout.write(
      `# fuzzed for ${seconds} s: ${datagrams} datagrams, ${streams} TCP streams, ${app.transport.stats.parseErrors} unparseable, ${app.b2bua.callCount} calls open at the end\n`,
    );

    const udp = await UdpPeer.open();
    udp.send(
      requestText({
        uri: 'sip:127.0.0.1',
        via: 'SIP/2.0/UDP 127.0.0.1:1;rport',
        branch: 'z9hG4bKafterfuzz',
        callId: 'after-fuzz',
      }),
      boundPort(app, 'udp'),
    );
    // an OPTIONS to the SBC itself (no user: not routed); the kernel may still hold fuzz datagrams before it
    const answered = async (): Promise<boolean> => {
      for (let i = 0; i < 500; i++) {
        if (udp.received.some((b) => b.includes('after-fuzz') && b.includes('SIP/2.0 200'))) return true;
        await sleep(10);
      }
      return false;
    };
    assert.ok(await answered(), 'no 200 over UDP after the fuzzing');
    const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
    peer.write(requestText({ uri: 'sip:127.0.0.1', via: 'SIP/2.0/TCP 127.0.0.1:1', branch: 'z9hG4bKafterfuzztcp' }));
    assert.ok(await peer.until((p) => p.data.includes('SIP/2.0 200')), 'no 200 over TCP after the fuzzing');
    const res = parseMessage(peer.data);
    assert.ok(res.isResponse());
    peer.close();
    udp.close();

    const foreign = [...destinations].filter((a) => !a.startsWith('127.') && a !== '::1');
    assert.deepEqual(foreign, [], 'the SBC tried to send somewhere other than loopback');
    assert.ok(app.transport.stats.parseErrors > 0, 'the fuzzer produced no unparseable message: it is not fuzzing');
    // every transaction ends on its (shortened) timers: nothing is left behind
    await eventually(
      () => app.transactions.openTransactions.server === 0 && app.transactions.openTransactions.client === 0,
      { everyMs: 10 },
    );
    assert.deepEqual(
      app.transactions.openTransactions,
      { server: 0, client: 0 },
      `calls still open: ${JSON.stringify(app.callStore.list().slice(0, 3))}`,
    );
    await eventually(() => app.transport.tcpConnections === 0, { everyMs: 10 });
    assert.equal(app.transport.tcpConnections, 0);
    await eventually(() => app.b2bua.callCount === 0, { everyMs: 10 });
    assert.equal(app.b2bua.callCount, 0, 'every call the mutations started has ended');
    assert.equal(app.media.activeSessions, 0, 'and released its relay');
    assert.equal(app.portPool.status().inUse, 0);
    const now = await footprint();
    process.stdout.write(`# footprint before ${JSON.stringify(baseline)}, after ${JSON.stringify(now)}\n`);
    assert.ok(now.fds <= baseline.fds + 2, `file descriptors back to their baseline: ${baseline.fds} -> ${now.fds}`);
    assert.ok(
      now.heapMb <= baseline.heapMb + 16,
      `heap back near its baseline: ${baseline.heapMb} -> ${now.heapMb} MB`,
    );
  });
});

describe('socket fuzzing with a SIPp callee behind the SBC (isolated network namespace)', () => {
  it('leaves the callee alive: what the fuzzed calls carry to it is well formed, and a real call still connects', async () => {
    assertLoopbackOnly();
    const b = await callee({ calls: 1_000_000, trace: false, timeoutMs: 600_000 });
    let exited: SippResult | null = null;
    void b.run.then((r) => (exited = r));
    const app = await startTestApp({
      timers: { T1: 10, T2: 40, T4: 50 },
      transport: { messageDeadlineMs: 200, idleTimeoutMs: 1000 },
      dialPeers: [{ tag: 1, destinationPattern: 'T', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      let invites = 0;
      const send = app.transport.send.bind(app.transport);
      app.transport.send = (msg, dest, flow, onError) => {
        if (dest.port === b.port && msg.isRequest() && msg.method === 'INVITE') invites++;
        send(msg, dest, flow, onError);
      };
      const seconds = Math.max(2, Number(process.env['FOSIP_FUZZ_SECONDS'] ?? 8) / 2);
      const { datagrams } = await fuzz(app, seconds, new Rng(20261203));
      process.stdout.write(`# fuzzed for ${seconds} s: ${datagrams} datagrams, ${invites} INVITEs to the callee\n`);
      assert.ok(invites > 0, 'fuzzed calls reached the callee (else this proves nothing)');
      assert.equal(exited, null, 'the callee is alive after the fuzzing');
      const a = await caller(boundPort(app, 'udp'), { timeoutMs: 30_000 });
      assert.equal(a.code, 0, `a real call through the SBC connects to the callee:\n${a.stderr}`);
      assert.equal(exited, null, 'and the callee is still alive');
    } finally {
      b.kill();
      await app.stop();
    }
  });
});
