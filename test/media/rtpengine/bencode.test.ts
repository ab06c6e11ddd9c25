/** Bencode as rtpengine's ng protocol uses it: known encodings, round trips, and malformed input refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type BValue, bdecode, bencode } from '../../../src/media/rtpengine/bencode.js';
import { SbcError } from '../../../src/errors/sbc-error.js';
import { runs } from '../../helpers/property-runs.js';

const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -1e12, max: 1e12 }),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'grapheme' }), tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('bencode', () => {
  it("writes the ng protocol's shapes, dictionary keys sorted", () => {
    assert.equal(bencode({ command: 'ping' }).toString(), 'd7:command4:pinge');
    assert.equal(
      bencode({ sdp: 'v=0', 'call-id': 'a', flags: ['trust-address'], n: 3 }).toString(),
      'd7:call-id1:a5:flagsl13:trust-addresse1:ni3e3:sdp3:v=0e',
    );
    assert.equal(bencode('né').toString('latin1'), '3:n\xc3\xa9', 'string lengths count bytes, not characters');
  });

  it('reads dictionaries whose keys are not sorted (rtpengine writes its own so)', () => {
    assert.deepEqual(bdecode(Buffer.from('d6:result4:pong3:abci-7ee')), { result: 'pong', abc: -7 });
  });

  it('round-trips any value', () => {
    fc.assert(
      fc.property(bvalue, (v) => assert.deepEqual(bdecode(bencode(v)), JSON.parse(JSON.stringify(v)) as BValue)),
      runs(300),
    );
  });

  it('refuses malformed input with SBC_ERR_MEDIA_ENGINE, never another exception', () => {
    for (const bad of [
      '',
      'i12',
      'i-0e',
      'i01e',
      '5:abc',
      'l',
      'd3:abc',
      'x',
      '3:abcX',
      'd1:ai1e',
      '-1:a',
      `${'l'.repeat(40)}${'e'.repeat(40)}`,
    ]) {
      assert.throws(
        () => bdecode(Buffer.from(bad)),
        (e: unknown) => e instanceof SbcError && e.code === 'SBC_ERR_MEDIA_ENGINE',
        JSON.stringify(bad),
      );
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          bdecode(Buffer.from(bytes));
        } catch (e) {
          assert.ok(e instanceof SbcError, String(e));
        }
      }),
      runs(500),
    );
  });
});
