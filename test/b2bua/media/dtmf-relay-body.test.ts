/** The `application/dtmf-relay` bodies of SIP INFO, both ways. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dtmfRelayBody, parseDtmfRelay } from '../../../src/b2bua/media/dtmf-relay-body.js';

describe('application/dtmf-relay', () => {
  it('writes RFC 4733 events as Signal and Duration', () => {
    assert.equal(dtmfRelayBody(1, 160.4), 'Signal=1\r\nDuration=160\r\n');
    assert.equal(dtmfRelayBody(10, 100), 'Signal=*\r\nDuration=100\r\n');
    assert.equal(dtmfRelayBody(11, 100), 'Signal=#\r\nDuration=100\r\n');
    assert.equal(dtmfRelayBody(16, 100), null, 'not a DTMF event');
  });

  it('reads them back, with a default and bounded duration, and refuses a body without a signal', () => {
    assert.deepEqual(parseDtmfRelay('Signal=5\r\nDuration=160\r\n'), { event: 5, durationMs: 160 });
    assert.deepEqual(parseDtmfRelay('Signal= #\nDuration= 20\n'), { event: 11, durationMs: 40 });
    assert.deepEqual(parseDtmfRelay('Signal=d'), { event: 15, durationMs: 250 });
    assert.deepEqual(parseDtmfRelay('Duration=99999\r\nSignal=0'), { event: 0, durationMs: 8000 });
    assert.equal(parseDtmfRelay('Signal=X\r\n'), null);
    assert.equal(parseDtmfRelay(''), null);
  });
});
