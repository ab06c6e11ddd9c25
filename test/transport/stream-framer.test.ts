/** Stream framing by Content-Length and RFC 5626 keep-alives, fed in arbitrary chunks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type FrameEvent, StreamFramer } from '../../src/transport/stream-framer.js';
import { realPeerFiles, realPeerMessage } from '../helpers/corpus.js';
import { runs } from '../helpers/property-runs.js';

const messages = realPeerFiles().map(realPeerMessage);

function feed(framer: StreamFramer, chunks: Buffer[]): FrameEvent[] {
  return chunks.flatMap((c) => framer.push(c));
}

describe('StreamFramer', () => {
  it('cuts a stream of messages and pings into the same messages, however it is chunked', () => {
    const item = fc.oneof(fc.constantFrom(...messages), fc.constant(Buffer.from('\r\n\r\n')));
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1 }),
        (items, sizes) => {
          const stream = Buffer.concat(items);
          const chunks: Buffer[] = [];
          for (let at = 0, i = 0; at < stream.length; i++) {
            const n = sizes[i % sizes.length] ?? 1;
            chunks.push(stream.subarray(at, at + n));
            at += n;
          }
          const events = feed(new StreamFramer(65536), chunks);
          const expected = items.map((b) =>
            b.length === 4 && b.toString() === '\r\n\r\n' ? 'ping' : b.toString('latin1'),
          );
          const got = events.map((e) => (e.kind === 'message' ? e.bytes.toString('latin1') : e.kind));
          assert.deepEqual(got, expected);
        },
      ),
      runs(300),
    );
  });

  it('skips a lone CRLF before a start line (RFC 3261 §7.5)', () => {
    const events = new StreamFramer(65536).push(Buffer.concat([Buffer.from('\r\n'), messages[0] ?? Buffer.alloc(0)]));
    assert.deepEqual(
      events.map((e) => e.kind),
      ['message'],
    );
  });

  it('waits for the rest of a body', () => {
    const msg = realPeerMessage('microsip-invite-early-offer.sip');
    const f = new StreamFramer(65536);
    assert.deepEqual(f.push(msg.subarray(0, msg.length - 10)), []);
    assert.ok(f.pending > 0);
    assert.equal(f.push(msg.subarray(msg.length - 10))[0]?.kind, 'message');
    assert.equal(f.pending, 0);
  });

  it('fails without Content-Length, with a negative or conflicting one, and stays failed', () => {
    const head = 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\n';
    for (const cl of ['', 'Content-Length: -1\r\n', 'Content-Length: 1\r\nl: 2\r\n']) {
      const f = new StreamFramer(65536);
      const ev = f.push(Buffer.from(`${head}${cl}\r\n`));
      assert.equal(ev[0]?.kind, 'error', cl);
      assert.deepEqual(f.push(Buffer.from('more')), []);
    }
  });

  it('fails on a message or header block larger than the limit', () => {
    const big = Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n`);
    const ev = new StreamFramer(2048).push(big);
    assert.deepEqual(ev[0], { kind: 'error', reason: 'message larger than the limit', tooLarge: true });
    const endless = new StreamFramer(2048).push(Buffer.alloc(3000, 0x41));
    assert.equal(endless[0]?.kind === 'error' && endless[0].tooLarge, true);
  });
});
