/** The `fosip` executable as an operator runs it: help, check-config, start and a clean SIGTERM. */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseMessage } from '../../src/sip/message-parser.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer, freePort } from '../helpers/net.js';
import { repoRoot } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';
import { VERSION } from '../../src/version.js';
import { exampleNode } from '../helpers/fosip-process.js';

const bin = path.join(repoRoot, 'bin', 'fosip.js');

describe('fosip CLI', () => {
  it('prints help with the start options', () => {
    const r = spawnSync(process.execPath, [bin, 'start', '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const flag of ['--config-dir', '--listen', '--admin', '--hostname', '--log-level'])
      assert.ok(r.stdout.includes(flag), flag);
  });

  it('prints its version with --version', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), VERSION);
  });

  it('check-config exits 0 on a valid folder and non-zero with every located problem', () => {
    const ok = spawnSync(process.execPath, [bin, 'check-config', '--config-dir', repoRoot], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-cli-'));
    fs.writeFileSync(path.join(dir, 'fosip.json'), JSON.stringify({ listen: ['x'], hostname: '' }));
    const bad = spawnSync(process.execPath, [bin, 'check-config', '--config-dir', dir], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /SBC_ERR_CONFIG_INVALID/);
    assert.match(bad.stderr, /fosip\.json#\/listen\/0: /);
    assert.match(bad.stderr, /fosip\.json#\/hostname: /);
  });

  it('check-config reports dial-peer and settings problems together, with file and pointer', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-cli-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    fs.writeFileSync(path.join(dir, 'fosip.json'), JSON.stringify({ logLevel: 'chatty' }));
    fs.writeFileSync(path.join(dir, 'dialpeers', '7.json'), JSON.stringify({ tag: 7, destinationPattern: '9x' }));
    const r = spawnSync(process.execPath, [bin, 'check-config', '--config-dir', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /fosip\.json#\/logLevel: /);
    assert.match(r.stderr, /7\.json#\/destinationPattern: invalid pattern "9x"/);
  });

  it('show dialplan number and show dial-peer read the running node, not the files where the CLI runs', async () => {
    const { admin, stop } = await exampleNode();
    // a folder of other dial-peers, named to the CLI: show must not read it
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-elsewhere-'));
    fs.mkdirSync(path.join(elsewhere, 'dialpeers'));
    fs.writeFileSync(
      path.join(elsewhere, 'dialpeers', '7.json'),
      JSON.stringify({ tag: 7, destinationPattern: '+1T', sessionTarget: 'ipv4:127.0.0.7' }),
    );
    const env = { FOSIP_CONFIG_DIR: elsewhere };
    try {
      const r = await runCli(['show', 'dialplan', 'number', '+12125551234', '--admin', admin, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { outbound: Array<{ tag: number }> };
      assert.deepEqual(
        report.outbound.map((o) => o.tag),
        [200, 201],
      );
      // from the PBX (the example's voice class uri pbx: a previous hop of 127.0.0.1), as a call from it goes
      const fromPbx = await runCli(
        ['show', 'dialplan', 'number', '92125551234', '--from-address', '127.0.0.1', '--admin', admin, '--json'],
        { env },
      );
      assert.equal(fromPbx.code, 0, fromPbx.stderr);
      const pbx = JSON.parse(fromPbx.stdout) as {
        inbound: { tag: number; criterion: string };
        translated: { called: string };
        outbound: Array<{ tag: number; verdict: string }>;
      };
      assert.deepEqual(pbx.inbound, { ...pbx.inbound, tag: 100, criterion: 'uri-via' });
      assert.equal(pbx.translated.called, '+12125551234', 'the incoming translation of dial-peer 100');
      assert.deepEqual(
        pbx.outbound.map((o) => [o.tag, o.verdict]),
        [
          [200, 'would try'],
          [201, 'would try'],
        ],
      );
      const blocked = await runCli(
        ['show', 'dialplan', 'number', '19005551234', '--from-address', '127.0.0.1', '--admin', admin],
        { env },
      );
      assert.match(blocked.stdout, /Blocked by the incoming translation .*: the call would be rejected with 403\./);
      const table = await runCli(['show', 'dialplan', 'number', '999', '--admin', admin], { env });
      assert.equal(table.code, 0);
      assert.match(table.stdout, /Inbound dial-peer: 0 \(default\)/);
      assert.match(table.stdout, /rejected with 404/);

      const summary = await runCli(['show', 'dial-peer', 'voice', 'summary', '--admin', admin], { env });
      assert.equal(summary.code, 0, summary.stderr);
      assert.match(
        summary.stdout,
        /TAG +TYPE +ADMIN +OPER +PREFIX +DEST-PATTERN +PREF +PASSTHRU +SESS-TARGET +OUTSTAT/,
      );
      assert.match(
        summary.stdout,
        /200 +voip +up +up +\+1\[2-9\]\.\.\[2-9\]\.\.\.\.\.\.\$ +0 +syst +ipv4:127\.0\.0\.1:5080 +up /,
      );
      assert.doesNotMatch(summary.stdout, /127\.0\.0\.7/, 'nothing of the files where the CLI runs');
      const one = await runCli(['show', 'dial-peer', 'voice', '300', '--admin', admin, '--json'], { env });
      assert.deepEqual(JSON.parse(one.stdout), {
        tag: 300,
        description: 'Our DID range to the PBX',
        admin: 'up',
        oper: 'up',
        incomingCalledNumber: null,
        answerAddress: null,
        incomingUri: {},
        destinationPattern: '+1555123....$',
        sessionTarget: 'ipv4:127.0.0.1:5090',
        sessionTransport: 'tcp',
        preference: 0,
        huntstop: false,
        maxConn: 100,
        media: null,
        voiceClassCodec: null,
        optionsKeepaliveProfile: null,
        mediaEngine: null,
        srtp: 'off',
        dtmfRelay: null,
        earlyOfferForced: false,
        sipProfiles: null,
        sipProfilesInbound: null,
        translationProfile: { incoming: null, outgoing: null },
        callSpike: null,
        headerPassing: 'all unknown headers',
        file: path.join(repoRoot, 'dialpeers', '300-to-pbx.json'),
      });
      const detail = await runCli(['show', 'dial-peer', 'voice', '200', '--admin', admin], { env });
      assert.match(detail.stdout, /voice-class sip profiles = 2 \(outbound\), none \(inbound\),/);
      assert.match(detail.stdout, /translation-profile incoming = none, outgoing = to-carrier,/);
      assert.match(detail.stdout, /voice-class sip options-keepalive profile = 1, call spike = none,/);
      assert.match(detail.stdout, /voice-class codec = 1 \(g711ulaw g711alaw g729r8\)/);
      const missing = await runCli(['show', 'dial-peer', 'voice', '7', '--admin', admin], { env });
      assert.equal(missing.code, 1, 'dial-peer 7 is only in the other folder');
    } finally {
      await stop();
    }
  });

  it('show running-config round-trips: its JSON made into a folder runs a node with the same configuration', async () => {
    const first = await exampleNode();
    const running = await runCli(['show', 'running-config', '--admin', first.admin, '--json']);
    const ios = await runCli(['show', 'running-config', '--admin', first.admin]);
    await first.stop();
    assert.equal(running.code, 0, running.stderr);
    assert.match(
      ios.stdout,
      /^dial-peer voice 200 voip\n description North American[^\n]*\n destination-pattern \+1\[2-9\]/m,
    );
    assert.match(ios.stdout, /^ translation-profile outgoing to-carrier$/m);
    const config = JSON.parse(running.stdout) as {
      fosipJson: object;
      dialPeers: Array<{ tag: number }>;
      classes: object[];
    };
    assert.equal(config.dialPeers.length, 5);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-running-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    fs.mkdirSync(path.join(dir, 'profiles'));
    fs.writeFileSync(path.join(dir, 'fosip.json'), JSON.stringify(config.fosipJson));
    for (const dp of config.dialPeers)
      fs.writeFileSync(path.join(dir, 'dialpeers', `${dp.tag}.json`), JSON.stringify(dp));
    fs.writeFileSync(path.join(dir, 'profiles', 'classes.json'), JSON.stringify(config.classes));
    const check = await runCli(['check-config', '--config-dir', dir]);
    assert.equal(check.code, 0, check.stderr);
    const second = await exampleNode([], dir);
    try {
      const again = await runCli(['show', 'running-config', '--admin', second.admin, '--json']);
      const next = JSON.parse(again.stdout) as typeof config;
      assert.deepEqual(next.dialPeers, config.dialPeers);
      assert.deepEqual(next.classes, config.classes);
      assert.deepEqual(
        { ...next.fosipJson, listen: null, admin: null },
        { ...config.fosipJson, listen: null, admin: null },
        'the same settings (only the ports the test gave each node differ)',
      );
    } finally {
      await second.stop();
    }
  });

  it('logs one readable line per event with --log-format pretty', async () => {
    const node = await exampleNode(['--log-format', 'pretty']);
    await node.stop();
    assert.match(node.log(), /^\d\d:\d\d:\d\d\.\d{3} INFO {2}fosip started listen=\[/m);
    assert.match(node.log(), /^\d\d:\d\d:\d\d\.\d{3} INFO {2}fosip stopped/m);
    assert.doesNotMatch(node.log(), /^\{/m, 'no JSON line');
  });

  it('starts, answers OPTIONS, and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort('udp');
    const child = spawn(process.execPath, [
      bin,
      'start',
      '--listen',
      `udp:127.0.0.1:${port}`,
      '--config-dir',
      repoRoot,
      '--log-level',
      'info',
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(() => out.includes('fosip started'));
    const peer = await UdpPeer.open();
    peer.send(requestText({ via: 'SIP/2.0/UDP 127.0.0.1:1;rport', branch: 'z9hG4bKcli' }), port);
    const [res] = await peer.waitFor(1, 3000);
    peer.close();
    assert.ok(res, `no answer; log:\n${out}`);
    const m = parseMessage(res);
    assert.ok(m.isResponse() && m.status === 200);
    // 'close', not 'exit': the log line is read below, and 'exit' can come before the pipe gives it up
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /fosip stopped/);
  });

  it('reloads on `fosip reload` and SIGHUP: draining answers OPTIONS 503; an invalid configuration keeps the running one', async () => {
    const [port, adminPort] = [await freePort('udp'), await freePort('tcp')];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-reload-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    const settings = {
      listen: [`udp:127.0.0.1:${port}`],
      admin: `127.0.0.1:${adminPort}`,
      logLevel: 'info',
      trustedList: ['127.0.0.0/8'],
    };
    fs.writeFileSync(path.join(dir, 'fosip.json'), JSON.stringify(settings));
    const child = spawn(process.execPath, [bin, 'start', '--config-dir', dir]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => out.includes('fosip started'));
      const options = async (n: number): Promise<number> => {
        const peer = await UdpPeer.open();
        peer.send(
          requestText({ via: 'SIP/2.0/UDP 127.0.0.1:1;rport', branch: `z9hG4bKreload${n}`, callId: `reload-${n}` }),
          port,
        );
        const [res] = await peer.waitFor(1, 3000);
        peer.close();
        const m = parseMessage(res ?? Buffer.alloc(0));
        return m.isResponse() ? m.status : 0;
      };
      assert.equal(await options(1), 200);
      fs.writeFileSync(path.join(dir, 'fosip.json'), JSON.stringify({ ...settings, draining: true }));
      fs.writeFileSync(
        path.join(dir, 'dialpeers', '7.json'),
        JSON.stringify({ tag: 7, destinationPattern: '7...', sessionTarget: 'ipv4:127.0.0.1:5099' }),
      );
      const reloaded = await runCli(['reload', '--admin', `http://127.0.0.1:${adminPort}`]);
      assert.equal(reloaded.code, 0, reloaded.stderr);
      assert.match(reloaded.stdout, /configuration reloaded: 1 dial-peers/);
      assert.equal(await options(2), 503, 'draining: OPTIONS get 503');
      fs.writeFileSync(path.join(dir, 'dialpeers', '8.json'), JSON.stringify({ tag: 8, destinationPattern: '8x' }));
      const refused = await runCli(['reload', '--admin', `http://127.0.0.1:${adminPort}`]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /8\.json#\/destinationPattern: invalid pattern "8x"/);
      child.kill('SIGHUP');
      await eventually(() => out.includes('configuration not reloaded'));
      assert.match(out, /configuration not reloaded/);
      assert.equal(await options(3), 503, 'the running configuration stays');
    } finally {
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  it('refuses to start on a port it cannot bind, saying so', async () => {
    const peer = await UdpPeer.open();
    const r = spawnSync(
      process.execPath,
      [bin, 'start', '--listen', `udp:127.0.0.1:${peer.port}`, '--config-dir', repoRoot, '--log-level', 'silent'],
      { encoding: 'utf8', timeout: 10_000 },
    );
    peer.close();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /SBC_ERR_LISTEN_BIND/);
  });
});
