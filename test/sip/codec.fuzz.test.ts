/**
 * Mutation fuzzing: random byte changes of real and torture messages only ever give a message or a
 * SipParseError, and the checks on a parsed message never throw (RFC 4475's promise: never crash).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseMessage } from '../../src/sip/message-parser.js';
import { STACK_CHECKS, checkRequest, responseFault } from '../../src/sip/request-checks.js';
import { SipParseError } from '../../src/sip/sip-parse-error.js';
import { readManifest, realPeerFiles, realPeerMessage, tortureMessage } from '../helpers/corpus.js';
import { runs } from '../helpers/property-runs.js';

const seeds = [...realPeerFiles().map(realPeerMessage), ...readManifest().map((r) => tortureMessage(r.file))];

const SPECIAL = [0, 9, 10, 13, 32, 34, 37, 44, 58, 59, 60, 62, 64, 91, 93, 255].map((b) => Buffer.from([b]));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.constantFrom(...SPECIAL) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 60 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(buf: Buffer, m: Mutation): Buffer {
  const at = buf.length === 0 ? 0 : m.at % buf.length;
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(buf);
      out[at] = m.byte;
      return out;
    }
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
    case 'delete':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.len)]);
    case 'truncate':
      return buf.subarray(0, at);
    case 'repeat':
      return Buffer.concat([buf.subarray(0, at + m.len), buf.subarray(at)]);
  }
}

function exercise(bytes: Buffer, stream: boolean): void {
  let msg;
  try {
    msg = parseMessage(bytes, { stream });
  } catch (err) {
    assert.ok(err instanceof SipParseError, `plain exception: ${String(err)}`);
    return;
  }
  msg.serialize();
  if (msg.isRequest()) {
    const r = checkRequest(msg, STACK_CHECKS);
    assert.ok(r === null || (r.status >= 400 && r.status < 600));
  } else if (msg.isResponse()) {
    responseFault(msg);
  }
}

describe('codec fuzzing', () => {
  it('mutated messages give a message or a SipParseError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (seed, muts, stream) => {
          exercise(muts.reduce(mutate, seed), stream);
        },
      ),
      runs(20000),
    );
  });

  it('random bytes give a SipParseError or a message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => exercise(Buffer.from(bytes), false)),
      runs(5000),
    );
  });
});
