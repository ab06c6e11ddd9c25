/** RTP receive statistics (RFC 3550 A.1, A.3, A.8) from sequence numbers and timestamps. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RtpStreamStats } from '../../src/media/rtp-stats.js';

/** 20 ms G.711 packets: seq+1, timestamp+160, arriving every 20 ms plus `late[i]` ms. */
function feed(stats: RtpStreamStats, seqs: number[], late: (i: number) => number = () => 0, ssrc = 1): void {
  seqs.forEach((seq, i) => stats.record(seq & 0xffff, (seq * 160) >>> 0, ssrc, 172, 1000 + seq * 20 + late(i)));
}

describe('RtpStreamStats', () => {
  it('counts packets and bytes, no loss and no jitter on a perfect stream', () => {
    const s = new RtpStreamStats();
    feed(
      s,
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.deepEqual(s.snapshot(), { packets: 100, bytes: 17200, lost: 0, jitterMs: 0, lastArrival: 1000 + 99 * 20 });
  });

  it('counts gaps as lost, across a sequence wrap, and not reordered or duplicated packets', () => {
    const s = new RtpStreamStats();
    const seqs = [65530, 65531, 65533, 65535, 0, 1, 3, 2, 4, 4]; // lost: 65532, 65534; 2 late; 4 twice
    feed(s, seqs);
    assert.equal(s.snapshot().lost, 2);
    assert.equal(s.snapshot().packets, 10);
    assert.equal(s.duplicates, 1);
  });

  it('starts again on a new SSRC without counting the switch as loss', () => {
    const s = new RtpStreamStats();
    feed(s, [10, 11, 13]); // one lost
    feed(s, [5000, 5001, 5002], () => 0, 2);
    assert.equal(s.snapshot().lost, 1);
    assert.equal(s.snapshot().packets, 6);
  });

  it('estimates interarrival jitter in milliseconds', () => {
    const s = new RtpStreamStats();
    feed(
      s,
      Array.from({ length: 2000 }, (_, i) => i),
      (i) => (i % 2 === 0 ? 0 : 10),
    ); // alternating 10 ms late
    const j = s.snapshot().jitterMs;
    assert.ok(j > 9 && j <= 10, `jitter ${j} ms converges to the 10 ms swing`);
  });
});
