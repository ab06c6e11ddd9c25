/** Connections are keyed by flow: outbound ones are reused, inbound ones carry our requests back. */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import type { SipMessage } from '../../src/sip/sip-message.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import type { Flow } from '../../src/transport/flow.js';
import { TransportLayer } from '../../src/transport/transport-layer.js';
import { silentLog } from '../helpers/log.js';
import { request, requestText } from '../helpers/messages.js';
import { TcpPeer } from '../helpers/net.js';

async function layer(
  listen: string,
): Promise<{ t: TransportLayer; got: Array<{ msg: SipMessage; flow: Flow }>; port: number }> {
  const t = new TransportLayer({ log: silentLog });
  const got: Array<{ msg: SipMessage; flow: Flow }> = [];
  t.onMessage((msg, flow) => got.push({ msg, flow }));
  const [spec] = await t.listen([{ transport: 'tcp', address: listen, port: 0 }]);
  return { t, got, port: spec?.port ?? 0 };
}

describe('TCP connection reuse', () => {
  it('reuses one outbound connection for several requests, and reads what the peer sends back on it', async () => {
    const { t, got } = await layer('127.0.0.1');
    let connections = 0;
    let data = '';
    let peerSocket: net.Socket | undefined;
    const server = net.createServer((s) => {
      connections++;
      peerSocket = s;
      s.on('data', (d: Buffer) => (data += d.toString('latin1')));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    const dest = { transport: 'tcp' as const, address: '127.0.0.1', port };
    t.send(request({ branch: 'z9hG4bKout1', via: 'SIP/2.0/TCP 127.0.0.1:5060' }), dest);
    t.send(request({ branch: 'z9hG4bKout2', via: 'SIP/2.0/TCP 127.0.0.1:5060' }), dest);
    await eventually(() => (data.match(/^OPTIONS/gm)?.length ?? 0) >= 2, { everyMs: 10 });
    assert.equal(connections, 1);
    assert.equal(data.match(/^OPTIONS/gm)?.length, 2);
    peerSocket?.write(requestText({ method: 'BYE', branch: 'z9hG4bKback', via: `SIP/2.0/TCP 127.0.0.1:${port}` }));
    await eventually(() => got.length > 0, { everyMs: 10 });
    assert.equal(got[0]?.flow.remotePort, port, 'arrived on the outbound connection');
    assert.equal(t.tcpConnections, 1);
    await t.close();
    server.close();
  });

  it('sends a request to a peer over the connection the peer opened, on IPv6 too', async () => {
    const { t, got, port } = await layer('::1');
    const peer = await TcpPeer.connect(port, '::1');
    peer.write(requestText({ branch: 'z9hG4bKin', via: 'SIP/2.0/TCP [::1]:5999' }));
    await eventually(() => got.length > 0, { everyMs: 10 });
    const flow = got[0]?.flow;
    assert.ok(flow);
    assert.equal(flow.remoteAddress, '::1');
    // the peer's listening port (5999) is not where it can be reached: the flow is
    t.send(
      request({ method: 'BYE', branch: 'z9hG4bKtopeer', via: 'SIP/2.0/TCP [::1]:5060' }),
      { transport: 'tcp', address: '::1', port: 5999 },
      flow,
    );
    assert.ok(await peer.until((p) => p.data.includes('BYE ')));
    const bye = parseMessage(peer.data);
    assert.ok(bye.isRequest() && bye.method === 'BYE');
    assert.equal(t.tcpConnections, 1);
    peer.close();
    await t.close();
  });

  it('reports a connection failure to the sender', async () => {
    const { t } = await layer('127.0.0.1');
    const closed = net.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as net.AddressInfo).port;
    closed.close();
    const err = await new Promise<Error>((resolve) =>
      t.send(request(), { transport: 'tcp', address: '127.0.0.1', port }, undefined, resolve),
    );
    assert.match(err.message, /ECONNREFUSED/);
    assert.equal(t.stats.sendErrors, 1);
    await t.close();
  });
});
