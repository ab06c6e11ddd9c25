/**
 * Draining (`fosip drain`): new calls get 503 and OPTIONS 503 (readiness too) while the established calls
 * finish normally; the drain is over when they have ended, and a drain whose grace time runs out ends the
 * calls left with BYE.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { requestText } from '../helpers/messages.js';
import { UdpPeer, freePort } from '../helpers/net.js';
import { uacExpect } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

describe('draining', () => {
  it('gives new calls and OPTIONS 503 while the established calls finish, then is over', async () => {
    const b = await callee({ calls: 10 });
    const adminPort = await freePort('tcp');
    let drained = false;
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      onDrained: () => (drained = true),
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      // up through the drain command (a process of its own), a refused call and the checks, even on a loaded machine
      const established = caller(boundPort(app, 'udp'), { calls: 3, holdMs: 8000, extra: ['-r', '10'] });
      await eventually(() => app.callStore.list().filter((c) => c.state === 'connected').length >= 3, { everyMs: 100 });
      assert.equal(app.callStore.list().filter((c) => c.state === 'connected').length, 3, 'three calls are up');
      const cli = await runCli(['drain', '--admin', `http://127.0.0.1:${adminPort}`, '--grace', '30']);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /draining: new calls get 503; the node exits when its 3 calls in progress have ended/);
      const refused = await caller(boundPort(app, 'udp'), { scenario: uacExpect(503) });
      assert.equal(refused.code, 0, `a new call gets 503:\n${refused.messages.slice(-2000)}`);
      assert.match(refused.messages, /^Retry-After: 60/m);
      const peer = await UdpPeer.open();
      peer.send(
        requestText({ uri: 'sip:127.0.0.1', via: `SIP/2.0/UDP 127.0.0.1:${peer.port};rport` }),
        boundPort(app, 'udp'),
      );
      const [options] = await peer.waitFor(1, 2000);
      peer.close();
      assert.match(
        options?.toString('latin1') ?? '',
        /^SIP\/2\.0 503 /,
        'OPTIONS to the SBC get 503: load balancers move away',
      );
      const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(await ready.text(), /draining/);
      assert.equal(drained, false, 'not over while calls are up');
      const r = await established;
      assert.equal(r.code, 0, `the established calls finish normally:\n${r.stderr}`);
      await eventually(() => drained, { everyMs: 100 });
      assert.ok(drained, 'the drain is over once they have ended');
      assert.equal(app.security.admission.refused.draining, 1);
    } finally {
      await app.stop();
      b.kill();
    }
  });

  it('ends the calls still up when the grace time runs out', async () => {
    const b = await callee({ calls: 3 });
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const long = caller(boundPort(app, 'udp'), { holdMs: 30_000 });
      await eventually(() => app.callStore.list().filter((c) => c.state === 'connected').length >= 1, { everyMs: 100 });
      const result = await app.drain.start(500);
      assert.equal(result.cleared, 1);
      assert.equal(app.b2bua.callCount, 0);
      const r = await long;
      assert.match(r.messages, /^BYE sip:/m, 'the caller got BYE');
      const [cdr] = app.callStore.history(1);
      assert.equal(cdr?.releasedBy, 'sbc');
    } finally {
      await app.stop();
      b.kill();
    }
  });
});
