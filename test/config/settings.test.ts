/** Global settings: precedence (flag > env > fosip.json > default) and complete, located errors. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../src/config/settings.js';
import { loadConfiguration } from '../../src/node/configuration.js';
import { SbcError } from '../../src/errors/sbc-error.js';

function dirWith(json: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-settings-'));
  if (json !== undefined)
    fs.writeFileSync(path.join(dir, 'fosip.json'), typeof json === 'string' ? json : JSON.stringify(json));
  return dir;
}

describe('settings', () => {
  it('has defaults that need no file', () => {
    const s = resolveSettings({ configDir: dirWith(undefined) }, {});
    assert.deepEqual(s.listen, ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060']);
    assert.equal(s.admin, null);
    assert.equal(s.logLevel, 'info');
  });

  it('takes flags over the environment over fosip.json', () => {
    const dir = dirWith({
      listen: ['udp:127.0.0.1:5001'],
      hostname: 'from-file',
      logLevel: 'warn',
      timers: { T1: 100 },
    });
    const fromFile = resolveSettings({ configDir: dir }, {});
    assert.deepEqual(fromFile.listen, ['udp:127.0.0.1:5001']);
    assert.equal(fromFile.hostname, 'from-file');
    assert.equal(fromFile.timers.T1, 100);
    const env = {
      FOSIP_LISTEN: 'udp:127.0.0.1:5002, tcp:[::1]:5002',
      FOSIP_HOSTNAME: 'from-env',
      FOSIP_CONFIG_DIR: dir,
    };
    const fromEnv = resolveSettings({}, env);
    assert.deepEqual(fromEnv.listen, ['udp:127.0.0.1:5002', 'tcp:[::1]:5002']);
    assert.equal(fromEnv.hostname, 'from-env');
    const fromFlags = resolveSettings(
      { listen: ['tcp:127.0.0.1:5003'], hostname: 'from-flag', logLevel: 'debug' },
      env,
    );
    assert.deepEqual(fromFlags.listen, ['tcp:127.0.0.1:5003']);
    assert.equal(fromFlags.hostname, 'from-flag');
    assert.equal(fromFlags.logLevel, 'debug');
  });

  it('reports every problem of fosip.json at once, with file and JSON pointer', () => {
    const dir = dirWith({
      listen: ['udp:127.0.0.1:5060', 'sctp:1.2.3.4:5060'],
      logLevel: 'loud',
      transport: { maxMessageBytes: 10 },
      bogus: 1,
    });
    assert.throws(
      () => resolveSettings({ configDir: dir }, {}),
      (e: unknown) => {
        assert.ok(e instanceof SbcError);
        assert.equal(e.code, 'SBC_ERR_CONFIG_INVALID');
        const where = e.problems.map((p) => p.pointer).sort();
        assert.deepEqual(where, ['', '/listen/1', '/logLevel', '/transport/maxMessageBytes']);
        assert.ok(e.problems.every((p) => p.file === path.join(dir, 'fosip.json')));
        assert.ok(e.problems.some((p) => p.message.includes('unknown setting "bogus"')));
        return true;
      },
    );
  });

  it('names a fosip.json that is not JSON', () => {
    assert.throws(
      () => resolveSettings({ configDir: dirWith('{ nope') }, {}),
      (e: unknown) => e instanceof SbcError && /not valid JSON/.test(e.problems[0]?.message ?? ''),
    );
  });

  it('takes the Redis URL from FOSIP_REDIS_URL or --redis, and refuses what is not a redis:// URL', () => {
    const dir = dirWith(undefined);
    assert.equal(resolveSettings({ configDir: dir }, {}).redis, null);
    assert.equal(
      resolveSettings({ configDir: dir }, { FOSIP_REDIS_URL: 'redis://127.0.0.1:6380/1' }).redis,
      'redis://127.0.0.1:6380/1',
    );
    assert.equal(
      resolveSettings(
        { configDir: dir, redis: 'redis://10.0.0.1:6379/0' },
        { FOSIP_REDIS_URL: 'redis://127.0.0.1:6380/1' },
      ).redis,
      'redis://10.0.0.1:6379/0',
    );
    assert.throws(
      () => resolveSettings({ configDir: dir, redis: 'http://x' }, {}),
      (e: unknown) => e instanceof SbcError && e.problems[0]?.pointer === '/redis',
    );
  });

  it('rejects a bad flag value', () => {
    assert.throws(
      () => resolveSettings({ configDir: dirWith(undefined), listen: ['udp:localhost:5060'] }, {}),
      (e: unknown) => e instanceof SbcError && e.problems[0]?.pointer === '/listen',
    );
  });

  it('checks sipUa: credentials need a password, a registrar a valid target and someone to register', () => {
    const bad = dirWith({ sipUa: { authentication: [{ username: 'u' }], registrar: [{ target: 'ipv4:300.1.1.1' }] } });
    assert.throws(
      () => resolveSettings({ configDir: bad }, {}),
      (e: unknown) => e instanceof SbcError && e.problems.some((p) => p.pointer === '/sipUa/authentication/0'),
    );
    const dir = dirWith({ sipUa: { registrar: [{ target: 'ipv4:300.1.1.1' }] } });
    assert.throws(
      () => loadConfiguration({ configDir: dir }, {}),
      (e: unknown) => {
        const pointers = e instanceof SbcError ? e.problems.map((p) => p.pointer) : [];
        return pointers.includes('/sipUa/registrar/0/target') && pointers.includes('/sipUa/credentials');
      },
    );
    const good = resolveSettings(
      {
        configDir: dirWith({
          sipUa: {
            credentials: [{ username: '+1555', password: 'p', realm: 'r' }],
            registrar: [{ target: 'dns:sip.example.net', expires: 600 }],
          },
        }),
      },
      {},
    );
    assert.equal(good.sipUa?.registrar?.[0]?.expires, 600);
  });

  it('takes tls.validateServerName as a boolean and names the field when it is not one', () => {
    const tls = { certFile: 'a.pem', keyFile: 'a.key' };
    const good = resolveSettings({ configDir: dirWith({ tls: { ...tls, validateServerName: true } }) }, {});
    assert.equal(good.tls?.validateServerName, true);
    assert.throws(
      () => resolveSettings({ configDir: dirWith({ tls: { ...tls, validateServerName: 'yes' } }) }, {}),
      (e: unknown) => e instanceof SbcError && e.problems.some((p) => p.pointer === '/tls/validateServerName'),
    );
  });

  it('takes tls.trustedClientNames only with verifyClient, which is what asks clients for a certificate', () => {
    const tls = { certFile: 'a.pem', keyFile: 'a.key', trustedClientNames: ['pbx.example.com'] };
    const good = resolveSettings({ configDir: dirWith({ tls: { ...tls, verifyClient: true } }) }, {});
    assert.deepEqual(good.tls?.trustedClientNames, ['pbx.example.com']);
    for (const bad of [tls, { ...tls, verifyClient: false }]) {
      assert.throws(
        () => resolveSettings({ configDir: dirWith({ tls: bad }) }, {}),
        (e: unknown) => e instanceof SbcError && e.problems.some((p) => p.pointer.startsWith('/tls')),
      );
    }
  });

  it('refuses an admin API on an address other than loopback without a token, and passes capture through', () => {
    const dir = dirWith({ capture: { directory: '/var/lib/fosip/captures' } });
    for (const admin of ['0.0.0.0:9090', '10.1.2.3:9090', '[::]:9090'])
      assert.throws(
        () => resolveSettings({ configDir: dir }, { FOSIP_ADMIN: admin }),
        (e: unknown) =>
          e instanceof SbcError &&
          e.problems.some((p) => p.pointer === '/adminTokenFile' && p.message.includes(`would listen on ${admin}`)),
        admin,
      );
    for (const admin of ['127.0.0.1:9090', '127.0.0.2:1', '[::1]:9090', 'localhost:9090'])
      assert.equal(resolveSettings({ configDir: dir }, { FOSIP_ADMIN: admin }).admin, admin);
    const withToken = resolveSettings(
      { configDir: dir },
      { FOSIP_ADMIN: '0.0.0.0:9090', FOSIP_ADMIN_TOKEN_FILE: 'a.token' },
    );
    assert.equal(withToken.adminTokenFile, 'a.token');
    assert.equal(withToken.capture?.directory, '/var/lib/fosip/captures');
    const mutualTls = dirWith({ admin: '0.0.0.0:9090', adminTls: true });
    assert.equal(resolveSettings({ configDir: mutualTls }, {}).adminTls, true);
  });
});
