/**
 * SIP profiles, unknown-header passing and number translation with real SIPp on both sides: what the
 * callee receives is what the profiles and translation rules say, and a reject rule blocks the call.
 */
import type { DialplanReport } from '../../src/cli/show-dialplan.js';
import { runCli } from '../helpers/cli.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freePort } from '../helpers/net.js';
import { uacExpect, uacWith } from '../helpers/scenarios.js';
import { recvInvite, reply, uasResponse, wrap } from '../helpers/sipp-xml.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { inviteOf } from '../helpers/sipp.js';

describe('SIP profiles with SIPp', () => {
  it('rewrites User-Agent, adds a header and removes an SDP attribute on the outbound leg; unknown headers pass unless dropped', async () => {
    const b = await callee();
    const app = await startTestApp({
      rewrite: [
        {
          kind: 'sip-profiles',
          tag: 2,
          rules: [
            {
              rule: 10,
              request: 'ANY',
              sipHeader: 'User-Agent',
              modify: { match: 'Cisco-SIPGateway/IOS-.*', replace: 'FoSIP' },
            },
            { rule: 20, request: 'INVITE', sipHeader: 'X-Customer', add: 'acme' },
            { rule: 40, request: 'INVITE', sdpHeader: 'a=ssrc', remove: true },
            { rule: 50, request: 'INVITE', sipHeader: 'From', modify: { match: '<sip:', replace: '<<' } },
          ],
        },
      ],
      dialPeers: [
        {
          tag: 1,
          destinationPattern: '2...',
          sessionTarget: `ipv4:127.0.0.1:${b.port}`,
          sipProfiles: 2,
          headerDropList: ['X-Internal'],
        },
      ],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), {
        scenario: uacWith({
          headers: ['User-Agent: Cisco-SIPGateway/IOS-15.6.1', 'X-Internal: secret', 'X-Project: 42'],
          sdp: ['a=ssrc:4242 cname:abc'],
        }),
      });
      assert.equal(r.code, 0, r.stderr);
      const invite = inviteOf((await b.run).messages);
      assert.match(invite, /^User-Agent: FoSIP\r?$/m);
      assert.match(invite, /^X-Customer: acme\r?$/m);
      assert.match(invite, /^X-Project: 42\r?$/m, 'an unknown header passes');
      assert.doesNotMatch(invite, /X-Internal/, 'a header on the drop list does not');
      assert.doesNotMatch(invite, /a=ssrc/);
      assert.match(invite, /^m=audio \d+ RTP\/AVP 0/m);
      assert.match(invite, /^From: (?:sipp )?<sip:sipp@/m, 'a rule whose result would not parse is not applied');
      assert.deepEqual(
        app.health()['sipProfiles'],
        { rewritten: 1, skipped: 1 },
        'the INVITE was rewritten; rule 50 was counted, not applied',
      );
    } finally {
      await app.stop();
    }
  });

  it('lets only the headers of a pass list cross', async () => {
    const b = await callee();
    const app = await startTestApp({
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, headerPassList: ['X-Keep'] },
      ],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), {
        scenario: uacWith({ headers: ['X-Keep: yes', 'X-Other: no', 'User-Agent: phone/1.0'] }),
      });
      assert.equal(r.code, 0, r.stderr);
      const invite = inviteOf((await b.run).messages);
      assert.match(invite, /^X-Keep: yes\r?$/m);
      assert.doesNotMatch(invite, /X-Other|User-Agent/);
    } finally {
      await app.stop();
    }
  });

  it("gives the caller the callee's Reason and Retry-After with its failure, and its unknown headers unless the caller's dial-peer drops them", async () => {
    const busy = wrap(
      'uas busy, with reasons',
      `${recvInvite}
${uasResponse('180 Ringing')}
${reply('486 Busy Here', ['Reason: Q.850;cause=17;text="User busy"', 'Retry-After: 30', 'X-Carrier-Ref: 77', 'X-Internal: secret'])}
<recv request="ACK"/>`,
    );
    const b = await callee({ scenario: busy });
    const app = await startTestApp({
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2...', headerPassList: ['X-Carrier-Ref'] },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` },
      ],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), { scenario: uacExpect(486) });
      assert.equal(r.code, 0, r.stderr);
      const failure = /SIP\/2\.0 486[\s\S]*?(?=\r?\n\r?\n)/.exec(r.messages)?.[0] ?? '';
      assert.match(failure, /^Reason: Q\.850;cause=17;text="User busy"\r?$/m, 'the Q.850 cause a PBX acts on');
      assert.match(failure, /^Retry-After: 30\r?$/m);
      assert.match(failure, /^X-Carrier-Ref: 77\r?$/m, "an unknown header on the caller's pass list");
      assert.doesNotMatch(failure, /X-Internal/, 'one that is not');
      assert.equal((await b.run).code, 0);
    } finally {
      await app.stop();
    }
  });

  it('an inbound profile changes the Request-URI before the outbound lookup, so another dial-peer takes the call', async () => {
    const [wrong, right] = [await freePort('udp'), await callee()];
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      rewrite: [
        {
          kind: 'sip-profiles',
          tag: 3,
          rules: [{ rule: 1, request: 'INVITE', requestLine: true, modify: { match: 'sip:2', replace: 'sip:3' } }],
        },
      ],
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2...', sipProfilesInbound: 3 },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${wrong}` },
        { tag: 2, destinationPattern: '3...', sessionTarget: `ipv4:127.0.0.1:${right.port}` },
      ],
    });
    try {
      // show dialplan runs the same profile on its INVITE: it predicts the call
      const shown = await runCli([
        'show',
        'dialplan',
        'number',
        '2001',
        '--json',
        '--admin',
        `http://127.0.0.1:${adminPort}`,
      ]);
      assert.equal(shown.code, 0, shown.stderr);
      const plan = JSON.parse(shown.stdout) as DialplanReport;
      assert.deepEqual(plan.inboundProfiles, { global: null, dialPeer: 3 });
      assert.equal(plan.inbound.tag, 10);
      assert.equal(plan.translated.called, '3001');
      assert.deepEqual(
        plan.outbound.map((o) => [o.tag, o.verdict]),
        [[2, 'would try']],
      );
      const text = await runCli(['show', 'dialplan', 'number', '2001', '--admin', `http://127.0.0.1:${adminPort}`]);
      assert.match(text.stdout, /^SIP profiles on the INVITE: dial-peer inbound 3$/m);
      const r = await caller(boundPort(app, 'udp'), { scenario: uacWith({}), called: '2001' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(inviteOf((await right.run).messages), /^INVITE sip:3001@/);
      const [cdr] = app.callStore.history(1);
      assert.equal(cdr?.inboundDialPeer, 10);
      assert.equal(cdr?.outboundDialPeer, 2);
      assert.equal(cdr?.calledNumber, '3001');
    } finally {
      await app.stop();
    }
  });
});

