/**
 * `monitor capture` with real SIPp calls: the pcap files open in tshark, which decodes the SIP messages of
 * both legs and, with --media, the RTP; a ring keeps only the newest files; a duration stops the capture.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { freePort, freeUdpBlock, sleep } from '../helpers/net.js';
import { digitCall } from '../helpers/pcap-scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

/** tshark's fields of every packet matching `filter` in a pcap file. */
function tshark(file: string, filter: string, fields: string[], extra: string[] = []): string[][] {
  const r = spawnSync(
    'tshark',
    ['-r', file, ...extra, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

describe('monitor capture', () => {
  it('writes a pcap that tshark decodes: the SIP of both legs and, with --media, the RTP', async () => {
    const b = await callee({ extra: ['-rtp_echo', '-mp', String(await freeUdpBlock())] });
    const adminPort = await freePort('tcp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-pcap-'));
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
      capture: { directory: dir },
    });
    const admin = `http://127.0.0.1:${adminPort}`;
    const file = path.join(dir, 'call.pcap');
    try {
      const started = await runCli(['monitor', 'capture', 'start', '--file', 'call.pcap', '--media', '--admin', admin]);
      assert.equal(started.code, 0, started.stderr);
      assert.equal((JSON.parse(started.stdout) as { running: boolean }).running, true);
      const r = await caller(boundPort(app, 'udp'), {
        scenario: digitCall(0, 1000),
        extra: ['-mp', String(await freeUdpBlock())],
      });
      assert.equal(r.code, 0, r.stderr);
      await sleep(300); // the relay's last batch of copied packets
      const stopped = await runCli(['monitor', 'capture', 'stop', '--admin', admin]);
      assert.equal(stopped.code, 0, stopped.stderr);
      const status = JSON.parse(stopped.stdout) as { running: boolean; packets: number; files: string[] };
      assert.equal(status.running, false);
      assert.deepEqual(status.files, [file]);

      const sip = tshark(file, 'sip', ['sip.Method', 'sip.Status-Code', 'udp.srcport', 'udp.dstport']);
      const sbc = boundPort(app, 'udp');
      const invites = sip.filter(([m]) => m === 'INVITE');
      assert.equal(invites.length, 2, 'the INVITE in from the caller and out to the callee');
      assert.ok(invites.some((p) => p[3] === String(sbc)) && invites.some((p) => p[3] === String(b.port)));
      for (const m of ['ACK', 'BYE']) assert.equal(sip.filter((p) => p[0] === m).length, 2, `${m} on both legs`);
      for (const code of ['100', '180', '200'])
        assert.ok(
          sip.some((p) => p[1] === code),
          `a ${code}`,
        );
      const rtp = tshark(file, 'rtp', ['rtp.ssrc', 'rtp.p_type'], ['-o', 'rtp.heuristic_rtp:TRUE']);
      assert.ok(rtp.length >= 20, `RTP decoded (${rtp.length} packets): the digit both ways and echoed`);
      assert.ok(
        rtp.some((p) => p[1] === '101'),
        'the RFC 2833 digit is there',
      );
    } finally {
      await app.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps only the newest files of a ring, and stops by itself after --duration', async () => {
    // more calls than come: a retransmitted INVITE under load must not end the callee before the third call
    const b = await callee({ calls: 100 });
    const adminPort = await freePort('tcp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-ring-'));
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
      capture: { directory: dir },
    });
    const admin = `http://127.0.0.1:${adminPort}`;
    try {
      // about 2 kB a file: a message or two each, so a few calls turn the ring many times
      const started = await runCli([
        'monitor',
        'capture',
        'start',
        '--file',
        'ring.pcap',
        '--ring',
        '3',
        '--size',
        '0.002',
        '--admin',
        admin,
      ]);
      assert.equal(started.code, 0, started.stderr);
      const calls = await caller(boundPort(app, 'udp'), { calls: 3, holdMs: 100 });
      assert.equal(calls.code, 0, `${calls.stdout.slice(-1500)}\n${calls.stderr.slice(-1500)}`);
      const stopped = JSON.parse((await runCli(['monitor', 'capture', 'stop', '--admin', admin])).stdout) as {
        files: string[];
        packets: number;
      };
      const onDisk = fs.readdirSync(dir).sort();
      assert.equal(onDisk.length, 3, `only the newest 3 files: ${onDisk.join(' ')}`);
      assert.deepEqual(
        onDisk.map((f) => path.join(dir, f)),
        stopped.files,
      );
      const numbers = onDisk.map((f) => Number(/_(\d+)\.pcap$/.exec(f)?.[1]));
      assert.ok((numbers[0] ?? 0) > 1, `older files were deleted (${numbers.join(',')})`);
      assert.deepEqual(numbers, [numbers[0], (numbers[0] ?? 0) + 1, (numbers[0] ?? 0) + 2]);
      for (const f of onDisk)
        assert.ok(tshark(path.join(dir, f), 'sip', ['sip.CSeq']).length >= 1, `${f} opens in tshark`);

      const timed = await runCli([
        'monitor',
        'capture',
        'start',
        '--file',
        'timed.pcap',
        '--duration',
        '0.5',
        '--admin',
        admin,
      ]);
      assert.equal(timed.code, 0, timed.stderr);
      const running = async (): Promise<boolean> =>
        (JSON.parse((await runCli(['monitor', 'capture', 'status', '--admin', admin])).stdout) as { running: boolean })
          .running;
      assert.ok(await eventually(async () => !(await running()), { everyMs: 200 }), 'the capture stopped by itself');
      const bad = await runCli(['monitor', 'capture', 'start', '--admin', admin]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /file: a file name is needed/);
      // the caller names a file, never where it goes
      for (const elsewhere of ['/tmp/evil.pcap', '../evil.pcap', 'sub/evil.pcap', '.hidden'])
        assert.match(
          (await runCli(['monitor', 'capture', 'start', '--file', elsewhere, '--admin', admin])).stderr,
          /file: a file name \(letters, digits, "\.", "_", "-"\), not a path: captures are written in capture\.directory/,
          elsewhere,
        );
      assert.ok(!fs.existsSync('/tmp/evil.pcap') && !fs.existsSync(path.join(dir, '..', 'evil.pcap')));
    } finally {
      await app.stop();
      b.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells the caller when the capture folder cannot be written, and leaves the running capture alone', async () => {
    const adminPort = await freePort('tcp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-nowrite-'));
    fs.writeFileSync(path.join(dir, 'not-a-folder'), '');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      capture: { directory: path.join(dir, 'not-a-folder', 'captures') },
    });
    const admin = `http://127.0.0.1:${adminPort}`;
    try {
      const r = await runCli(['monitor', 'capture', 'start', '--file', 'x.pcap', '--admin', admin]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /capture start: cannot write .*not-a-folder\/captures\/x\.pcap: ENOTDIR/);
      const status = await runCli(['monitor', 'capture', 'status', '--admin', admin]);
      assert.equal(status.stdout.trim(), 'null', 'no capture runs');
    } finally {
      await app.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
