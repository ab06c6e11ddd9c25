/** rtpengine's DTMF event datagrams (its dtmf-log-dest JSON) read, and anything else ignored. */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { DtmfEventListener, parseDtmfEvent } from '../../../src/media/rtpengine/dtmf-events.js';
import { eventually } from '../../helpers/eventually.js';
import { freePort } from '../../helpers/net.js';

/** What rtpengine 10.5 sent for digit 5 (captured from a real one). */
const REAL = Buffer.from(
  '{"callid":"d1796302578961","source_tag":"fosip-a","tags":["fosip-b","fosip-a"],"type":"DTMF","timestamp":1796302579,"source_ip":"127.0.0.1","event":5,"duration":80,"volume":10}',
);

describe('rtpengine DTMF events', () => {
  it('reads the call, the party, the digit and its duration', () => {
    assert.deepEqual(parseDtmfEvent(REAL), {
      callId: 'd1796302578961',
      sourceTag: 'fosip-a',
      event: 5,
      durationMs: 80,
    });
  });

  it('ignores what is not a DTMF event of rtpengine', () => {
    for (const bad of [
      'not json',
      'null',
      '[]',
      '{"type":"DTMF","callid":"c","source_tag":"t","event":16}',
      '{"type":"DTMF","callid":"c","source_tag":"t","event":1.5}',
      '{"type":"other","callid":"c","source_tag":"t","event":1}',
      '{"type":"DTMF","callid":7,"source_tag":"t","event":1}',
    ])
      assert.equal(parseDtmfEvent(Buffer.from(bad)), null, bad);
  });

  it('hands each event that arrives on its socket over', async () => {
    const port = await freePort('udp');
    const got: unknown[] = [];
    const listener = await DtmfEventListener.open(`udp:127.0.0.1:${port}`, (e) => got.push(e));
    const s = dgram.createSocket('udp4');
    try {
      s.send(Buffer.from('garbage'), port, '127.0.0.1');
      s.send(REAL, port, '127.0.0.1');
      assert.ok(await eventually(() => got.length === 1));
    } finally {
      s.close();
      listener.close();
    }
  });
});
