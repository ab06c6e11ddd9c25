/**
 * The admin API behind bearer tokens (issue 19): every route of the router refuses a request without the
 * right token, a read token may show but not change, the CLI and the shell send the token, /metrics can be
 * put behind it, mutual TLS refuses a client without a certificate, and a node that would listen on a
 * non-loopback address with no token does not start.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { API_ENDPOINTS } from '../../src/node/admin-api.js';
import type { SbcNode } from '../../src/node/node.js';
import { type TestAppOptions, startTestApp } from '../helpers/app.js';
import { certificate } from '../helpers/certificates.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { repoRoot } from '../helpers/paths.js';

const OPERATE = 'operate-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';

function tokenFiles(): { dir: string; operate: string; read: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-admin-'));
  const operate = path.join(dir, 'admin.token');
  const read = path.join(dir, 'read.token');
  fs.writeFileSync(operate, `${OPERATE}\n`, { mode: 0o600 });
  fs.writeFileSync(read, READ, { mode: 0o600 });
  return { dir, operate, read };
}

async function ask(base: string, method: string, route: string, token?: string): Promise<Response> {
  return fetch(new URL(route, base), {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
}

/** A node whose admin API has both tokens. */
async function guardedNode(extra: TestAppOptions = {}): Promise<{ app: SbcNode; base: string }> {
  const files = tokenFiles();
  const adminPort = await freePort('tcp');
  const app = await startTestApp({
    admin: `127.0.0.1:${adminPort}`,
    adminTokenFile: files.operate,
    adminReadTokenFile: files.read,
    ...extra,
  });
  return { app, base: `http://127.0.0.1:${adminPort}` };
}

