/**
 * `fosip import ios` on a realistic CUBE running-config (test/fixtures/ios): the result (with the trusted
 * list and sip-ua in fosip.json) passes `fosip check-config`, and a SIPp call from the PBX routes as the IOS config says (uri class via the PBX,
 * translation 9 + 10 digits to +1 + 10 digits, the carrier dial-peer, its SIP profile on the way out).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SbcNode } from '../../src/node/node.js';
import { loadConfiguration } from '../../src/node/configuration.js';
import { boundPort } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { silentLog } from '../helpers/log.js';
import { repoRoot } from '../helpers/paths.js';
import { callee, caller } from '../helpers/sipp-pair.js';

describe('IOS import', () => {
  it('imports the running-config fixture into a configuration check-config accepts, and a SIPp call routes as IOS says', async () => {
    const b = await callee({ calls: 3 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-ios-'));
    const config = path.join(dir, 'running-config.txt');
    // the carrier dial-peer's target is the SIPp callee of this run
    fs.writeFileSync(
      config,
      fs
        .readFileSync(path.join(repoRoot, 'test', 'fixtures', 'ios', 'running-config.txt'), 'utf8')
        .replace('CARRIER_PORT', String(b.port)),
    );
    const out = path.join(dir, 'conf');
    // a fosip.json already there keeps its other settings
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'fosip.json'), JSON.stringify({ hostname: 'edge-x' }));
    const imported = await runCli(['import', 'ios', config, '--out', out]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(
      imported.stdout,
      /^fosip\.json: trustedList \(1 block\(s\)\), sipUa \(1 credential\(s\), 0 authentication, 1 registrar\(s\)\)$/m,
    );
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'fosip.json'), 'utf8')), {
      hostname: 'edge-x',
      trustedList: ['10.20.0.0/16'],
      sipUa: {
        credentials: [{ username: '+15551230000', password: 'cisco', realm: 'carrier.example' }],
        registrar: [{ target: 'dns:sbc.carrier.example', expires: 3600 }],
      },
    });
    assert.match(
      imported.stdout,
      /running-config\.txt:\d+: bind control source-interface GigabitEthernet0\/0\/1\n {4}not imported/,
    );
    assert.match(
      imported.stdout,
      /imported 5 dial-peers, 2 codec classes, 2 uri classes, 1 sip-profiles, 1 sip-options-keepalive classes, 2 translation-rules, 2 translation-profiles/,
    );
    assert.match(
      imported.stdout,
      /running-config\.txt:\d+: dtmf-relay rtp-nte sip-notify\n {4}dtmf-relay sip-notify is not supported/,
    );
    assert.match(imported.stdout, /running-config\.txt:\d+: dial-peer voice 1 pots\n/);
    assert.match(imported.stdout, /running-config\.txt:\d+: fax protocol t38/);
    const checked = await runCli(['check-config', '--config-dir', out]);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /is valid: 5 dial-peers/);

    // the call below: the SIPp caller on loopback is trusted, and no registrar is tried
    fs.writeFileSync(path.join(out, 'fosip.json'), JSON.stringify({ trustedList: ['127.0.0.0/8'] }));
    const loaded = loadConfiguration({ configDir: out, listen: ['udp:127.0.0.1:0', 'tcp:127.0.0.1:0'] }, {});
    const app = await SbcNode.start(loaded.settings, { config: loaded, log: silentLog });
    try {
      const r = await caller(boundPort(app, 'udp'), { called: '95552345678', holdMs: 200 });
      assert.equal(r.code, 0, `${r.stderr}\n${r.messages.slice(-2000)}`);
      const [cdr] = app.callStore.history(1);
      assert.equal(cdr?.inboundDialPeer, 100, 'matched on the PBX uri class (via)');
      assert.equal(cdr?.outboundDialPeer, 200, 'the primary carrier dial-peer');
      assert.equal(cdr?.calledNumber, '+15552345678', 'translation-profile FROM-PBX');
      b.kill();
      const carrier = await b.run;
      assert.match(carrier.messages, /^INVITE sip:\+15552345678@127\.0\.0\.1:\d+ SIP\/2\.0/m);
      assert.match(carrier.messages, /^X-Customer: acme/m, 'voice class sip-profiles 2 on the way out');
    } finally {
      await app.stop();
      b.kill();
    }
  });
});
