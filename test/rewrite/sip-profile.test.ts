/** SIP profiles on real messages: every rule kind and target, and what is refused or skipped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyProfile } from '../../src/b2bua/message-edit.js';
import type { SipProfileRuleJson } from '../../src/config/rewrite-config.js';
import { compileSipProfile } from '../../src/rewrite/sip-profile.js';
import { headerKey } from '../../src/sip/header-names.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import type { SipMessage } from '../../src/sip/sip-message.js';
import { realPeerMessage } from '../helpers/corpus.js';

function profile(rules: SipProfileRuleJson[]) {
  const c = compileSipProfile({ kind: 'sip-profiles', tag: 9, rules }, headerKey);
  assert.deepEqual(c.problems, []);
  return c.profile;
}

function problems(rules: SipProfileRuleJson[]) {
  return compileSipProfile({ kind: 'sip-profiles', tag: 9, rules }, headerKey).problems;
}

function run(
  rules: SipProfileRuleJson[],
  msg: SipMessage,
  opts: { inDialog?: boolean; vars?: Map<string, string>; peer?: Record<string, string> } = {},
) {
  const ctx = {
    vars: opts.vars ?? new Map<string, string>(),
    ...(opts.peer ? { peerHeader: (n: string) => opts.peer?.[n] } : {}),
  };
  const result = applyProfile(profile(rules), msg, opts.inDialog ?? false, ctx);
  const text = msg.serialize().toString('latin1');
  const reparsed = parseMessage(Buffer.from(text, 'latin1'));
  return { result, text, reparsed, vars: ctx.vars };
}

const cucmInvite = () => parseMessage(realPeerMessage('cucm-invite-delayed-offer.sip'));
const microsipInvite = () => parseMessage(realPeerMessage('microsip-invite-early-offer.sip'));
const withCaller = (msg: SipMessage, user: string) =>
  parseMessage(
    Buffer.from(
      msg
        .serialize()
        .toString('latin1')
        .replace(/^From: <sip:/m, `From: <sip:${user}@`),
    ),
  );
const ringing = () => parseMessage(realPeerMessage('microsip-180-ringing.sip'));

describe('SIP profile rules on headers', () => {
  it('modifies User-Agent as the CUBE example does, and leaves the rest byte for byte', () => {
    const before = cucmInvite().serialize().toString('latin1');
    const { result, text } = run(
      [{ rule: 10, request: 'ANY', sipHeader: 'User-Agent', modify: { match: 'Cisco-CUCM.*', replace: 'FoSIP' } }],
      cucmInvite(),
    );
    assert.deepEqual(result.fired, [10]);
    assert.equal(text, before.replace('User-Agent: Cisco-CUCM14.0', 'User-Agent: FoSIP'));
  });

  it('adds a header next to its kind or before Content-Length, and removes every copy of one', () => {
    const { text } = run(
      [
        { rule: 1, request: 'INVITE', sipHeader: 'X-Customer', add: 'acme' },
        { rule: 2, request: 'INVITE', sipHeader: 'Allow-Events', add: 'dialog' },
        { rule: 3, request: 'ANY', sipHeader: 'Session-ID', remove: true },
      ],
      cucmInvite(),
    );
    assert.match(text, /Allow-Events: presence\r\nAllow-Events: dialog\r\n/);
    assert.match(text, /X-Customer: acme\r\nContent-Length: 0\r\n\r\n$/);
    assert.doesNotMatch(text, /Session-ID/);
  });

  it('matches INVITE to the initial INVITE only and REINVITE to in-dialog ones', () => {
    const rules: SipProfileRuleJson[] = [
      { rule: 1, request: 'INVITE', sipHeader: 'X-Initial', add: 'yes' },
      { rule: 2, request: 'REINVITE', sipHeader: 'X-Re', add: 'yes' },
    ];
    assert.match(run(rules, cucmInvite()).text, /X-Initial: yes/);
    const re = run(rules, cucmInvite(), { inDialog: true }).text;
    assert.match(re, /X-Re: yes/);
    assert.doesNotMatch(re, /X-Initial/);
  });

  it('matches responses by code, ANY and the method they answer', () => {
    const rules: SipProfileRuleJson[] = [
      { rule: 1, response: 180, method: 'INVITE', sipHeader: 'X-Ring', add: '1' },
      { rule: 2, response: 'ANY', sipHeader: 'Server', add: 'x' },
      { rule: 3, response: 183, sipHeader: 'X-Never', add: '1' },
      { rule: 4, response: 'ANY', method: 'BYE', sipHeader: 'X-Never', add: '1' },
      { rule: 5, request: 'ANY', sipHeader: 'X-Never', add: '1' },
    ];
    const { text, result } = run(rules, ringing());
    assert.deepEqual(result.fired, [1, 2]);
    assert.doesNotMatch(text, /X-Never/);
  });

  it('finds headers by compact form and by any case', () => {
    const msg = parseMessage(
      Buffer.from(
        'INVITE sip:1@h SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nf: <sip:1000@h>;tag=a\r\nt: <sip:1@h>\r\ni: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nuser-agent: X/1\r\nl: 0\r\n\r\n',
      ),
    );
    const { text } = run(
      [
        { rule: 1, request: 'ANY', sipHeader: 'From', modify: { match: '1000', replace: '+491000' } },
        { rule: 2, request: 'ANY', sipHeader: 'USER-AGENT', remove: true },
      ],
      msg,
    );
    assert.match(text, /\r\nf: <sip:\+491000@h>;tag=a\r\n/);
    assert.doesNotMatch(text, /user-agent/i);
  });

  it('copies into variables and writes them into later values; peer headers read the other leg', () => {
    const { text, vars } = run(
      [
        { rule: 50, request: 'INVITE', sipHeader: 'From', copy: { match: 'sip:(\\+?[0-9]+)@', to: 'u01' } },
        { rule: 55, request: 'INVITE', peerHeader: 'X-Account', copy: { match: '(\\d+)', to: 'u02' } },
        { rule: 60, request: 'INVITE', sipHeader: 'P-Asserted-Identity', add: '<sip:\\u01@carrier.example>' },
        { rule: 70, request: 'INVITE', sipHeader: 'X-Account', add: 'acct-\\u02' },
        { rule: 80, request: 'INVITE', sipHeader: 'X-Unset', add: '\\u03' },
      ],
      withCaller(microsipInvite(), '10000'),
      { peer: { 'X-Account': 'id 4711' } },
    );
    assert.equal(vars.get('u01'), '10000');
    assert.match(text, /P-Asserted-Identity: <sip:10000@carrier.example>\r\n/);
    assert.match(text, /X-Account: acct-4711\r\n/);
    assert.doesNotMatch(text, /X-Unset/, 'a rule that reads an unset variable is not applied');
  });

  it('rewrites the request line and keeps it a request line of the same method', () => {
    const international = () =>
      parseMessage(
        Buffer.from(cucmInvite().serialize().toString('latin1').replace('INVITE sip:10001@', 'INVITE sip:0044123@')),
      );
    const { text, reparsed } = run(
      [{ rule: 70, request: 'INVITE', requestLine: true, modify: { match: 'sip:00', replace: 'sip:+' } }],
      international(),
    );
    assert.match(text, /^INVITE sip:\+44123@192\.168\.80\.11:50952;ob SIP\/2\.0\r\n/);
    assert.ok(reparsed.isRequest() && reparsed.requestUri.startsWith('sip:+44123@'));
    const cube = run(
      [{ rule: 70, request: 'INVITE', sipHeader: 'SIP-Req-URI', modify: { match: 'sip:00', replace: 'sip:+' } }],
      international(),
    );
    assert.match(cube.text, /^INVITE sip:\+44123@/, "CUBE's name for the request line works too");
    const bad = run(
      [{ rule: 1, request: 'INVITE', requestLine: true, modify: { match: '^INVITE', replace: 'BYE' } }],
      cucmInvite(),
    );
    assert.equal(bad.result.changed, false);
    assert.match(bad.result.skipped[0]?.reason ?? '', /not a INVITE request line/);
  });

  it('rewrites a status line within its class only', () => {
    const ok = run(
      [{ rule: 1, response: 180, statusLine: true, modify: { match: '180 Ringing', replace: '183 Session Progress' } }],
      ringing(),
    );
    assert.match(ok.text, /^SIP\/2\.0 183 Session Progress\r\n/);
    assert.ok(ok.reparsed.isResponse() && ok.reparsed.status === 183);
    const bad = run(
      [{ rule: 1, response: 180, statusLine: true, modify: { match: '180', replace: '200' } }],
      ringing(),
    );
    assert.match(bad.text, /^SIP\/2\.0 180 Ringing/);
    assert.match(bad.result.skipped[0]?.reason ?? '', /cannot become a 200/);
  });

  it('does not apply a rule whose result would not parse, and says why', () => {
    const { result, text } = run(
      [
        { rule: 1, request: 'ANY', sipHeader: 'From', modify: { match: '<sip:', replace: '<<' } },
        { rule: 2, request: 'ANY', sipHeader: 'CSeq', modify: { match: 'INVITE', replace: 'IN VITE' } },
        { rule: 3, request: 'ANY', sipHeader: 'Max-Forwards', modify: { match: '\\d+', replace: '300' } },
        { rule: 4, request: 'ANY', sipHeader: 'X-Crlf', add: 'a' },
        { rule: 5, request: 'ANY', sipHeader: 'X-Crlf', modify: { match: 'a', replace: 'b\\u09' } },
      ],
      cucmInvite(),
      { vars: new Map([['u09', '\r\nVia: evil']]) },
    );
    assert.deepEqual(
      result.skipped.map((s) => s.rule),
      [1, 2, 3, 5],
    );
    assert.deepEqual(result.fired, [4]);
    assert.match(text, /From: <sip:192\.168\.80\.100>;tag=/);
    assert.doesNotMatch(text, /evil/);
  });

  it('leaves values longer than the safe bound alone', () => {
    const msg = parseMessage(
      Buffer.from(
        cucmInvite()
          .serialize()
          .toString('latin1')
          .replace('User-Agent: Cisco-CUCM14.0', `User-Agent: ${'x'.repeat(400)}`),
      ),
    );
    const { result } = run(
      [{ rule: 1, request: 'ANY', sipHeader: 'User-Agent', modify: { match: 'x+', replace: 'y' } }],
      msg,
    );
    assert.match(result.skipped[0]?.reason ?? '', /longer than/);
  });
});

describe('SIP profile rules on SDP', () => {
  it('removes an attribute (not one that only starts the same), recomputes Content-Length', () => {
    const sdp =
      'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=ssrc:1 cname:x\r\na=ssrc-group:FID 1 2\r\na=sendrecv\r\n';
    const msg = parseMessage(
      Buffer.from(
        `INVITE sip:1@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:1@h>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
      ),
    );
    const { text, reparsed } = run([{ rule: 40, request: 'INVITE', sdpHeader: 'a=ssrc', remove: true }], msg);
    assert.doesNotMatch(text, /a=ssrc:/);
    assert.match(text, /a=ssrc-group:FID/);
    assert.equal(Number(reparsed.header('content-length')), reparsed.body.length);
    assert.equal(reparsed.body.length, sdp.length - 'a=ssrc:1 cname:x\r\n'.length);
  });

  it('adds and modifies by m-line index, and keeps each line its type', () => {
    const msg = microsipInvite();
    const { text, result } = run(
      [
        { rule: 1, request: 'INVITE', sdpHeader: 'a=ptime', mline: 1, add: 'a=ptime:20' },
        {
          rule: 2,
          request: 'INVITE',
          sdpHeader: 'a=sendrecv',
          mline: 1,
          modify: { match: 'sendrecv', replace: 'sendonly' },
        },
        { rule: 3, request: 'INVITE', sdpHeader: 's=', modify: { match: '^s=.*', replace: 's=FoSIP' } },
        { rule: 4, request: 'INVITE', sdpHeader: 'c=', modify: { match: '^c=', replace: 'a=' } },
        { rule: 5, request: 'INVITE', sdpHeader: 'a=x', mline: 5, add: 'a=x' },
      ],
      msg,
    );
    assert.deepEqual(result.fired, [1, 2, 3]);
    assert.deepEqual(
      result.skipped.map((s) => s.rule),
      [4],
    );
    assert.match(text, /\r\ns=FoSIP\r\n/);
    assert.match(text, /m=audio[^]*a=sendonly\r\n/);
    assert.match(text, /a=ptime:20\r\n$/);
  });

  it('refuses at load what CUBE refuses', () => {
    const cases: Array<[SipProfileRuleJson, RegExp]> = [
      [{ rule: 1, request: 'ANY', sipHeader: 'Via', add: 'x' }, /mandatory/],
      [{ rule: 1, request: 'ANY', sipHeader: 'From', remove: true }, /mandatory/],
      [{ rule: 1, request: 'ANY', sipHeader: 'l', modify: { match: 'a', replace: 'b' } }, /Content-Length/],
      [{ rule: 1, request: 'ANY', sdpHeader: 'm=', remove: true }, /mandatory in SDP/],
      [{ rule: 1, request: 'ANY', sdpHeader: 'a=x', add: 'b=1' }, /must start with/],
      [{ rule: 1, response: 200, requestLine: true, modify: { match: 'a', replace: 'b' } }, /request line/],
      [{ rule: 1, request: 'ANY', statusLine: true, modify: { match: 'a', replace: 'b' } }, /status line/],
      [{ rule: 1, request: 'ANY', requestLine: true, add: 'x' }, /only be modified or copied/],
      [{ rule: 1, request: 'ANY', peerHeader: 'X', remove: true }, /only be copied/],
      [{ rule: 1, request: 'ANY', sipHeader: 'X', add: 'a\r\nVia: b' }, /CR, LF/],
      [{ rule: 1, request: 'ANY', sipHeader: 'X', modify: { match: '(a+)+', replace: 'b' } }, /catastrophic/],
      [{ rule: 1, request: 'ANY', sipHeader: 'X', modify: { match: 'a', replace: '\\1' } }, /group \\1/],
      [
        { rule: 1, request: 'ANY', response: 200, sipHeader: 'X', remove: true },
        /exactly one of "request" or "response"/,
      ],
      [{ rule: 1, request: 'ANY', sipHeader: 'X', sdpHeader: 'a=x', remove: true }, /exactly one target/],
      [{ rule: 1, request: 'ANY', sipHeader: 'X', remove: true, add: 'y' }, /exactly one action/],
      [{ rule: 1, request: 'ANY', method: 'INVITE', sipHeader: 'X', remove: true }, /qualifies a "response"/],
    ];
    for (const [rule, why] of cases)
      assert.match(problems([rule])[0]?.message ?? '(accepted)', why, JSON.stringify(rule));
    assert.match(
      problems([
        { rule: 1, request: 'ANY', sipHeader: 'X', remove: true },
        { rule: 1, request: 'ANY', sipHeader: 'Y', remove: true },
      ])[0]?.message ?? '',
      /defined twice/,
    );
  });
});
