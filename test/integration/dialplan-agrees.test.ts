/**
 * The README's first call, run as written, then `show dialplan number` against real calls on the example
 * configuration (fosip.json, dialpeers/, profiles/
 * as shipped; only the carrier keepalive is shortened to one-second pings so that a dead trunk is busied out
 * within the test): a call from the PBX that is routed, one hunted past a busied-out carrier trunk, one
 * rejected by the incoming translation. Each goes where the simulation said. The first, while it is up, is
 * read back through the call views: per-leg ids, the numbers as dialled and as sent, codec, media addresses.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { DialplanReport } from '../../src/cli/show-dialplan.js';
import type { ViewCdr } from '../../src/state/node-reports.js';
import { runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';
import { exampleNode } from '../helpers/fosip-process.js';
import { freePort } from '../helpers/net.js';
import { repoRoot } from '../helpers/paths.js';
import { uacExpect, uasTrunk } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { spawn } from 'node:child_process';

/** The example configuration in a folder of its own, its carrier keepalive pinging every second. */
function exampleWithFastKeepalive(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-example-'));
  fs.copyFileSync(path.join(repoRoot, 'fosip.json'), path.join(dir, 'fosip.json'));
  fs.cpSync(path.join(repoRoot, 'dialpeers'), path.join(dir, 'dialpeers'), { recursive: true });
  fs.cpSync(path.join(repoRoot, 'profiles'), path.join(dir, 'profiles'), { recursive: true });
  const file = path.join(dir, 'profiles', 'keepalive-carrier.json');
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...profile, upInterval: 1, downInterval: 1, retry: 1 }));
  return dir;
}

const verdicts = (r: DialplanReport): Array<[number, string]> => r.outbound.map((o) => [o.tag, o.verdict]);
const firstTried = (r: DialplanReport): number | undefined => r.outbound.find((o) => o.verdict === 'would try')?.tag;

/** The commands of each `sh` block of the README's "Your first call", comments taken off. */
function firstCallCommands(): string[][] {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Your first call'), readme.indexOf('## Configuration reference'));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    (m[1] ?? '')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l !== ''),
  );
}

