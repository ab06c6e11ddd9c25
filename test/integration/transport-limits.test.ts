/**
 * The transport's promises on real loopback sockets: RFC 3581 stamping and symmetric responses, UDP
 * keep-alives and oversize datagrams, TCP ping/pong, framing errors that close only their connection,
 * slow-drip and idle deadlines, per-source connection limits.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SbcNode } from '../../src/node/node.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { requestText } from '../helpers/messages.js';
import { TcpPeer, UdpPeer, sleep } from '../helpers/net.js';

describe('transport on loopback', () => {
  let app: SbcNode;
  before(async () => {
    app = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0', 'udp:[::1]:0'],
      transport: { maxMessageBytes: 4096, messageDeadlineMs: 300, idleTimeoutMs: 600, maxConnectionsPerSource: 3 },
    });
  });
  after(async () => {
    await app.stop();
  });

  it('stamps received and rport and answers to the source port, not the Via port (RFC 3581)', async () => {
    const peer = await UdpPeer.open();
    peer.send(requestText({ via: 'SIP/2.0/UDP 192.0.2.7:5999;rport', branch: 'z9hG4bKrport1' }), boundPort(app, 'udp'));
    const [res] = await peer.waitFor(1);
    assert.ok(res, 'no response at the source port');
    const m = parseMessage(res);
    assert.ok(m.isResponse());
    assert.equal(m.status, 200);
    assert.equal(m.topVia().params.get('received'), '127.0.0.1');
    assert.equal(m.topVia().params.get('rport'), String(peer.port));
    peer.close();
  });

  it('ignores a received parameter forged by the client: the answer goes to the real source', async () => {
    const peer = await UdpPeer.open();
    peer.send(
      requestText({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port};received=127.0.0.9`, branch: 'z9hG4bKforged' }),
      boundPort(app, 'udp'),
    );
    const [res] = await peer.waitFor(1);
    assert.ok(res, 'the answer went to the forged address');
    const m = parseMessage(res);
    assert.equal(m.topVia().params.get('received'), '127.0.0.1');
    peer.close();
  });

  it('answers over IPv6', async () => {
    const peer = await UdpPeer.open(0, '::1');
    peer.send(
      requestText({ via: 'SIP/2.0/UDP [::1]:1;rport', branch: 'z9hG4bKv6' }),
      boundPort(app, 'udp', true),
      '::1',
    );
    const [res] = await peer.waitFor(1);
    assert.ok(res);
    const m = parseMessage(res);
    assert.ok(m.isResponse() && m.status === 200);
    peer.close();
  });

  it('absorbs UDP CRLF keep-alives and answers 513 to an oversize datagram', async () => {
    const peer = await UdpPeer.open();
    const before = app.transport.stats.keepalives;
    peer.send('\r\n\r\n', boundPort(app, 'udp'));
    const big = requestText({
      via: 'SIP/2.0/UDP 127.0.0.1:1;rport',
      branch: 'z9hG4bKbig',
      extra: [`X-Pad: ${'a'.repeat(5000)}`],
    });
    peer.send(big, boundPort(app, 'udp'));
    const [res] = await peer.waitFor(1);
    assert.ok(res);
    const m = parseMessage(res);
    assert.ok(m.isResponse());
    assert.equal(m.status, 513);
    assert.equal(app.transport.stats.keepalives, before + 1);
    assert.equal(peer.received.length, 1, 'nothing answers a keep-alive');
    peer.close();
  });

  it('drops an unparseable datagram silently and goes on', async () => {
    const peer = await UdpPeer.open();
    const before = app.transport.stats.parseErrors;
    peer.send(Buffer.from([0xff, 0x00, 0x13, 0x37]), boundPort(app, 'udp'));
    peer.send(requestText({ via: 'SIP/2.0/UDP 127.0.0.1:1;rport', branch: 'z9hG4bKafterjunk' }), boundPort(app, 'udp'));
    await peer.waitFor(1);
    assert.equal(peer.received.length, 1);
    assert.equal(app.transport.stats.parseErrors, before + 1);
    peer.close();
  });

  it('answers a TCP double-CRLF ping with a CRLF pong (RFC 5626 §4.4.1) and keeps the connection', async () => {
    const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
    peer.write('\r\n\r\n');
    assert.ok(await peer.until((p) => p.data.toString() === '\r\n'));
    peer.write(requestText({ via: 'SIP/2.0/TCP 127.0.0.1:1', branch: 'z9hG4bKafterping' }));
    assert.ok(await peer.until((p) => p.data.includes('SIP/2.0 200')));
    peer.close();
  });

  it('answers on the connection the request came on, whatever the Via says', async () => {
    const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
    peer.write(requestText({ via: 'SIP/2.0/TCP 192.0.2.50:5060', branch: 'z9hG4bKsameconn' }));
    assert.ok(await peer.until((p) => p.data.includes('SIP/2.0 200')));
    assert.equal(app.transport.stats.sendErrors, 0);
    peer.close();
  });

  it('closes a connection on a framing error, and only that one', async () => {
    const bad = await TcpPeer.connect(boundPort(app, 'tcp'));
    const good = await TcpPeer.connect(boundPort(app, 'tcp'));
    bad.write('OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKnocl\r\n\r\n');
    assert.ok(await bad.until((p) => p.closed), 'missing Content-Length must close the connection');
    good.write(requestText({ via: 'SIP/2.0/TCP 127.0.0.1:1', branch: 'z9hG4bKgood' }));
    assert.ok(await good.until((p) => p.data.includes('SIP/2.0 200')));
    assert.equal(good.closed, false);
    good.close();
  });

  it('closes a connection whose message drips in too slowly', async () => {
    const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
    peer.write('OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKdrip\r\n');
    assert.ok(await peer.until((p) => p.closed, 2000));
    assert.equal(peer.data.length, 0);
  });

  it('closes an idle connection', async () => {
    const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
    await sleep(100);
    assert.equal(peer.closed, false);
    assert.ok(await peer.until((p) => p.closed, 2000));
  });

  it('closes a connection that announces a message over the size limit', async () => {
    const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
    peer.write('OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nContent-Length: 100000\r\n\r\n');
    assert.ok(await peer.until((p) => p.closed));
  });

  it('refuses connections over the per-source limit', async () => {
    await eventually(() => app.transport.tcpConnections === 0, { everyMs: 10 });
    const peers = await Promise.all([1, 2, 3, 4].map(() => TcpPeer.connect(boundPort(app, 'tcp'))));
    await sleep(100);
    assert.deepEqual(
      peers.map((p) => p.closed),
      [false, false, false, true],
    );
    assert.ok(app.transport.stats.connectionsRejected >= 1);
    for (const p of peers) p.close();
  });
});
