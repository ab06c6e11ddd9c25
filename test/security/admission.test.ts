/** Admission control with a fake clock: total calls, a calls-per-second token bucket, overload hysteresis. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admission } from '../../src/security/admission.js';

describe('Admission', () => {
  it('refuses beyond the total calls, with Retry-After', () => {
    const a = new Admission({ totalCalls: 2 });
    assert.equal(a.admit(0), null);
    assert.equal(a.admit(1), null);
    assert.deepEqual(a.admit(2), { reason: 'total-calls', retryAfter: 5, text: 'call threshold of 2 calls reached' });
    assert.equal(a.refused['total-calls'], 1);
  });

  it("lets a second's worth of calls through at once, then the rate", () => {
    let now = 0;
    const a = new Admission({ callsPerSecond: 5 }, () => now);
    for (let i = 0; i < 5; i++) assert.equal(a.admit(0), null, `call ${i + 1} of the burst`);
    assert.equal(a.admit(0)?.reason, 'calls-per-second');
    now = 200; // one token back
    assert.equal(a.admit(0), null);
    assert.equal(a.admit(0)?.reason, 'calls-per-second');
    now = 10_000;
    for (let i = 0; i < 5; i++) assert.equal(a.admit(0), null, 'the bucket holds one second, not more');
    assert.equal(a.admit(0)?.reason, 'calls-per-second');
  });

  it('refuses while overloaded: from over the high watermark until under the low one', () => {
    const a = new Admission({ eventLoopLagHighMs: 200, eventLoopLagLowMs: 50 });
    assert.equal(a.observeLag(150), false);
    assert.equal(a.observeLag(250), true);
    assert.equal(a.admit(0)?.reason, 'overload');
    assert.equal(a.observeLag(100), true, 'between the watermarks: still overloaded');
    assert.equal(a.observeLag(40), false);
    assert.equal(a.admit(0), null);
    assert.equal(new Admission({}).observeLag(10_000), false, 'no watermark: never overloaded');
  });

  it('counts the CPU too: either measure over its high watermark overloads, both under their low ones clear it', () => {
    const a = new Admission({ eventLoopLagHighMs: 200, eventLoopLagLowMs: 50, cpuHighPercent: 90, cpuLowPercent: 70 });
    assert.equal(a.observe({ lagMs: 10, cpuPercent: 80 }), false);
    assert.equal(a.observe({ lagMs: 10, cpuPercent: 95 }), true, 'CPU over its high watermark');
    assert.equal(a.observe({ lagMs: 10, cpuPercent: 75 }), true, 'between the CPU watermarks');
    assert.equal(a.observe({ lagMs: 100, cpuPercent: 60 }), true, 'the lag is not under its low watermark yet');
    assert.equal(a.observe({ lagMs: 20, cpuPercent: 60 }), false);
    assert.equal(
      new Admission({ cpuHighPercent: 90 }).observe({ lagMs: 10_000, cpuPercent: 50 }),
      false,
      'no lag watermark: the lag alone never overloads',
    );
  });
});