describe('SIP profiles toward the caller', () => {
  it('run on the responses the caller gets; the global inbound profile runs first and variables cross legs', async () => {
    const b = await callee();
    const app = await startTestApp({
      rewrite: [
        {
          kind: 'sip-profiles',
          tag: 4,
          rules: [{ rule: 1, request: 'INVITE', sipHeader: 'X-Project', copy: { match: '(\\d+)', to: 'u05' } }],
        },
        {
          kind: 'sip-profiles',
          tag: 5,
          rules: [
            { rule: 1, response: 200, method: 'INVITE', sipHeader: 'X-Project-Echo', add: 'p-\\u05' },
            { rule: 2, response: 180, statusLine: true, modify: { match: '180 Ringing', replace: '180 Alerting' } },
          ],
        },
        {
          kind: 'sip-profiles',
          tag: 6,
          rules: [{ rule: 1, request: 'ANY', sipHeader: 'X-Project', modify: { match: '^', replace: '1' } }],
        },
      ],
      sipProfilesInbound: 6,
      dialPeers: [
        { tag: 10, incomingCalledNumber: '2...', sipProfilesInbound: 4, sipProfiles: 5 },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` },
      ],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), { scenario: uacWith({ headers: ['X-Project: 42'] }) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.messages, /^SIP\/2\.0 180 Alerting\r?$/m);
      assert.match(
        r.messages,
        /^X-Project-Echo: p-142\r?$/m,
        'copied from the INVITE after the global profile changed it, added to the 200',
      );
      assert.match(
        inviteOf((await b.run).messages),
        /^X-Project: 142\r?$/m,
        'the global inbound profile changed what crossed',
      );
    } finally {
      await app.stop();
    }
  });
});

describe('number translation with SIPp', () => {
  const rules = [
    { kind: 'translation-rule' as const, tag: 1, rules: [{ rule: 1, match: '^9([0-9]{10})$', replace: '+1\\1' }] },
    { kind: 'translation-rule' as const, tag: 3, rules: [{ rule: 1, match: '^sipp$', replace: '+15550001001' }] },
    {
      kind: 'translation-rule' as const,
      tag: 4,
      rules: [
        { rule: 1, reject: '^1900', cause: 'call-reject' as const },
        { rule: 2, reject: '^1976' }, // the default cause: no-service
      ],
    },
    { kind: 'translation-profile' as const, name: 'to-carrier', translate: { called: 1, calling: 3 } },
    { kind: 'translation-profile' as const, name: 'from-pbx', translate: { called: 4 } },
  ];

  it('turns 9 + 10 digits into +1 + 10 digits on the outbound leg, and the calling number in From and P-Asserted-Identity', async () => {
    const b = await callee();
    const app = await startTestApp({
      rewrite: rules,
      dialPeers: [
        {
          tag: 1,
          destinationPattern: '9..........',
          sessionTarget: `ipv4:127.0.0.1:${b.port}`,
          translationProfile: { outgoing: 'to-carrier' },
        },
      ],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), {
        scenario: uacWith({ headers: ['P-Asserted-Identity: <sip:sipp@10.1.1.1>'] }),
        called: '95551234567',
      });
      assert.equal(r.code, 0, r.stderr);
      const invite = inviteOf((await b.run).messages);
      assert.match(invite, /^INVITE sip:\+15551234567@127\.0\.0\.1:\d+ SIP\/2\.0/);
      assert.match(invite, /^To: <sip:\+15551234567@/m);
      assert.match(invite, /^From: (?:sipp )?<sip:\+15550001001@/m);
      // the translated number, at the SBC's address: the PBX's own (10.1.1.1) never reaches the carrier
      assert.match(invite, /^P-Asserted-Identity: <sip:\+15550001001@127\.0\.0\.1>\r?$/m);
      assert.doesNotMatch(invite, /10\.1\.1\.1/);
      const [cdr] = app.callStore.history(1);
      assert.equal(
        cdr?.calledNumber,
        '95551234567',
        'the call record keeps the number as routed (outgoing translation is per leg)',
      );
    } finally {
      await app.stop();
    }
  });

  it('a reject rule blocks the call with the configured cause, and the callee never hears of it', async () => {
    const nobody = await freePort('udp');
    const app = await startTestApp({
      rewrite: rules,
      dialPeers: [
        { tag: 10, incomingCalledNumber: '.T', translationProfile: { incoming: 'from-pbx' } },
        { tag: 1, destinationPattern: '.T', sessionTarget: `ipv4:127.0.0.1:${nobody}` },
      ],
    });
    try {
      const r = await caller(boundPort(app, 'udp'), { scenario: uacExpect(403), called: '19005550000' });
      assert.equal(r.code, 0, r.stderr);
      const [cdr] = app.callStore.history(1);
      assert.equal(cdr?.disconnectCause, 21);
      assert.equal(cdr?.calledNumber, '19005550000', 'the record keeps the number that was blocked');
      assert.equal(cdr?.finalStatus, 403);
      assert.equal(cdr?.outboundDialPeer, null);
      assert.equal(app.b2bua.callCount, 0);
      // a reject rule without a cause: no-service (Q.850 63), which is 503 (RFC 3398 §7.2.4.1)
      const unserved = await caller(boundPort(app, 'udp'), { scenario: uacExpect(503), called: '19765550000' });
      assert.equal(unserved.code, 0, unserved.stderr);
      const [second] = app.callStore.history(1);
      assert.equal(second?.disconnectCause, 63);
      assert.equal(second?.finalStatus, 503);
    } finally {
      await app.stop();
    }
  });
});
