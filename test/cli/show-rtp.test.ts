/** `show voip rtp connections`: pool rows per node and a row per relayed stream, from the shared records. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderRtpConnections, rtpConnectionsReport } from '../../src/cli/show-rtp.js';
import type { NodeInfo, ViewCall } from '../../src/state/cluster-view.js';
import { callRecord } from '../helpers/call-records.js';

describe('show voip rtp connections', () => {
  it('lists each node pool and each flow-through stream; flow-around calls have no rows', () => {
    const nodes: NodeInfo[] = [
      { node: 'sbc-a', alive: true, startedAt: 0, heartbeatAt: 0, calls: 2, rtp: { address: '10.0.0.1', minPort: 8000, maxPort: 48198, available: 20097, reserved: 0, inUse: 2 } },
      { node: 'sbc-b', alive: true, startedAt: 0, heartbeatAt: 0, calls: 1 },
    ];
    const relayed: ViewCall = {
      ...callRecord('c1'), node: 'sbc-a', nodeAlive: true,
      media: { mode: 'flow-through', streams: [
        { leg: 'a', stream: 0, localAddress: '10.0.0.1', localPort: 8000, remoteAddress: '192.0.2.10', remotePort: 4000 },
        { leg: 'b', stream: 0, localAddress: '10.0.0.1', localPort: 8002, remoteAddress: null, remotePort: null },
      ] },
    };
    const around: ViewCall = { ...callRecord('c2'), node: 'sbc-b', nodeAlive: true, media: { mode: 'flow-around', streams: [] } };
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