describe('admin API authentication', () => {
  it('answers 401 to every route without the right token, and 403 to a read token that would change the node', async () => {
    const { app, base } = await guardedNode();
    try {
      assert.ok(API_ENDPOINTS.length >= 15, `the router has its routes (${API_ENDPOINTS.length})`);
      assert.ok(API_ENDPOINTS.some((e) => e.scope === 'operate') && API_ENDPOINTS.some((e) => e.scope === 'read'));
      for (const e of API_ENDPOINTS) {
        const none = await ask(base, e.method, e.path);
        assert.equal(none.status, 401, `${e.method} ${e.path} without a token`);
        assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.equal((await ask(base, e.method, e.path, 'wrong-token-0123456789')).status, 401, `${e.path} wrong`);
        assert.equal((await ask(base, e.method, e.path, `${OPERATE}x`)).status, 401, `${e.path} one char more`);
        const read = await ask(base, e.method, e.path, READ);
        if (e.scope === 'operate') assert.equal(read.status, 403, `${e.method} ${e.path} with the read token`);
        else {
          assert.notEqual(read.status, 401, `${e.path} read token`);
          assert.notEqual(read.status, 403, `${e.path} read token`);
          await read.body?.cancel();
        }
      }
      // the operate token changes the node (drain and reload left out: they would end this test's node)
      assert.equal((await ask(base, 'POST', '/api/stats/clear', OPERATE)).status, 200);
      assert.equal((await ask(base, 'GET', '/api/status', OPERATE)).status, 200);
      // an unknown path says nothing to a caller without a token; health, readiness and metrics stay open
      assert.equal((await ask(base, 'GET', '/api/nothing-here')).status, 401);
      assert.equal((await ask(base, 'GET', '/api/nothing-here', READ)).status, 404);
      assert.equal((await ask(base, 'GET', '/health')).status, 401);
      for (const open of ['/healthz', '/readyz', '/metrics'])
        assert.equal((await ask(base, 'GET', open)).status, 200, open);
    } finally {
      await app.stop();
    }
  });

  it('takes the token from the CLI (FOSIP_ADMIN_TOKEN or --token-file) and the shell, and says why without it', async () => {
    const files = tokenFiles();
    const adminPort = await freePort('tcp');
    const app = await startTestApp({ admin: `127.0.0.1:${adminPort}`, adminTokenFile: files.operate });
    const admin = ['--admin', `http://127.0.0.1:${adminPort}`];
    try {
      const refused = await runCli(['show', 'call', 'active', 'voice', 'brief', ...admin]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /HTTP 401: the node wants its admin token \(FOSIP_ADMIN_TOKEN or --token-file\)/);
      const byEnv = await runCli(['show', 'sip-ua', 'statistics', ...admin], { env: { FOSIP_ADMIN_TOKEN: OPERATE } });
      assert.equal(byEnv.code, 0, byEnv.stderr);
      assert.match(byEnv.stdout, /SIP Response Statistics/);
      const version = await runCli(['show', 'version', ...admin], { env: { FOSIP_ADMIN_TOKEN: OPERATE } });
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /^fosip-test uptime is \d+ \w+.*, FoSIP Version \d+\.\d+\.\d+$/m, 'from the node');
      const byFile = await runCli(['clear', 'sip-ua', 'statistics', ...admin, '--token-file', files.operate]);
      assert.equal(byFile.code, 0, byFile.stderr);
      const wrongFile = await runCli(['reload', ...admin, '--token-file', files.read]);
      assert.equal(wrongFile.code, 1);
      assert.match(wrongFile.stderr, /HTTP 401/);
      const shell = await runCli(['shell', ...admin, '--token-file', files.operate, '--hostname', 'edge'], {
        input: 'show sip-ua statistics\n',
      });
      assert.equal(shell.code, 0, shell.stderr);
      assert.match(shell.stdout, /SIP Response Statistics/);
      const capture = await runCli(['monitor', 'capture', 'status', ...admin], { env: { FOSIP_ADMIN_TOKEN: OPERATE } });
      assert.equal(capture.code, 0, capture.stderr);
    } finally {
      await app.stop();
    }
  });

  it('puts /metrics behind the token with adminMetricsToken', async () => {
    const { app, base } = await guardedNode({ adminMetricsToken: true });
    try {
      assert.equal((await ask(base, 'GET', '/metrics')).status, 401);
      const scraped = await ask(base, 'GET', '/metrics', READ);
      assert.equal(scraped.status, 200);
      assert.match(await scraped.text(), /^sbc_/m);
    } finally {
      await app.stop();
    }
  });

  it('with adminTls takes only clients whose certificate chains to tls.caFile', async () => {
    const files = tokenFiles();
    const node = certificate(files.dir, 'node');
    const client = certificate(files.dir, 'operator', 'DNS:operator');
    const stranger = certificate(files.dir, 'stranger', 'DNS:stranger');
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      adminTokenFile: files.operate,
      adminTls: true,
      tls: { ...node, caFile: client.certFile },
    });
    const get = (cert?: { certFile: string; keyFile: string }): Promise<number | string> =>
      new Promise((resolve) => {
        const req = https.get(
          {
            host: '127.0.0.1',
            port: adminPort,
            path: '/healthz',
            ca: fs.readFileSync(node.certFile),
            ...(cert ? { cert: fs.readFileSync(cert.certFile), key: fs.readFileSync(cert.keyFile) } : {}),
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
    try {
      assert.equal(await get(client), 200);
      assert.notEqual(await get(), 200, 'no client certificate');
      assert.notEqual(await get(stranger), 200, 'a certificate of another CA');
      const cli = await runCli(['show', 'sip-ua', 'statistics', '--admin', `https://127.0.0.1:${adminPort}`], {
        env: {
          FOSIP_ADMIN_TOKEN: OPERATE,
          FOSIP_ADMIN_CERT: client.certFile,
          FOSIP_ADMIN_KEY: client.keyFile,
          FOSIP_ADMIN_CA: node.certFile,
        },
      });
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /SIP Response Statistics/);
    } finally {
      await app.stop();
    }
  });

  it('refuses to start with an admin listener on a non-loopback address and no token', async () => {
    // 192.0.2.1 (TEST-NET-1) cannot be bound here: were the check gone, the start would still fail, with another message
    const r = await runCli([
      'start',
      '--config-dir',
      repoRoot,
      '--listen',
      'udp:127.0.0.1:0',
      '--admin',
      '192.0.2.1:9090',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /adminTokenFile: the admin API would listen on 192\.0\.2\.1:9090, which is not a loopback/);
    const files = tokenFiles();
    const short = path.join(files.dir, 'short.token');
    fs.writeFileSync(short, 'abc');
    const weak = await runCli(
      ['start', '--config-dir', repoRoot, '--listen', 'udp:127.0.0.1:0', '--admin', '127.0.0.1:0'],
      {
        env: { FOSIP_ADMIN_TOKEN_FILE: short },
      },
    );
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /short\.token#\/adminTokenFile: the token must be one word of at least 16 characters/);
  });
});
