/**
 * RTCP round trips (RFC 3550 §6.4.1): the parser of compound packets, the estimate itself, and the relay
 * measuring it from a sender report of one leg and the other leg's receiver report, with real sockets.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BuiltinRelay } from '../../src/media/builtin-relay.js';
import { PortPool } from '../../src/media/port-pool.js';
import { RtcpDelay, summarizeRtcp } from '../../src/media/rtcp-delay.js';
import { freePort, sleep } from '../helpers/net.js';
import { runs } from '../helpers/property-runs.js';

/** A sender report (no report blocks) whose NTP timestamp has `ntpMiddle` as its middle 32 bits. */
function senderReport(ntpMiddle: number): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(0x1111, 4);
  b.writeUInt32BE(ntpMiddle >>> 16, 8);
  b.writeUInt32BE(((ntpMiddle & 0xffff) << 16) >>> 0, 12);
  return b;
}

/** A receiver report with one block naming sender report `lsr`, held for `dlsr` (1/65536 s). */
function receiverReport(lsr: number, dlsr: number): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 0x81;
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  b.writeUInt32BE(0x2222, 4);
  b.writeUInt32BE(0x1111, 8);
  b.writeUInt32BE(lsr, 24);
  b.writeUInt32BE(dlsr, 28);
  return b;
}

describe('summarizeRtcp', () => {
  it('reads sender reports and report blocks of a compound packet', () => {
    const s = summarizeRtcp(Buffer.concat([senderReport(0xabcd1234), receiverReport(0x01020304, 65536)]));
    assert.deepEqual(s.senderReports, [0xabcd1234]);
    assert.deepEqual(s.blocks, [{ lsr: 0x01020304, dlsr: 65536 }]);
  });

  it('stops at anything malformed and never throws', () => {
    assert.deepEqual(
      summarizeRtcp(receiverReport(5, 5).subarray(0, 20)),
      { senderReports: [], blocks: [] },
      'a length past the end',
    );
    const rr = receiverReport(5, 5);
    rr[0] = 0x9f; // claims 31 blocks in a packet that holds one
    assert.deepEqual(summarizeRtcp(rr).blocks, [{ lsr: 5, dlsr: 5 }]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        summarizeRtcp(Buffer.from(bytes));
      }),
      runs(2000),
    );
  });
});

describe('RtcpDelay', () => {
  it('is the time since the sender report passed, less what the reporter held it', () => {
    const a = new RtcpDelay();
    const b = new RtcpDelay();
    a.noteSenderReport(77, 1000);
    b.noteReport(77, 32768, 1540, a); // held 500 ms, answered 540 ms after: 40 ms round trip
    assert.equal(b.rttMs, 40);
    b.noteReport(78, 0, 2000, a); // names a report that never passed here
    b.noteReport(0, 0, 2000, a); // no sender report received yet
    assert.equal(b.rttMs, 40);
  });
});

describe('the relay measures round trips from the RTCP it forwards', () => {
  it('gives the reporting leg a round trip', async () => {
    const start = (await freePort('udp')) & ~1;
    const engine = new BuiltinRelay({ pool: new PortPool(start, start + 7), address: '127.0.0.1' });
    const sock = async (): Promise<dgram.Socket> => {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      return s;
    };
    const [aRtcp, bRtcp] = await Promise.all([sock(), sock()]);
    let bGot = 0;
    bRtcp.on('message', () => bGot++);
    try {
      const none = { remote: null, remoteRtcp: null };
      const [s] = (await engine.open('call-rtcp', [
        {
          stream: 0,
          clockRate: 8000,
          a: none,
          b: {
            remote: { address: '127.0.0.1', port: 1 },
            remoteRtcp: { address: '127.0.0.1', port: bRtcp.address().port },
          },
        },
      ]))!;
      aRtcp.send(senderReport(0x12345678), s!.aPort + 1, '127.0.0.1');
      await eventually(() => bGot > 0, { everyMs: 5 });
      assert.equal(bGot, 1, 'the sender report reached B');
      await sleep(60);
      bRtcp.send(receiverReport(0x12345678, 0), s!.bPort + 1, '127.0.0.1'); // B held it ~0 ms: the round trip is ~60 ms
      let rtt: number | null = null;
      for (let i = 0; i < 2000 && rtt === null; i++) {
        rtt = (await engine.stats('call-rtcp'))['call-rtcp']?.[0]?.b.rttMs ?? null;
        await sleep(5);
      }
      assert.ok(rtt !== null && rtt >= 55 && rtt < 1000, `round trip to B: ${rtt}`);
    } finally {
      aRtcp.close();
      bRtcp.close();
      await engine.stop();
    }
  });
});