/** A long-running command of the README, in the background; its output kept for a failing test to show. */
function background(words: string[]): { output: () => string; stop: () => Promise<void> } {
  const [bin = '', ...args] = words;
  const child = spawn(bin, args, { cwd: repoRoot });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return {
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('show dialplan number on the example configuration', () => {
  it("the README's first call works as written", async () => {
    const [terminals, after] = firstCallCommands();
    assert.deepEqual(terminals?.[0], 'npm start');
    const start = (
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start;
    const [, carrierLine = '', pbxLine = ''] = terminals ?? [];
    assert.match(carrierLine, /^sipp -sn uas /);
    assert.match(pbxLine, /^sipp -sn uac /);
    const sbc = background(start.split(' '));
    // -nostdin: no terminal here; the rest exactly as the README says
    const carrier = background([...carrierLine.split(' '), '-nostdin']);
    try {
      assert.ok(await eventually(() => sbc.output().includes('fosip started')), sbc.output());
      const pbx = await new Promise<number | null>((resolve) => {
        const [bin = '', ...args] = [...pbxLine.split(' '), '-nostdin', '-timeout', '30s'];
        spawn(bin, args, { cwd: repoRoot }).on('close', resolve);
      });
      assert.equal(pbx, 0, 'the PBX call completed');
      const cli = async (line: string, input?: string): Promise<string> => {
        assert.match(line, /^npx fosip /);
        const r = await runCli(line.split(' ').slice(2), input === undefined ? {} : { input });
        assert.equal(r.code, 0, `${line}: ${r.stderr}`);
        return r.stdout;
      };
      const [historyLine = '', flowLine = '', dialplanLine = '', shellLine = ''] = after ?? [];
      const history = await cli(historyLine);
      const id = /^([0-9a-f]{16}) .* 100\/200 .* 16 /m.exec(history)?.[1];
      assert.ok(id !== undefined, `the call, peers 100/200, cause 16:\n${history}`);
      assert.match(await cli(flowLine.replace('<id from the line above>', id)), /INVITE/);
      const dialplan = await cli(dialplanLine);
      assert.match(dialplan, /^Inbound dial-peer: 100 /m);
      assert.match(dialplan, /^1 +200 .* would try$/m);
      assert.match(await cli(shellLine, 'show call history voice brief\nexit\n'), new RegExp(id));
    } finally {
      await carrier.stop();
      await sbc.stop();
    }
  });

  it('agrees with real calls: routed, hunted past a busied-out trunk, rejected; the call views tell the call', async () => {
    const dir = exampleWithFastKeepalive();
    // the example's carrier trunks: dial-peer 200 on UDP 5080, its backup 201 on TCP 5081
    const carrier = await callee({ port: 5080, scenario: uasTrunk(), calls: 100_000, trace: false });
    const backup = await callee({ port: 5081, transport: 'tcp', scenario: uasTrunk(), calls: 100_000, trace: false });
    const node = await exampleNode(['--listen', `tcp:127.0.0.1:${await freePort('tcp')}`], dir);
    const cli = async (...words: string[]): Promise<string> => {
      const r = await runCli([...words, '--admin', node.admin]);
      assert.equal(r.code, 0, `${words.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    // as the PBX calls: from 127.0.0.1 (voice class uri pbx), its user sipp (SIPp's From)
    const plan = async (called: string): Promise<DialplanReport> =>
      JSON.parse(
        await cli('show', 'dialplan', 'number', called, '--from-address', '127.0.0.1', '--calling', 'sipp', '--json'),
      ) as DialplanReport;
    const lastCall = async (): Promise<ViewCdr> => {
      const [cdr] = JSON.parse(await cli('show', 'call', 'history', 'voice', 'brief', '--json')) as ViewCdr[];
      assert.ok(cdr !== undefined, 'a call in the history');
      return cdr;
    };
    const summaryRow = async (tag: number): Promise<string> =>
      new RegExp(`^${tag} .*$`, 'm').exec(await cli('show', 'dial-peer', 'voice', 'summary'))?.[0] ?? '';
    try {
      assert.ok(
        await eventually(
          async () => / up +active /.test(await summaryRow(200)) && / up +active /.test(await summaryRow(201)),
          {
            ms: 20_000,
          },
        ),
        'both carrier trunks answer the keepalive',
      );

      // 1. routed: dial-peer 100 (PBX), 9 + 10 digits translated to +1, out through 200
      const routed = await plan('92125551234');
      assert.equal(routed.inbound.tag, 100);
      assert.equal(routed.translated.called, '+12125551234');
      assert.deepEqual(verdicts(routed), [
        [200, 'would try'],
        [201, 'would try'],
      ]);
      const talking = caller(node.sipPort, { called: '92125551234', holdMs: 4000 });
      let compact = '';
      assert.ok(
        await eventually(async () => {
          compact = await cli('show', 'call', 'active', 'voice', 'compact');
          return / ORG +T\d+ +g711ulaw /.test(compact);
        }),
        `the answered call in show call active voice compact:\n${compact}`,
      );
      const id = /^([0-9a-f]{16})-A /m.exec(compact)?.[1] ?? '';
      assert.match(
        compact,
        new RegExp(`^${id}-A +\\S+ +ANS +T\\d+ +g711ulaw +VOIP +Psipp +R127\\.0\\.0\\.1:\\d+$`, 'm'),
      );
      assert.match(
        compact,
        new RegExp(`^${id}-B +\\S+ +ORG +T\\d+ +g711ulaw +VOIP +P\\+12125551234 +R127\\.0\\.0\\.1:\\d+$`, 'm'),
      );
      const brief = await cli('show', 'call', 'active', 'voice', 'brief');
      assert.match(
        brief,
        new RegExp(
          `^${id}-A .* pid:100 Answer sipp active\\n.* dstCallId ${id}-B\\n  IP 127\\.0\\.0\\.1:\\d+ SRTP: off g711ulaw 20ms\\n  calling sipp dialled 92125551234$`,
          'm',
        ),
      );
      assert.match(
        brief,
        new RegExp(
          `^${id}-B .* pid:200 Originate \\+12125551234 active\\n.* dstCallId ${id}-A\\n  IP 127\\.0\\.0\\.1:\\d+ SRTP: off g711ulaw 20ms\\n  calling sipp called \\+12125551234$`,
          'm',
        ),
      );
      const sipUa = await cli('show', 'sip-ua', 'calls');
      assert.match(sipUa, /Negotiated Codec +: g711ulaw 20ms\n +Negotiated PT +: 0/);
      assert.match(sipUa, /Remote Media Addr:Port +: 127\.0\.0\.1:\d+/);
      assert.equal((await talking).code, 0);
      const first = await lastCall();
      assert.equal(first.id, id);
      assert.equal(first.inboundDialPeer, routed.inbound.tag);
      assert.equal(first.outboundDialPeer, firstTried(routed));
      assert.equal(first.calledNumber, routed.translated.called);
      assert.equal(first.aLeg.calledNumber, '92125551234', 'the number as dialled is kept');
      assert.deepEqual(first.codec, { name: 'g711ulaw', payloadType: 0, ptimeMs: 20, media: 'audio' });
      const history = await cli('show', 'call', 'history', 'voice', 'brief');
      assert.match(
        history,
        new RegExp(`^${id} +\\S+ +[0-9:]+ +sipp +92125551234 +\\+12125551234 +g711ulaw +100/200 `, 'm'),
      );
      assert.match(await cli('show', 'call', 'flow', `${id}-B`), /INVITE/, 'a leg id leads to the call flow');

      // 2. hunted past a busyout: the carrier stops answering, keepalive busies 200 out
      carrier.kill();
      await carrier.run;
      assert.ok(
        await eventually(async () => / busy +busyout /.test(await summaryRow(200)), { ms: 20_000 }),
        'dial-peer 200 busied out',
      );
      const hunted = await plan('92125551234');
      assert.deepEqual(verdicts(hunted), [
        [200, 'skipped: busied out (OPTIONS keepalive)'],
        [201, 'would try'],
      ]);
      assert.equal((await caller(node.sipPort, { called: '92125551234', holdMs: 200 })).code, 0);
      const second = await lastCall();
      assert.notEqual(second.id, id);
      assert.equal(second.outboundDialPeer, firstTried(hunted), 'out through the backup trunk');

      // 3. rejected: 1900 numbers are blocked by the PBX's incoming translation
      const rejected = await plan('19005551234');
      assert.equal(rejected.blocked?.status, 403);
      assert.deepEqual(rejected.outbound, []);
      const refused = await caller(node.sipPort, { called: '19005551234', scenario: uacExpect(403) });
      assert.equal(refused.code, 0, refused.stderr);
      const third = await lastCall();
      assert.equal(third.finalStatus, rejected.blocked?.status);
      assert.equal(third.inboundDialPeer, rejected.inbound.tag);
      assert.equal(third.outboundDialPeer, null);
    } finally {
      await node.stop();
      carrier.kill();
      backup.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
