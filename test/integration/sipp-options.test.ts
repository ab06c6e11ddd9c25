/**
 * The SIP core with real peers: sipp sends OPTIONS over UDP and TCP and gets 200 with Allow, Accept and
 * Supported; malformed requests get the right 4xx/5xx with a Warning; CUCM's real keepalive (Max-Forwards 0,
 * TCP) gets its 200.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SbcNode } from '../../src/node/node.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { realPeerMessage } from '../helpers/corpus.js';
import { TcpPeer, freePort } from '../helpers/net.js';
import { runSipp } from '../helpers/sipp.js';

const OPTIONS = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="options keepalive">
  <send retrans="500">
    <![CDATA[
      OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:probe@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 0
      Contact: <sip:probe@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <recv response="200">
    <action>
      <ereg regexp="Allow: [^\\r\\n]*OPTIONS" search_in="msg" check_it="true" assign_to="allow"/>
      <ereg regexp="Accept: application/sdp" search_in="msg" check_it="true" assign_to="accept"/>
      <ereg regexp="Supported: " search_in="msg" check_it="true" assign_to="supported"/>
      <ereg regexp="To: [^\\r\\n]*;tag=" search_in="msg" check_it="true" assign_to="totag"/>
    </action>
  </recv>
  <Reference variables="allow,accept,supported,totag"/>
</scenario>`;

function malformed(line1: string, cseq: string, maxForwards: string, expect: number, warning: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="malformed">
  <send retrans="500">
    <![CDATA[
      ${line1}
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:probe@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: ${cseq}
      Max-Forwards: ${maxForwards}
      Content-Length: 0

    ]]>
  </send>
  <recv response="${expect}">
    <action>
      <ereg regexp="${warning}" search_in="msg" check_it="true" assign_to="w"/>
    </action>
  </recv>
  <Reference variables="w"/>
</scenario>`;
}

describe('sipp against the SIP core', () => {
  let app: SbcNode;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app.stop();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`answers OPTIONS over ${transport.toUpperCase()} with 200 (5 probes)`, async () => {
      const port = await freePort(transport);
      const r = await runSipp(`127.0.0.1:${boundPort(app, transport)}`, OPTIONS, [
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-m',
        '5',
        '-t',
        transport === 'udp' ? 'u1' : 't1',
      ]);
      assert.equal(r.code, 0, `sipp failed:\n${r.stderr}\n${r.messages.slice(-2000)}`);
    });
  }

  const cases = [
    [
      'Max-Forwards out of range',
      'OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0',
      '1 OPTIONS',
      '300',
      400,
      'Warning: 399 fosip-test \\"Max-Forwards must be 0..255',
    ],
    [
      'CSeq out of range',
      'OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0',
      '99999999999 OPTIONS',
      '70',
      400,
      'Warning: 399 fosip-test \\"invalid CSeq',
    ],
    ['unknown URI scheme', 'OPTIONS nobody:opaque SIP/2.0', '1 OPTIONS', '70', 416, 'Warning: 399'],
    ['unknown method', 'FROBNICATE sip:[remote_ip]:[remote_port] SIP/2.0', '1 FROBNICATE', '70', 501, 'Allow: INVITE'],
    ['wrong SIP version', 'OPTIONS sip:[remote_ip]:[remote_port] SIP/3.0', '1 OPTIONS', '70', 505, 'Warning: 399'],
  ] as const;

  for (const [name, line1, cseq, mf, status, warning] of cases) {
    it(`answers a malformed request (${name}) with ${status}`, async () => {
      const port = await freePort('udp');
      const r = await runSipp(`127.0.0.1:${boundPort(app, 'udp')}`, malformed(line1, cseq, mf, status, warning), [
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-m',
        '1',
        '-t',
        'u1',
      ]);
      assert.equal(r.code, 0, `sipp failed:\n${r.stderr}\n${r.messages.slice(-2000)}`);
    });
  }

  it('answers the real CUCM OPTIONS keepalive (TCP, Max-Forwards 0) with 200 on the same connection', async () => {
    const raw = realPeerMessage('cucm-options-keepalive-tcp.sip')
      .toString('latin1')
      .replace(/192\.168\.80\.\d+/g, '127.0.0.1');
    const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
    peer.write(Buffer.from(raw, 'latin1'));
    assert.ok(await peer.until((p) => p.data.includes('\r\n\r\n')), 'no answer');
    const res = parseMessage(peer.data);
    assert.ok(res.isResponse());
    assert.equal(res.status, 200);
    assert.equal(res.callId(), '1e55d000-1ef16899-13-6450a8c0@127.0.0.1');
    assert.equal(res.topVia().params.get('branch'), 'z9hG4bK3220cd6291');
    peer.close();
  });
});
