/** `show voip rtp connections`: pool rows per node and a row per relayed stream, from the shared records. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderActiveBrief } from '../../src/cli/show-calls.js';
import { renderRtpConnections, rtpConnectionsReport } from '../../src/cli/show-rtp.js';
import type { NodeInfo, ViewCall } from '../../src/state/node-reports.js';
import { callRecord } from '../helpers/call-records.js';

describe('show voip rtp connections', () => {
  it('lists each node pool and each flow-through stream; flow-around calls have no rows', () => {
    const nodes: NodeInfo[] = [
      {
        node: 'sbc-a',
        alive: true,
        startedAt: 0,
        heartbeatAt: 0,
        calls: 2,
        rtp: { address: '10.0.0.1', minPort: 8000, maxPort: 48198, available: 20097, reserved: 0, inUse: 2 },
      },
      { node: 'sbc-b', alive: true, startedAt: 0, heartbeatAt: 0, calls: 1 },
    ];
    const relayed: ViewCall = {
      ...callRecord('c1'),
      node: 'sbc-a',
      nodeAlive: true,
      media: {
        mode: 'flow-through',
        streams: [
          {
            leg: 'a',
            stream: 0,
            localAddress: '10.0.0.1',
            localPort: 8000,
            remoteAddress: '192.0.2.10',
            remotePort: 4000,
          },
          { leg: 'b', stream: 0, localAddress: '10.0.0.1', localPort: 8002, remoteAddress: null, remotePort: null },
        ],
      },
    };
    const around: ViewCall = {
      ...callRecord('c2'),
      node: 'sbc-b',
      nodeAlive: true,
      media: { mode: 'flow-around', streams: [] },
    };
    const report = rtpConnectionsReport(nodes, [relayed, around]);
    assert.equal(report.pools.length, 1);
    assert.equal(report.connections.length, 2);
    const text = renderRtpConnections(report);
    assert.match(text, /Max Ports Available: 20097, Ports Reserved: 0, Ports in Use: 2/);
    assert.match(text, /sbc-a +10\.0\.0\.1 +8000 +48198 +20097 +0 +2/);
    assert.match(text, /1 +sbc-a +c1 +in +8000 +4000 +10\.0\.0\.1 +192\.0\.2\.10/);
    assert.match(text, /2 +sbc-a +c1 +out +8002 +- +10\.0\.0\.1 +-/);
    assert.match(text, /Found 2 active RTP connections/);
  });
});

describe('show call active voice brief with media', () => {
  it('prints what each leg sent and received, and flags a stream over the VoIP limits', () => {
    const call: ViewCall = { ...callRecord('c9'), node: 'sbc-a', nodeAlive: true };
    const side = (packets: number, lost: number, jitterMs: number, forwarded: number, rttMs: number | null) => ({
      packets,
      bytes: packets * 172,
      lost,
      jitterMs,
      lastArrival: 1,
      localPort: 8000,
      remote: { address: '192.0.2.7', port: 4000 },
      latched: true,
      forwarded,
      dropped: 0,
      rttMs,
    });
    const text = renderActiveBrief([call], 10, {
      c9: [{ stream: 0, a: side(500, 0, 2.5, 500, 40), b: side(480, 20, 45, 480, null) }],
    });
    assert.match(
      text,
      /Answer 1000 active\n.*\n  IP - SRTP: off -\n  calling 1000 dialled 2001\n  tx:480 rx:500\/86000 media 192\.0\.2\.7:4000 lost:0 jitter:2\.5ms rtt:40ms delay:20ms LostPacketRate:0\.00\n/,
    );
    assert.match(
      text,
      /Originate 2001 active\n.*\n  IP - SRTP: off -\n  calling 1000 called 2001\n  tx:500 rx:480\/82560 media 192\.0\.2\.7:4000 lost:20 jitter:45ms rtt:-ms delay:20ms LostPacketRate:4\.00 !loss,jitter$/,
    );
    const slow = renderActiveBrief([call], 10, {
      c9: [{ stream: 0, a: side(500, 0, 1, 500, 180), b: side(500, 0, 1, 500, 90) }],
    });
    assert.match(slow, /rtt:180ms delay:135ms LostPacketRate:0\.00 !delay\n/, 'a one-way delay over 125 ms is flagged');
  });
});
