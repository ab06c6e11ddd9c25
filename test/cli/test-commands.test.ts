/** `fosip test ...` on the example configuration, and check-config on broken rewriting classes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { realPeerMessage } from '../helpers/corpus.js';

const bin = path.join(repoRoot, 'bin', 'fosip.js');
const fosip = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('fosip test', () => {
  it('translation-rule prints the rule that matched and the number, a block, or no match', () => {
    const hit = fosip('test', 'translation-rule', '1', '95551234567', '--config-dir', repoRoot);
    assert.equal(hit.status, 0, hit.stderr);
    assert.equal(hit.stdout, 'Matched with rule 1\nOriginal number: 95551234567\tTranslated number: +15551234567\n');
    assert.match(
      fosip('test', 'translation-rule', '1', '19005550000', '--config-dir', repoRoot).stdout,
      /blocked on rule 2 \(disconnect cause call-reject\)/,
    );
    assert.match(
      fosip('test', 'translation-rule', '1', '123', '--config-dir', repoRoot).stdout,
      /Didn't match with any of rules/,
    );
    const missing = fosip('test', 'translation-rule', '42', '1', '--config-dir', repoRoot);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no translation-rule 42/);
  });

  it('translation-profile prints each number before and after', () => {
    const r = fosip(
      'test',
      'translation-profile',
      'to-carrier',
      '--called',
      '95551234567',
      '--calling',
      '1001',
      '--config-dir',
      repoRoot,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      'called: 95551234567 (unchanged)\ncalling: 1001 -> +15551231001 (translation-rule 3 rule 1)\n',
    );
  });

  it('sip-profile prints the rules that applied, the variables and the message as it would leave', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-spt-'));
    const file = path.join(dir, 'invite.sip');
    const text = realPeerMessage('cucm-invite-delayed-offer.sip')
      .toString('latin1')
      .replace('User-Agent: Cisco-CUCM14.0', 'User-Agent: Cisco-SIPGateway/IOS-17.6.1')
      .replace('From: <sip:192.168.80.100>', 'From: <sip:1001@192.168.80.100>')
      .replace('INVITE sip:10001@', 'INVITE sip:0044201@');
    fs.writeFileSync(file, text);
    const r = fosip('test', 'sip-profile', '2', file, '--config-dir', repoRoot);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^sip-profiles 2 \(outbound\) on the INVITE request: 8 rules\n/);
    for (const rule of [10, 20, 50, 60, 70]) assert.match(r.stdout, new RegExp(`  rule ${rule}: applied\\n`));
    assert.match(r.stdout, /  u01 = 1001\n/);
    assert.match(r.stdout, /^INVITE sip:\+44201@/m);
    assert.match(r.stdout, /^User-Agent: FoSIP\r$/m);
    assert.match(r.stdout, /^P-Asserted-Identity: <sip:1001@carrier\.example>\r$/m);
    const bad = fosip('test', 'sip-profile', '2', path.join(dir, 'none.sip'), '--config-dir', repoRoot);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /SBC_ERR_USAGE: cannot read/);
  });

  it('check-config names the file and field of every rewriting problem', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-cli-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    fs.mkdirSync(path.join(dir, 'profiles'));
    fs.writeFileSync(path.join(dir, 'fosip.json'), JSON.stringify({ sipProfilesInbound: 8 }));
    fs.writeFileSync(
      path.join(dir, 'dialpeers', '1.json'),
      JSON.stringify({
        tag: 1,
        destinationPattern: '1',
        sessionTarget: 'ipv4:127.0.0.1',
        sipProfiles: 5,
        translationProfile: { outgoing: 'nope' },
      }),
    );
    fs.writeFileSync(
      path.join(dir, 'profiles', 'p.json'),
      JSON.stringify([
        {
          kind: 'sip-profiles',
          tag: 3,
          rules: [
            { rule: 1, request: 'ANY', sipHeader: 'Via', remove: true },
            { rule: 2, request: 'ANY', sipHeader: 'X', modify: { match: '(a+)+', replace: '' } },
          ],
        },
        { kind: 'translation-rule', tag: 1, rules: [{ rule: 1, match: '^9(\\d)', replace: '\\2' }] },
        { kind: 'translation-profile', name: 'p', translate: { called: 2 } },
      ]),
    );
    const r = fosip('check-config', '--config-dir', dir);
    assert.equal(r.status, 1);
    for (const line of [
      /p\.json#\/0\/rules\/0\/remove: Via is mandatory/,
      /p\.json#\/0\/rules\/1\/modify\/match: invalid regex "\(a\+\)\+": a repeated group/,
      /p\.json#\/1\/rules\/0\/replace: refers to group \\2/,
      /p\.json#\/2\/translate\/called: no translation-rule 2/,
      /1\.json#\/sipProfiles: no sip-profiles 5/,
      /1\.json#\/translationProfile\/outgoing: no translation-profile "nope"/,
      /fosip\.json#\/sipProfilesInbound: no sip-profiles 8/,
    ])
      assert.match(r.stderr, line);
  });
});
