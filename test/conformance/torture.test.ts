/** RFC 4475 / RFC 5118 torture corpus: every file, parsed fields and the exact outcome (MANIFEST.tsv). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage } from '../../src/sip/message-parser.js';
import { STACK_CHECKS, checkRequest, responseFault } from '../../src/sip/request-checks.js';
import type { SipMessage } from '../../src/sip/sip-message.js';
import { SipParseError } from '../../src/sip/sip-parse-error.js';
import { readManifest, tortureMessage } from '../helpers/corpus.js';
import { EXPECTATIONS, type Outcome } from './torture-expectations.js';

function outcomeOf(msg: SipMessage): Outcome {
  if (msg.isResponse()) {
    responseFault(msg);
    return 'drop'; // the corpus responses match no transaction: silence either way
  }
  assert.ok(msg.isRequest());
  return checkRequest(msg, STACK_CHECKS)?.status ?? 'accept';
}

describe('SIP torture corpus (RFC 4475, RFC 5118)', () => {
  const rows = readManifest();

  it('has an expectation for every MANIFEST row and no extra', () => {
    assert.deepEqual(Object.keys(EXPECTATIONS).sort(), rows.map((r) => r.file).sort());
  });

  for (const row of rows) {
    it(`${row.file}: ${row.validity} -> ${String(EXPECTATIONS[row.file]?.outcome)}`, () => {
      const exp = EXPECTATIONS[row.file];
      assert.ok(exp, `no expectation for ${row.file}`);
      const buf = tortureMessage(row.file);
      let msg: SipMessage;
      try {
        msg = parseMessage(buf);
      } catch (err) {
        assert.ok(err instanceof SipParseError, `non-SipParseError thrown: ${String(err)}`);
        assert.equal(exp.outcome, 'drop', `parse failed: ${err.message}`);
        return;
      }
      assert.equal(outcomeOf(msg), exp.outcome);
      exp.check?.(msg);
      // lossless: the message serializes to the bytes it was parsed from (trailing datagram junk aside)
      const out = msg.serialize();
      assert.ok(out.equals(buf.subarray(0, out.length)), 'serialize(parse(x)) differs from x');
      // (the MANIFEST's CAUTION rows are valid in intent but carry a wrong Content-Length)
      if (row.validity === 'valid' && msg.isRequest() && !row.expected.includes('CAUTION')) {
        assert.notEqual(exp.outcome, 400, 'a valid message must never get 400');
      }
    });
  }
});
