/**
 * Digest authentication toward a carrier (SIPp): a 407 to the outbound INVITE and a 401 to the BYE are
 * answered with the dial-peer's credentials and the call connects; wrong credentials get one retry, never
 * a loop, and the caller the mapped failure; the password is never logged.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { recordingLog } from '../helpers/log.js';
import { uasChallenges, uasChallengesForever } from '../helpers/carrier-scenarios.js';
import { uacExpect } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

describe('digest authentication to a carrier', () => {
  it('answers a 407 to the INVITE and a 401 to the BYE with the dial-peer credentials; the call connects', async () => {
    const b = await callee({ scenario: uasChallenges('fosip', 'Trunk-s3cret'), calls: 1 });
    const log = recordingLog('debug');
    const app = await startTestApp({
      log: log.log,
      dialPeers: [
        {
          tag: 1,
          destinationPattern: '2...',
          sessionTarget: `ipv4:127.0.0.1:${b.port}`,
          authentication: { username: 'fosip', password: 'Trunk-s3cret', realm: 'carrier.test' },
        },
      ],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), { holdMs: 300 });
      if (r.code !== 0) b.kill();
      assert.equal(r.code, 0, `${r.stderr}\ncarrier:\n${r.code === 0 ? '' : (await b.run).messages.slice(-5000)}`);
      const done = await Promise.race([b.run, new Promise<null>((res) => setTimeout(() => res(null), 5000))]);
      assert.ok(done !== null, 'the carrier saw its scenario through (a verified BYE)');
      assert.equal(done.code, 0, `carrier: ${done.stderr}\n${done.messages.slice(-4000)}`);
      // SIPp checks the BYE's Authorization itself; the INVITE's Proxy-Authorization is recomputed here (RFC 2617 §3.2.2)
      const pa = /^INVITE (\S+) SIP\/2\.0[\s\S]*?^Proxy-Authorization: (.*)$/m.exec(done.messages);
      assert.ok(pa, 'the second INVITE carried Proxy-Authorization');
      const p = new Map([...(pa[2] as string).matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]));
      const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
      const ha1 = md5('fosip:carrier.test:Trunk-s3cret');
      const ha2 = md5(`INVITE:${pa[1] as string}`);
      assert.equal(p.get('uri'), pa[1]);
      assert.equal(
        p.get('response'),
        md5(`${ha1}:${p.get('nonce') ?? ''}:${p.get('nc') ?? ''}:${p.get('cnonce') ?? ''}:auth:${ha2}`),
      );
      assert.match(
        done.messages,
        /^BYE [\s\S]*^SIP\/2\.0 200 OK[\s\S]*CSeq: \d+ BYE/m,
        'the BYE with credentials got 200',
      );
      assert.match(log.lines.join('\n'), /call detail record/, 'the log was recorded (debug and up)');
      assert.doesNotMatch(log.lines.join('\n'), /Trunk-s3cret/, 'the password is never logged');
    } finally {
      await app.stop();
      b.kill();
    }
  });

  it('global credentials answer too; a carrier that keeps challenging gets one retry and the caller 503', async () => {
    const b = await callee({ scenario: uasChallengesForever(), calls: 1 });
    const app = await startTestApp({
      sipUa: { authentication: [{ username: 'fosip', password: 'wrong' }] },
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), { scenario: uacExpect(503) });
      assert.equal(r.code, 0, `${r.stderr}\n${r.messages.slice(-3000)}`);
      const done = await b.run;
      const invites = done.messages.match(/^INVITE sip:/gm) ?? [];
      assert.equal(
        invites.length,
        2,
        `the first INVITE and one retry with credentials, no loop:\n${done.messages.slice(-3000)}`,
      );
      assert.match(done.messages, /Proxy-Authorization: Digest username="fosip", realm="carrier.test"/);
    } finally {
      await app.stop();
      b.kill();
    }
  });
});
