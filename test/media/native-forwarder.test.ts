/**
 * The native RTP fast path on its own (native/rtp-forwarder.c, built by npm install): relaying with a
 * latch, statistics, payload-type mapping and sequence shift, RTCP multiplexed on the RTP port, and load
 * shedding when the thread that polls it falls behind. The relay's behaviour as a whole is tested on both
 * paths in builtin-relay.test.ts.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import {
  FORWARDER_EVENT,
  type NativeForwarder,
  SIDE_STATE,
  loadNativeForwarder,
} from '../../src/media/native-forwarder.js';
import { eventually } from '../helpers/eventually.js';
import { relayRange } from '../helpers/net.js';

interface Got {
  bytes: Buffer;
  from: number;
}

async function socket(): Promise<{ s: dgram.Socket; port: number; got: Got[] }> {
  const s = dgram.createSocket('udp4');
  const got: Got[] = [];
  s.on('message', (bytes, from) => got.push({ bytes, from: from.port }));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { s, port: s.address().port, got };
}

function rtp(seq: number, pt = 0, marker = false): Buffer {
  const b = Buffer.alloc(172);
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | pt;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 160, 4);
  b.writeUInt32BE(0xabcd, 8);
  return b;
}

/** Keep this thread busy (the poll cannot run) for `ms`: what arrives meanwhile waits in the socket buffer. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe('native RTP forwarder', () => {
  const loaded = loadNativeForwarder();
  const f = loaded as NativeForwarder;
  const events: Array<{ kind: number; side: number; bytes: Buffer }> = [];
  const { portMin } = relayRange(8);
  let a = -1;
  let b = -1;

  before(() => {
    assert.ok(loaded !== null, 'npm install (or npm run build:native) builds build/Release/rtp_forwarder.node');
    f.start((kind, side, bytes) => events.push({ kind, side, bytes }), 20);
  });
  after(() => {
    for (const side of [a, b]) if (side >= 0) f.close(side);
  });

  it('relays both ways with a latch, counts RTP, renumbers and shifts toward a leg, and hands muxed RTCP to JS', async () => {
    const [caller, callee, stranger] = await Promise.all([socket(), socket(), socket()]);
    try {
      a = f.open('127.0.0.1', portMin);
      b = f.open('127.0.0.1', portMin + 2);
      assert.ok(a >= 0 && b >= 0, `sides open (${a}, ${b})`);
      assert.equal(f.open('127.0.0.1', portMin), -98, 'a bound port is EADDRINUSE');
      f.relay(a, b, 8000, false);
      f.relay(b, a, 8000, false);
      f.setRemote(b, '127.0.0.1', callee.port);
      f.mode(b, false, false, -1, 0, 8); // toward the callee, payload type 0 leaves as 8
      f.setOut(b, 0, 0, 0, 5); // five packets were injected toward the callee: relayed ones come after them
      caller.s.send(rtp(100), portMin, '127.0.0.1');
      assert.ok(await eventually(() => callee.got.length === 1));
      stranger.s.send(rtp(101), portMin, '127.0.0.1'); // not the latched source: dropped
      caller.s.send(rtp(102, 0, true), portMin, '127.0.0.1');
      const sr = Buffer.from('80c8000600000abc' + '00'.repeat(20), 'hex'); // an RTCP sender report
      caller.s.send(sr, portMin, '127.0.0.1');
      const isRtcp = (e: { kind: number }): boolean => e.kind === FORWARDER_EVENT.rtcp;
      assert.ok(await eventually(() => events.some(isRtcp)));
      const muxed = events.find(isRtcp);
      assert.ok(muxed, 'RTCP on the RTP port (rtcp-mux) handed to JS, which hides its SDES names and relays it');
      assert.deepEqual(muxed.bytes, sr);
      assert.equal(muxed.side, a);
      assert.equal(callee.got.length, 2, 'the two RTP packets only');
      const [first, second] = callee.got;
      assert.equal(first!.from, portMin + 2, 'sent from the port facing the callee');
      assert.equal(first!.bytes[1], 8, 'payload type 0 renumbered to 8');
      assert.equal(first!.bytes.readUInt16BE(2), 105, 'sequence shifted past the injected packets');
      assert.equal(second!.bytes[1], 0x88, 'the marker bit kept');
      assert.equal(second!.bytes.readUInt16BE(2), 107);
      callee.s.send(rtp(7), portMin + 2, '127.0.0.1');
      assert.ok(await eventually(() => caller.got.length === 1));
      assert.equal(caller.got[0]!.from, portMin, 'back to the caller from the port facing it (its latched source)');
      const st = new Float64Array(16);
      f.state(a, st);
      assert.equal(st[SIDE_STATE.packets], 2, 'two RTP packets counted; the RTCP one is not RTP');
      assert.equal(st[SIDE_STATE.lost], 1, 'sequence 101 never came from the caller');
      assert.equal(st[SIDE_STATE.dropped], 1, "the stranger's packet");
      assert.equal(st[SIDE_STATE.forwarded], 2);
      assert.deepEqual(f.latched(a), ['127.0.0.1', caller.s.address().port]);
    } finally {
      for (const x of [caller, callee, stranger]) x.s.close();
    }
  });

  it('hands DTMF packets of the chosen payload type to JavaScript instead of relaying them', async () => {
    const [caller, callee] = await Promise.all([socket(), socket()]);
    try {
      f.unlatch(a);
      f.unlatch(b); // the callee of the test before latched there
      f.setRemote(b, '127.0.0.1', callee.port);
      f.mode(a, false, false, 101, -1, 0);
      f.mode(b, false, false, -1, -1, 0);
      events.length = 0;
      caller.s.send(rtp(200, 101), portMin, '127.0.0.1');
      caller.s.send(rtp(201, 0), portMin, '127.0.0.1');
      assert.ok(await eventually(() => events.length === 1 && callee.got.length === 1));
      assert.equal(events[0]!.kind, FORWARDER_EVENT.dtmf);
      assert.equal(events[0]!.side, a);
      assert.equal(callee.got[0]!.bytes[1], 0, 'only the voice packet relayed');
    } finally {
      f.mode(a, false, false, -1, -1, 0);
      for (const x of [caller, callee]) x.s.close();
    }
  });

  it('sheds what waited past the limit while its thread was busy, counts it, and relays what comes after', async () => {
    const callee = await socket();
    // a third native socket sends synchronously, so the packets are queued before this thread can poll
    const sender = f.open('127.0.0.1', portMin + 4);
    try {
      f.unlatch(a);
      f.unlatch(b); // the callee of the test before latched there
      f.setRemote(b, '127.0.0.1', callee.port);
      f.setRemote(sender, '127.0.0.1', portMin);
      f.setOut(b, 0, 0, 0, 0); // no injected packets to shift past
      const shedBefore = f.shed();
      for (let i = 0; i < 10; i++) assert.ok(f.send(sender, rtp(300 + i)));
      busy(60); // the poll cannot run: the ten packets wait 60 ms, past the 20 ms limit
      assert.ok(await eventually(() => f.shed() - shedBefore === 10));
      assert.equal(callee.got.length, 0, 'nothing relayed late');
      f.send(sender, rtp(310));
      assert.ok(await eventually(() => callee.got.length === 1));
      assert.equal(callee.got[0]!.bytes.readUInt16BE(2), 310);
      assert.equal(f.shed() - shedBefore, 10);
    } finally {
      f.close(sender);
      callee.s.close();
    }
  });
});
