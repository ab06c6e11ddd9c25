/**
 * TLS between two SBC instances (SIPp has no TLS here): SIPp calls SBC 1 over UDP, SBC 1 reaches SBC 2 over
 * TLS (sessionTransport tls, both certificates verified), SBC 2 reaches the SIPp callee over UDP. A server
 * whose certificate does not chain to the configured CAs is refused, and with `validateServerName` one whose
 * certificate does not name the dial-peer's target.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { certificate } from '../helpers/certificates.js';
import { freePort } from '../helpers/net.js';
import { uacExpect } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

describe('TLS transport', () => {
  it('connects a call between two SBC instances over TLS with both certificates verified', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-tls-'));
    const one = certificate(dir, 'sbc-one');
    const two = certificate(dir, 'sbc-two');
    const b = await callee({ calls: 3 });
    const sbc2 = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
      hostname: 'sbc-two',
      tls: { ...two, caFile: one.certFile, verifyClient: true },
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    const sbc1 = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
      hostname: 'sbc-one',
      tls: { ...one, caFile: two.certFile },
      dialPeers: [
        {
          tag: 1,
          destinationPattern: '2...',
          sessionTarget: `ipv4:127.0.0.1:${boundPort(sbc2, 'tls')}`,
          sessionTransport: 'tls',
        },
      ],
    });
    try {
      const r = await caller(boundPort(sbc1, 'udp'), { holdMs: 300 });
      assert.equal(r.code, 0, `${r.stderr}\n${r.messages.slice(-3000)}`);
      const [cdr1] = sbc1.callStore.history(1);
      assert.equal(cdr1?.bLeg?.transport, 'tls');
      assert.equal(cdr1?.disconnectCause, 16);
      const [cdr2] = sbc2.callStore.history(1);
      assert.equal(cdr2?.aLeg.transport, 'tls', 'SBC 2 took the call over TLS');
      assert.equal(sbc2.transport.stats.sip.requestsIn['INVITE'], 1);
    } finally {
      await sbc1.stop();
      await sbc2.stop();
      b.kill();
    }
  });

  it('refuses a server whose certificate does not chain to the configured CAs: the call fails, nothing is sent in clear', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-tls-'));
    const one = certificate(dir, 'sbc-one');
    const two = certificate(dir, 'sbc-two');
    const stranger = certificate(dir, 'stranger');
    const sbc2 = await startTestApp({ listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'], tls: two });
    const sbc1 = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
      tls: { ...one, caFile: stranger.certFile },
      dialPeers: [
        {
          tag: 1,
          destinationPattern: '2...',
          sessionTarget: `ipv4:127.0.0.1:${boundPort(sbc2, 'tls')}`,
          sessionTransport: 'tls',
        },
      ],
    });
    try {
      const r = await caller(boundPort(sbc1, 'udp'), { scenario: uacExpect(503) });
      assert.equal(r.code, 0, `${r.stderr}\n${r.messages.slice(-3000)}`);
      assert.equal(sbc2.transport.stats.messagesIn, 0, 'SBC 2 never received a SIP message');
    } finally {
      await sbc1.stop();
      await sbc2.stop();
    }
  });

  it('with validateServerName, reaches a server only when its certificate names the target: dns:localhost yes, its address no', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-tls-'));
    const one = certificate(dir, 'sbc-one');
    const two = certificate(dir, 'sbc-two', 'DNS:localhost');
    const b = await callee({ calls: 2 });
    const sbc2 = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
      tls: two,
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    const tlsPort = boundPort(sbc2, 'tls');
    const peers = (
      target: string,
    ): Array<{ tag: number; destinationPattern: string; sessionTarget: string; sessionTransport: 'tls' }> => [
      { tag: 1, destinationPattern: '2...', sessionTarget: target, sessionTransport: 'tls' },
    ];
    const byName = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
      tls: { ...one, caFile: two.certFile, validateServerName: true },
      dialPeers: peers(`dns:localhost:${tlsPort}`),
    });
    const byAddress = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
      tls: { ...one, caFile: two.certFile, validateServerName: true },
      dialPeers: peers(`ipv4:127.0.0.1:${tlsPort}`),
    });
    const unchecked = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
      tls: { ...one, caFile: two.certFile },
      dialPeers: peers(`ipv4:127.0.0.1:${tlsPort}`),
    });
    try {
      const named = await caller(boundPort(byName, 'udp'), { holdMs: 300 });
      assert.equal(named.code, 0, `${named.stderr}\n${named.messages.slice(-3000)}`);
      const refused = await caller(boundPort(byAddress, 'udp'), { scenario: uacExpect(503) });
      assert.equal(refused.code, 0, `${refused.stderr}\n${refused.messages.slice(-3000)}`);
      assert.equal(
        sbc2.transport.stats.sip.requestsIn['INVITE'],
        1,
        'no INVITE reached SBC 2 from the node that refused its name',
      );
      const plain = await caller(boundPort(unchecked, 'udp'), { holdMs: 300 });
      assert.equal(
        plain.code,
        0,
        `without validateServerName the name is not compared (CUBE's default)\n${plain.stderr}`,
      );
    } finally {
      await Promise.all([byName.stop(), byAddress.stop(), unchecked.stop()]);
      await sbc2.stop();
      b.kill();
    }
  });

  it('trusts a TLS client from an untrusted address when its verified certificate names a trusted client, and only then', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-tls-'));
    const pbx = certificate(dir, 'pbx', 'DNS:pbx.example.net');
    const stranger = certificate(dir, 'stranger', 'DNS:stranger.example.net');
    const two = certificate(dir, 'sbc-two');
    const clientCas = path.join(dir, 'clients.pem');
    fs.writeFileSync(clientCas, Buffer.concat([fs.readFileSync(pbx.certFile), fs.readFileSync(stranger.certFile)]));
    const b = await callee({ calls: 1 });
    const adminPort = await freePort('tcp');
    const sbc2 = await startTestApp({
      listen: ['udp:127.0.0.1:0', 'tls:127.0.0.1:0'],
      admin: `127.0.0.1:${adminPort}`,
      trustedList: ['127.0.0.1/32'],
      silentDiscardUntrusted: false,
      tls: { ...two, caFile: clientCas, verifyClient: true, trustedClientNames: ['pbx.example.net'] },
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    // each client connects from an address of its own, which SBC 2 does not trust
    const client = (files: { certFile: string; keyFile: string }, address: string): ReturnType<typeof startTestApp> =>
      startTestApp({
        listen: ['udp:127.0.0.1:0', `tls:${address}:0`],
        tls: { ...files, caFile: two.certFile },
        dialPeers: [
          {
            tag: 1,
            destinationPattern: '2...',
            sessionTarget: `ipv4:127.0.0.1:${boundPort(sbc2, 'tls')}`,
            sessionTransport: 'tls',
          },
        ],
      });
    const trusted = await client(pbx, '127.0.0.5');
    const untrusted = await client(stranger, '127.0.0.6');
    try {
      const ok = await caller(boundPort(trusted, 'udp'), { holdMs: 300 });
      assert.equal(ok.code, 0, `${ok.stderr}\n${ok.messages.slice(-3000)}`);
      assert.equal(sbc2.callStore.history(1)[0]?.aLeg.transport, 'tls');
      const refused = await caller(boundPort(untrusted, 'udp'), { scenario: uacExpect(403) });
      assert.equal(
        refused.code,
        0,
        `a verified certificate naming no trusted client is an untrusted source\n${refused.stderr}`,
      );
      assert.equal(sbc2.security.guard.counters.rejected, 1);
      const shown = await runCli([
        'show',
        'ip',
        'address',
        'trusted',
        'list',
        '--admin',
        `http://127.0.0.1:${adminPort}`,
      ]);
      assert.match(shown.stdout, /pbx\.example\.net +\(TLS client certificate name, any address\)/);
    } finally {
      await Promise.all([trusted.stop(), untrusted.stop()]);
      await sbc2.stop();
      b.kill();
    }
  });
});
