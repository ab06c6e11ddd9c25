/** `show running-config` in IOS form reads back through `fosip import-ios` as the configuration it came from. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderRunningConfig, runningConfig } from '../../src/cli/show-running-config.js';
import { loadDialConfig } from '../../src/config/dial-config.js';
import { importIos } from '../../src/config/ios-import.js';
import { resolveSettings } from '../../src/config/settings.js';
import { repoRoot } from '../helpers/paths.js';

describe('show running-config in IOS form', () => {
  it('prints the example configuration so that import-ios gives back its settings, classes and dial-peers', () => {
    const settings = {
      ...resolveSettings({ configDir: repoRoot }, {}),
      // beyond the example: what CUBE keeps in voice service voip and sip-ua
      trustedList: ['127.0.0.0/8', '10.1.0.0/16', '192.0.2.7', '0.0.0.0/0', '::1', '2001:db8::/32'],
      sipUa: {
        credentials: [{ username: '5551234', password: '********', realm: 'carrier.example' }],
        authentication: [{ username: 'trunk', password: '********' }],
        registrar: [{ target: 'dns:reg.carrier.example', expires: 600, transport: 'tcp' as const }],
      },
    };
    const dialConfig = loadDialConfig(repoRoot);
    const text = renderRunningConfig(runningConfig({ node: 'fosip', settings, dialConfig }));
    const back = importIos(text);
    const values = <T>(l: Array<{ value: T }>): T[] => l.map((x) => x.value);

    assert.deepEqual(back.settings, {
      trustedList: ['127.0.0.0/8', '10.1.0.0/16', '192.0.2.7/32', '0.0.0.0/0', '::1/128', '2001:db8::/32'],
      sipUa: settings.sipUa,
    });
    assert.match(
      text,
      /^ ip address trusted list\n {2}ipv4 127\.0\.0\.0 255\.0\.0\.0\n {2}ipv4 10\.1\.0\.0 255\.255\.0\.0\n/m,
    );
    assert.deepEqual(back.uriClasses, values(dialConfig.uriClasses));
    assert.deepEqual(back.keepaliveProfiles, values(dialConfig.keepaliveProfiles));
    assert.deepEqual(back.translationProfiles, values(dialConfig.translationProfiles));
    // the cause of a reject rule is a comment in IOS form (CUBE sets it on the dial-peer)
    assert.deepEqual(
      back.translationRules,
      values(dialConfig.translationRules).map((t) => ({
        ...t,
        rules: t.rules.map((r) => ('reject' in r ? { rule: r.rule, reject: r.reject } : r)),
      })),
    );
    assert.match(text, /^ ! rule 2 rejects with cause call-reject$/m);
    // offerAll has no IOS word: a comment
    assert.deepEqual(
      back.codecClasses,
      values(dialConfig.codecClasses).map(({ offerAll: _all, ...c }) => c),
    );
    // SDP rules are CUBE's sdp-header, which import-ios does not take (nor the hostname): the rest comes back
    const [profile] = values(dialConfig.sipProfiles);
    assert.ok(profile !== undefined);
    assert.deepEqual(back.sipProfiles, [
      { kind: 'sip-profiles', tag: profile.tag, rules: profile.rules.filter((r) => r.sdpHeader === undefined) },
    ]);
    assert.deepEqual(
      back.problems.map((p) => p.text),
      ['hostname fosip', 'rule 40 request INVITE sdp-header a=ssrc remove'],
    );
    assert.deepEqual(
      back.dialPeers,
      values(dialConfig.dialPeers).sort((a, b) => a.tag - b.tag),
    );
  });
});
