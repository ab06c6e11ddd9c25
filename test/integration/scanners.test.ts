/**
 * What a scanner learns of the SBC: svmap and svwar (SIPVicious), each from its own 127.0.0.x source and
 * port (`-b`, `-P`), find nothing, whether their source is untrusted (dropped unseen) or trusted (dropped
 * by their User-Agent). The SBC's own answers name no product or version unless `serverHeader` says so.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { VERSION } from '../../src/node/node.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer, freePort } from '../helpers/net.js';

/** Run a SIPVicious tool; it never gets more than `ms`. */
function sipvicious(tool: string, args: string[], ms = 30_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: ms, killSignal: 'SIGKILL' });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) => resolve({ code: -1, out: `${out}\n${err.message}` }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('scanners', () => {
  it('svmap and svwar learn nothing, from an untrusted source or a trusted one', async () => {
    const app = await startTestApp({
      trustedList: ['127.0.0.1/32', '127.0.0.7/32'],
      dialPeers: [{ tag: 1, destinationPattern: '1..', sessionTarget: 'ipv4:127.0.0.1:9' }],
    });
    try {
      const port = String(boundPort(app, 'udp'));
      const untrustedMap = await sipvicious('svmap', [
        '-b',
        '127.0.0.6',
        '-P',
        String(await freePort('udp')),
        '-p',
        port,
        '-t',
        '0.05',
        '127.0.0.1',
      ]);
      const trustedMap = await sipvicious('svmap', [
        '-b',
        '127.0.0.7',
        '-P',
        String(await freePort('udp')),
        '-p',
        port,
        '-t',
        '0.05',
        '127.0.0.1',
      ]);
      const trustedWar = await sipvicious('svwar', [
        '-b',
        '127.0.0.7',
        '-P',
        String(await freePort('udp')),
        '-p',
        port,
        '-m',
        'INVITE',
        '-e',
        '100-120',
        '-t',
        '0.05',
        '127.0.0.1',
      ]);
      for (const [what, r] of [
        ['svmap untrusted', untrustedMap],
        ['svmap trusted', trustedMap],
        ['svwar trusted', trustedWar],
      ] as const) {
        assert.doesNotMatch(r.out, /127\.0\.0\.1:\d+ *\|/, `${what} found the SBC:\n${r.out}`);
        assert.doesNotMatch(r.out, /\| *1\d\d *\| *(reqauth|noauth)/, `${what} found an extension:\n${r.out}`);
        assert.doesNotMatch(r.out, /FoSIP/i, what);
      }
      // the scans did reach the SBC: each was dropped (by its User-Agent, which is checked first)
      const counters = app.security.guard.counters;
      assert.ok(counters.scanner + counters.untrusted >= 3, JSON.stringify(counters));
    } finally {
      await app.stop();
    }
    // the control: with no User-Agent filter, the same svmap from a trusted source does find the SBC (the tool works here)
    const open = await startTestApp({ trustedList: ['127.0.0.7/32'], scannerUserAgents: [] });
    try {
      const found = await sipvicious('svmap', [
        '-b',
        '127.0.0.7',
        '-P',
        String(await freePort('udp')),
        '-p',
        String(boundPort(open, 'udp')),
        '-t',
        '0.05',
        '127.0.0.1',
      ]);
      assert.match(found.out, /127\.0\.0\.1:\d+ *\|/, found.out);
    } finally {
      await open.stop();
    }
  });

  it('answers OPTIONS without a Server header unless serverHeader names one', async () => {
    for (const serverHeader of [undefined, 'Edge SBC']) {
      const app = await startTestApp(serverHeader === undefined ? {} : { serverHeader });
      const peer = await UdpPeer.open(0, '127.0.0.1');
      try {
        peer.send(
          requestText({
            method: 'OPTIONS',
            via: `SIP/2.0/UDP 127.0.0.1:${peer.port};rport`,
            branch: `z9hG4bKsrv${serverHeader ? 1 : 0}`,
          }),
          boundPort(app, 'udp'),
        );
        const [res] = await peer.waitFor(1, 3000);
        const text = res?.toString('latin1') ?? '';
        assert.match(text, /^SIP\/2\.0 200 /);
        if (serverHeader === undefined) assert.doesNotMatch(text, /^(Server|User-Agent):/im);
        else assert.match(text, /^Server: Edge SBC\r$/m);
        assert.doesNotMatch(text, /FoSIP/i, 'no product');
        assert.ok(!text.includes(VERSION), 'no version');
      } finally {
        peer.close();
        await app.stop();
      }
    }
  });
});
