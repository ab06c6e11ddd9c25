/** The pretty log format: one readable line per pino record. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prettyLine } from '../../src/observability/pretty-log.js';

describe('pretty log lines', () => {
  it('writes time, level, message and the fields, strings quoted only when they must be', () => {
    const t = Date.UTC(2026, 11, 3, 12, 4, 5, 123);
    const record = {
      level: 30,
      time: t,
      pid: 1,
      hostname: 'h',
      msg: 'call ended',
      callId: 'abc',
      cause: 16,
      text: 'normal call clearing',
      err: { message: 'boom', stack: 'x' },
    };
    assert.equal(
      prettyLine(JSON.stringify(record)),
      '12:04:05.123 INFO  call ended callId=abc cause=16 text="normal call clearing" err="boom"',
    );
    assert.equal(prettyLine('not json'), 'not json');
  });
});
