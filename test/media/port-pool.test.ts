/** The RTP port pool: even/odd pairs, shuffled, released ports reused last, exhaustion, reserved pairs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PortPool } from '../../src/media/port-pool.js';
import { runs } from '../helpers/property-runs.js';

describe('PortPool', () => {
  it('hands out every even port of the range once, shuffled, then says it is exhausted', () => {
    const pool = new PortPool(8001, 8020); // 8002..8019: 9 pairs (8020 has no RTCP port)
    const got: number[] = [];
    for (let p = pool.acquire(); p !== null; p = pool.acquire()) got.push(p);
    assert.deepEqual(
      [...got].sort((a, b) => a - b),
      [8002, 8004, 8006, 8008, 8010, 8012, 8014, 8016, 8018],
    );
    assert.notDeepEqual(
      got,
      [...got].sort((a, b) => a - b),
      'shuffled (9! orders; a sorted one is a bug)',
    );
    assert.equal(pool.acquire(), null);
    assert.deepEqual(pool.status(), {
      minPort: 8002,
      maxPort: 8020,
      available: 0,
      reserved: 0,
      inUse: 9,
      warm: 0,
      total: 9,
    });
  });

  it('counts warm pairs (bound ahead by a relay) as available, not in use, until a call takes them', () => {
    const pool = new PortPool(8000, 8007); // 4 pairs
    const warm = [pool.acquire(true), pool.acquire(true)] as number[];
    assert.deepEqual(pool.status(), {
      minPort: 8000,
      maxPort: 8007,
      available: 4,
      reserved: 0,
      inUse: 0,
      warm: 2,
      total: 4,
    });
    pool.use(warm[0]!);
    assert.equal(pool.inUse, 1);
    assert.equal(pool.warm, 1);
    pool.reserve(warm[1]!); // the relay could not bind it
    assert.deepEqual(pool.status(), {
      minPort: 8000,
      maxPort: 8007,
      available: 2,
      reserved: 1,
      inUse: 1,
      warm: 0,
      total: 4,
    });
    assert.equal(pool.release(warm[0]!), true);
    assert.equal(pool.inUse, 0);
  });

  it('reuses a released port only after every other free one', () => {
    const pool = new PortPool(10000, 10019);
    const first = pool.acquire() as number;
    assert.equal(pool.release(first), true);
    const next: number[] = [];
    for (let i = 0; i < 9; i++) next.push(pool.acquire() as number);
    assert.ok(!next.includes(first));
    assert.equal(pool.acquire(), first);
  });

  it('ignores double releases and foreign ports, and keeps reserved pairs out', () => {
    const pool = new PortPool(20000, 20009);
    const p = pool.acquire() as number;
    assert.equal(pool.release(p), true);
    assert.equal(pool.release(p), false);
    assert.equal(pool.release(20001), false);
    assert.equal(pool.release(30000), false);
    const q = pool.acquire() as number;
    pool.reserve(q);
    assert.deepEqual(pool.status(), {
      minPort: 20000,
      maxPort: 20009,
      available: 4,
      reserved: 1,
      inUse: 0,
      warm: 0,
      total: 5,
    });
  });

  it('gives a reserved pair another chance after its cool-down', () => {
    let now = 0;
    const pool = new PortPool(
      20000,
      20003,
      () => 0,
      1000,
      () => now,
    );
    const p = pool.acquire() as number;
    pool.reserve(p);
    const q = pool.acquire() as number;
    assert.equal(pool.acquire(), null, 'one pair in use, one reserved');
    assert.equal(pool.status().reserved, 1);
    now = 1000;
    assert.equal(pool.acquire(), p, 'back after the cool-down');
    assert.deepEqual(pool.status(), {
      minPort: 20000,
      maxPort: 20003,
      available: 0,
      reserved: 0,
      inUse: 2,
      warm: 0,
      total: 2,
    });
    pool.release(q);
  });

  it('takes a given free pair (a call taken back after a restart), and refuses one in use, warm, reserved or foreign', () => {
    const pool = new PortPool(20000, 20019);
    assert.equal(pool.take(20010), true);
    assert.equal(pool.take(20010), false, 'in use now');
    assert.equal(pool.take(20011), false, 'odd: an RTCP port');
    assert.equal(pool.take(30000), false, 'outside the range');
    const taken = new Set([20010]);
    for (let p = pool.acquire(); p !== null; p = pool.acquire()) {
      assert.ok(!taken.has(p), `${p} handed out twice`);
      taken.add(p);
    }
    assert.equal(taken.size, 10, 'every other pair is still handed out once');
    pool.release(20004);
    pool.reserve(20006);
    assert.equal(pool.take(20006), false, 'reserved');
    assert.equal(pool.take(20004), true);
    assert.equal(pool.status().inUse, 9);
  });

  it('rejects a range outside 1024-65535 or without a pair', () => {
    assert.throws(() => new PortPool(80, 2000), /1024-65535/);
    assert.throws(() => new PortPool(9001, 9001), /no even\/odd pair/);
  });

  it('never hands out a port twice while it is in use (any sequence of takes and releases)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat(40)), { maxLength: 300 }), (ops) => {
        const pool = new PortPool(30000, 30039);
        const held = new Set<number>();
        for (const op of ops) {
          if (op === -1) {
            const p = pool.acquire();
            if (p === null) assert.equal(held.size, 20);
            else {
              assert.ok(!held.has(p) && p % 2 === 0);
              held.add(p);
            }
          } else {
            const p = [...held][op % Math.max(1, held.size)];
            if (p !== undefined) {
              pool.release(p);
              held.delete(p);
            }
          }
          assert.equal(pool.inUse, held.size);
        }
      }),
      runs(300),
    );
  });
});
