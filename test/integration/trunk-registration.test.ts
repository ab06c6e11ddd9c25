/**
 * Trunk registration with SIPp registrars: one challenges with 401 and grants 3 s, so the registration is
 * made with credentials and refreshed before it runs out; one answers 503, so its line stays unregistered
 * and is retried with a growing backoff. `show sip-ua register status` shows both.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { freePort, sleep } from '../helpers/net.js';
import { registrarChallenges, registrarMinExpires, registrarUnavailable } from '../helpers/carrier-scenarios.js';
import { callee } from '../helpers/sipp-pair.js';

describe('trunk registration', () => {
  it('registers with a registrar that challenges with 401 and refreshes; retries one that answers 503 with backoff', async () => {
    const good = await callee({
      scenario: registrarChallenges('+15551230000', 'Reg-s3cret'),
      calls: 1,
      timeoutMs: 30_000,
    });
    const bad = await callee({ scenario: registrarUnavailable(), calls: 1, timeoutMs: 30_000 });
    const brief = await callee({ scenario: registrarMinExpires(), calls: 1, timeoutMs: 30_000 });
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      sipUa: {
        credentials: [{ username: '+15551230000', password: 'Reg-s3cret', realm: 'carrier.test' }],
        registrar: [
          { target: `ipv4:127.0.0.1:${good.port}`, expires: 60 },
          { target: `ipv4:127.0.0.1:${bad.port}`, expires: 60 },
          { target: `ipv4:127.0.0.1:${brief.port}`, expires: 60 },
        ],
        retrySeconds: 0.3,
      },
    });
    try {
      const result = await Promise.race([good.run, sleep(12_000).then(() => null)]);
      assert.ok(result !== null, 'the registrar saw a registration and its refresh');
      assert.equal(result.code, 0, `${result.stderr}\n${result.messages.slice(-4000)}`);
      assert.match(result.messages, /^REGISTER sip:127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*?^Expires: 60/m);
      assert.match(result.messages, /^Authorization: Digest username="\+15551230000", realm="carrier\.test"/m);
      const [registered, unavailable, lengthened] = app.registrationStatus();
      assert.equal((await brief.run).code, 0, 'after 423 the REGISTER asked for Min-Expires');
      assert.equal(lengthened?.registered, true);
      assert.ok(
        (lengthened?.expiresSeconds ?? 0) > 100,
        `registered for the 120 s granted: ${lengthened?.expiresSeconds}`,
      );
      assert.equal(registered?.registered, true);
      assert.equal(registered?.lastResult, '200 OK');
      assert.ok((registered?.expiresSeconds ?? 0) <= 3);
      assert.equal(unavailable?.registered, false);
      assert.equal(unavailable?.lastResult, '503 Service Unavailable');
      assert.ok((unavailable?.failures ?? 0) >= 2, `retried: ${unavailable?.failures}`);
      assert.ok(
        app.security.guard.report().sessionTargets.includes('127.0.0.1'),
        'a registrar is a trusted source (its calls come from it)',
      );
      const shown = await runCli(['show', 'sip-ua', 'register', 'status', '--admin', `http://127.0.0.1:${adminPort}`]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /^\+15551230000 +fosip-test +1 ipv4:127\.0\.0\.1:\d+ +[0-3] +yes +200 OK$/m);
      assert.match(
        shown.stdout,
        /^\+15551230000 +fosip-test +2 ipv4:127\.0\.0\.1:\d+ +0 +no +503 Service Unavailable \(\d+ failed\)$/m,
      );
    } finally {
      await app.stop();
      good.kill();
      bad.kill();
      brief.kill();
    }
    const badRun = await bad.run;
    const times = [
      ...badRun.messages.matchAll(/^-+ \S+ (\d+):(\d+):([\d.]+)\nUDP message received[^\n]*\n\nREGISTER /gm),
    ].map((m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    assert.ok(gaps.length >= 2, `REGISTERs at ${times.join(', ')}`);
    // 0.3 s, then 0.6 s: growing even when a loaded machine delays the timers a little
    assert.ok(
      (gaps[1] as number) > (gaps[0] as number),
      `the backoff grows: ${gaps.map((g) => g.toFixed(2)).join(', ')} s`,
    );
  });
});
