/** `show call flow <id>` with a real SIPp call: the ladder of a live call, then of the ended one. */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { callee, caller } from '../helpers/sipp-pair.js';

describe('show call flow', () => {
  it('draws the ladder of a live call and of the call once it ended, across caller, SBC and callee', async () => {
    const b = await callee();
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    const admin = `http://127.0.0.1:${adminPort}`;
    try {
      // up until well after the CLI (a process of its own) has read it, even on a loaded machine
      const call = caller(boundPort(app, 'udp'), { holdMs: 6000 });
      await eventually(() => app.callStore.list().some((c) => c.state === 'connected'));
      const id = app.callStore.list()[0]?.id ?? '';
      const live = await runCli(['show', 'call', 'flow', id, '--admin', admin]);
      assert.equal(live.code, 0, live.stderr);
      assert.match(live.stdout, new RegExp(`^Call ${id} .*\\(connected\\)`, 'm'));
      assert.match(live.stdout, /\| caller +\|.*\| SBC +\|.*\| callee +\|/);
      assert.equal((await call).code, 0);
      await eventually(() => app.b2bua.callCount === 0);
      // the callee's 200 to the BYE arrives after the call ended: it still goes on the ladder
      const byeAnswered = (): boolean =>
        (app.b2bua.wire.ladder(id)?.entries ?? []).filter(
          (e) => e.leg === 'b' && e.dir === 'in' && e.label.startsWith('200'),
        ).length >= 2;
      await eventually(() => byeAnswered());
      const ended = await runCli(['show', 'call', 'flow', id, '--admin', admin]);
      assert.equal(ended.code, 0, ended.stderr);
      const rows = ended.stdout.split('\n').filter((l) => /^ *\d+\.\d{3} /.test(l));
      const labels = rows.map((r) => {
        const [, a, b] = /\|(.{30})\|(.{30})\|/.exec(r) ?? [];
        const side = a?.trim() !== '' ? (a ?? '') : (b ?? '');
        const label = side.replace(/[<>-]/g, ' ').trim();
        return `${a?.trim() !== '' ? 'A' : 'B'}${side.trim().startsWith('<') ? '<' : '>'} ${label}`;
      });
      // the caller's side: INVITE in, 100 and 180 and 200 out, ACK in, BYE in, 200 out; the callee's: INVITE out ... 200 in
      for (const want of [
        'A> INVITE',
        'A< 100 Trying',
        'A< 180 Ringing',
        'A< 200 OK',
        'A> ACK',
        'A> BYE',
        'B> INVITE',
        'B< 180 Ringing',
        'B< 200 OK',
        'B> ACK',
        'B> BYE',
      ]) {
        assert.ok(labels.includes(want), `${want} in\n${ended.stdout}`);
      }
      assert.ok(
        labels.filter((l) => l === 'B< 200 OK').length >= 2,
        `the callee's 200 to the BYE is on the ladder\n${ended.stdout}`,
      );
      assert.match(ended.stdout, /\(ended, 16 normal call clearing\)/);
      const times = rows.map((r) => Number(r.trim().split(' ')[0]));
      assert.deepEqual(
        times,
        [...times].sort((x, y) => x - y),
        'in time order',
      );
      const missing = await runCli(['show', 'call', 'flow', 'nosuchcall', '--admin', admin]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr + missing.stdout, /No call nosuchcall/);
    } finally {
      await app.stop();
    }
  });
});
