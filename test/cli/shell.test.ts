/**
 * `fosip shell` against a node running on the in-memory state (over its admin API), with a live SIPp call:
 * once through a pseudo-terminal as an operator types (abbreviations, `?`, Tab, `| include`, history,
 * `--More--`), once with commands piped in as a script.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freePort } from '../helpers/net.js';
import { repoRoot } from '../helpers/paths.js';
import { PtySession } from '../helpers/pty.js';
import { callee, caller } from '../helpers/sipp-pair.js';

const bin = path.join(repoRoot, 'bin', 'fosip.js');

function pipeShell(args: string[], input: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'shell', ...args]);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end(input);
  });
}

describe('fosip shell', () => {
  it('shows the live call of an in-memory node through a terminal and through stdin', async () => {
    const b = await callee();
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      dialPeers: [
        { tag: 7, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` },
        // more dial-peers than a page of three lines holds (`term len 3`: --More--)
        ...[3, 4, 5, 6].map((n) => ({ tag: 10 + n, destinationPattern: `${n}...`, sessionTarget: 'ipv4:127.0.0.1:9' })),
      ],
      admin: `127.0.0.1:${adminPort}`,
      hostname: 'edge1',
    });
    const admin = `http://127.0.0.1:${adminPort}`;
    let pty: PtySession | undefined;
    try {
      // up through the whole session: two shell processes, a dozen keystrokes (seconds each on a loaded machine)
      const call = caller(boundPort(app, 'udp'), { holdMs: 15_000 });
      await eventually(() => app.callStore.list()[0]?.state === 'connected');
      const [live] = app.callStore.list();
      assert.ok(live, 'the call is up');

      pty = PtySession.start([process.execPath, bin, 'shell', '--admin', admin]);
      let at = await pty.waitFor(/edge1#/);
      pty.type('sh cu ?');
      at = await pty.waitFor(/calls +The SIP legs of every active call\n +status +Version[^\n]*\n/, at);
      at = await pty.waitFor(/edge1#sh cu $/m, at);
      pty.type('ca | i 2001\r');
      at = await pty.waitFor(/ca \| i 2001\n(.*2001.*\n)+edge1#/, at);
      assert.ok(pty.screen.slice(0, at).includes(`${live.id}-A`), 'the UAS leg row is shown, by its leg id');
      pty.type('show cube ca\t');
      at = await pty.waitFor(/edge1#show cube calls $/m, at);
      pty.type('\x15sh cube bogus\r');
      at = await pty.waitFor(/\n {14}\^\n% Invalid input detected at '\^' marker\.\n/, at);
      pty.type('sh c\r');
      at = await pty.waitFor(/% Ambiguous command: {2}"sh c"/, at);
      pty.type('term len 3\rsh dial-p vo summ\r');
      at = await pty.waitFor(/dial-peer hunt 0\nTAG[^\n]*\n --More-- $/, at);
      pty.type(' ');
      at = await pty.waitFor(/ --More-- $/, at);
      pty.type('q');
      at = await pty.waitFor(/edge1#$/, at);
      pty.type('\x1b[A\x1b[A\r'); // history: two commands back is `term len 3`... then Enter runs it
      at = await pty.waitFor(/edge1#term len 3\n/, at);
      pty.type('exit\r');
      assert.equal(await pty.close(), 0);

      const piped = await pipeShell(
        ['--admin', admin],
        'terminal length 0\nshow call active voice brief | include Originate\nsh cu stat\nexit\n',
      );
      assert.equal(piped.code, 0);
      assert.match(
        piped.stdout,
        /^edge1#terminal length 0\nedge1#show call active voice brief \| include Originate\n.*Originate 2001 active\nedge1#sh cu stat\n/,
      );
      assert.match(piped.stdout, /edge1 +up +1 /);
      assert.equal((await call).code, 0);
      await b.run;
    } finally {
      pty?.kill();
      await app.stop();
    }
  });
});
