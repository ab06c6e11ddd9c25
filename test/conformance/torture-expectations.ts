/**
 * What FoSIP does with each RFC 4475 / RFC 5118 torture message, decided from MANIFEST.tsv:
 * `accept` (the core passes it to the transaction user), a status (the core rejects it with that status),
 * or `drop` (nothing is sent: unparseable, an unmatched or malformed response). `check` asserts the parsed
 * fields that the MANIFEST names for valid messages.
 */
import assert from 'node:assert/strict';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/sip-message.js';
import { displayText } from '../../src/sip/name-addr.js';
import { isSipUri, type SipUri, type Uri, unescapeUri, uriUser } from '../../src/sip/sip-uri.js';

export type Outcome = 'accept' | 'drop' | number;

export interface Expectation {
  outcome: Outcome;
  check?: (m: SipMessage) => void;
}

function req(m: SipMessage): SipRequest {
  assert.ok(m.isRequest(), 'expected a request');
  return m;
}

function res(m: SipMessage): SipResponse {
  assert.ok(!m.isRequest(), 'expected a response');
  return m as SipResponse;
}

function sip(u: Uri): SipUri {
  assert.ok(isSipUri(u), `expected a SIP URI, got ${u.raw}`);
  return u;
}

function contacts(m: SipMessage) {
  const c = m.contacts();
  assert.notEqual(c, '*');
  return c === '*' ? [] : c;
}

export const EXPECTATIONS: Record<string, Expectation> = {
  'wsinv.dat': {
    outcome: 'accept',
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, 'INVITE');
      assert.equal(r.callId(), 'wsinv.ndaksdj@192.0.2.1');
      assert.deepEqual(r.cseq(), { seq: 9, method: 'INVITE' });
      assert.equal(r.maxForwards(), 68);
      const vias = r.vias();
      assert.deepEqual(
        vias.map((v) => [v.transport, v.host, v.params.get('branch')]),
        [
          ['UDP', '192.0.2.2', '390skdjuw'],
          ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
          ['UDP', '192.168.255.111', 'z9hG4bK30239'],
        ],
      );
      assert.equal(r.to().params.get('tag'), '1918181833n');
      assert.equal(r.from().params.get('tag'), '98asjd8');
      assert.equal(displayText(r.from()), 'J Rosenberg \\"');
      assert.equal(contacts(r)[0]?.params.get('q'), '0.33');
      assert.equal(contacts(r)[0]?.params.get('newparam'), 'newvalue');
      assert.equal(r.header('NewFangledHeader'), 'newfangled value continued newfangled value');
      assert.equal(r.header('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
      assert.equal(r.header('subject'), '');
      assert.equal(r.routes().length, 1);
      assert.equal(r.body.length, 150);
    },
  },
  'intmeth.dat': {
    outcome: 501,
    check: (m) => {
      const r = req(m);
      assert.equal(r.method, "!interesting-Method0123456789_*+`.%indeed'~");
      const u = sip(r.uri());
      assert.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      assert.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      assert.equal(u.host, 'example.com');
      assert.ok(displayText(r.to())?.includes('NUL:\u0000'));
      assert.equal(r.from().params.get('tag'), "_token~1'+`*%!-.");
      assert.equal(r.callId(), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    },
  },
  'esc01.dat': {
    outcome: 'accept',
    check: (m) => {
      const r = req(m);
      const u = sip(r.uri());
      assert.equal(uriUser(u), 'sips:user@example.com');
      assert.equal(u.host, 'example.net');
      assert.equal(uriUser(r.to().uri), 'user');
      assert.equal(uriUser(r.from().uri), 'I have spaces');
      const params = sip(contacts(r)[0]?.uri ?? r.uri()).params.items.map((p) => [
        unescapeUri(p.name),
        p.value === null ? null : unescapeUri(p.value),
      ]);
      assert.deepEqual(params, [
        ['lr', null],
        ['name', 'value%41'],
      ]);
    },
  },
  'escnull.dat': {
    outcome: 'accept',
    check: (m) => {
      const users = contacts(m).map((c) => uriUser(c.uri));
      assert.deepEqual(users, ['\u0000', '\u0000\u0000']);
      assert.equal(uriUser(m.to().uri), 'null-\u0000-null');
    },
  },
  'esc02.dat': {
    outcome: 501,
    check: (m) => {
      assert.equal(req(m).method, 'RE%47IST%45R');
      assert.equal(contacts(m).length, 2);
      assert.equal(m.header('C%6Fntact'), '<sip:alias2@host2.example.com>');
      assert.equal(displayText(m.to()), '%Z%45');
    },
  },
  'lwsdisp.dat': { outcome: 'accept', check: (m) => assert.equal(m.from().displayName, 'caller') },
  'longreq.dat': {
    outcome: 'accept',
    check: (m) => {
      assert.ok(m.vias().length >= 10);
      assert.equal(m.body.length, Number(m.header('content-length')));
    },
  },
  'dblreq.dat': {
    outcome: 'accept',
    check: (m) => {
      assert.equal(req(m).method, 'REGISTER');
      assert.equal(m.body.length, 0);
    },
  },
  'semiuri.dat': {
    outcome: 'accept',
    check: (m) => {
      const u = sip(req(m).uri());
      assert.equal(uriUser(u), 'user;par=u@example.net');
      assert.equal(u.params.has('par'), false);
      assert.equal(m.tokens('accept').length, 6);
    },
  },
  'transports.dat': {
    outcome: 'accept',
    check: (m) =>
      assert.deepEqual(
        m.vias().map((v) => v.transport),
        ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
      ),
  },
  'mpart01.dat': {
    outcome: 'accept',
    check: (m) => {
      assert.equal(m.body.length, 553);
      assert.ok(m.contentType()?.startsWith('multipart/mixed'));
    },
  },
  'unreason.dat': {
    outcome: 'drop',
    check: (m) => {
      const r = res(m);
      assert.equal(r.status, 200);
      assert.ok(Buffer.from(r.reason, 'latin1').toString('utf8').length > 0);
    },
  },
  'noreason.dat': {
    outcome: 'drop',
    check: (m) => {
      assert.equal(res(m).status, 100);
      assert.equal(res(m).reason, '');
    },
  },
  'badinv01.dat': { outcome: 400 },
  'clerr.dat': { outcome: 400 },
  'ncl.dat': { outcome: 400 },
  'scalar02.dat': { outcome: 400 },
  'scalarlg.dat': { outcome: 'drop' },
  'quotbal.dat': { outcome: 400 },
  'ltgtruri.dat': { outcome: 400 },
  'lwsruri.dat': { outcome: 400 },
  'lwsstart.dat': { outcome: 400 },
  'trws.dat': { outcome: 400 },
  'escruri.dat': { outcome: 400 },
  // The Date is not used, so it is not rejected (RFC 4475 §3.1.2.12).
  'baddate.dat': { outcome: 'accept' },
  'regbadct.dat': { outcome: 400 },
  'badaspec.dat': { outcome: 400 },
  // No blank line after the headers: over UDP an incomplete message, dropped (see the -terminated variant).
  'baddn.dat': { outcome: 'drop' },
  'badvers.dat': { outcome: 505 },
  'mismatch01.dat': { outcome: 400 },
  'mismatch02.dat': { outcome: 501 },
  'bigcode.dat': { outcome: 'drop' },
  // A bare magic cookie is not an RFC 3261 branch: accepted, matched by the RFC 2543 rules.
  'badbranch.dat': { outcome: 'accept', check: (m) => assert.equal(m.topVia().params.get('branch'), 'z9hG4bK') },
  'insuf.dat': { outcome: 400 },
  'unkscm.dat': { outcome: 416, check: (m) => assert.equal(req(m).uri().scheme, 'nobodyknowsthisscheme') },
  'novelsc.dat': { outcome: 416, check: (m) => assert.equal(req(m).uri().scheme, 'soap.beep') },
  'unksm2.dat': {
    outcome: 'accept',
    check: (m) => {
      assert.equal(m.to().uri.scheme, 'isbn');
      assert.equal(m.from().uri.scheme, 'http');
      assert.equal(contacts(m)[0]?.uri.scheme, 'name');
    },
  },
  'bext01.dat': { outcome: 420 },
  'invut.dat': { outcome: 415 },
  'regaut01.dat': {
    outcome: 'accept',
    check: (m) => assert.ok(m.header('authorization')?.startsWith('NoOneKnowsThisScheme')),
  },
  'multi01.dat': { outcome: 400 },
  'mcl01.dat': { outcome: 400 },
  'bcast.dat': {
    outcome: 'drop',
    check: (m) => assert.equal(m.vias()[1]?.host, '255.255.255.255'),
  },
  // OPTIONS is answered by the SBC itself, so Max-Forwards 0 still gets its 200 (RFC 4475 §3.3.11).
  'zeromf.dat': { outcome: 'accept', check: (m) => assert.equal(m.maxForwards(), 0) },
  'cparam01.dat': {
    outcome: 'accept',
    check: (m) => {
      const c = contacts(m)[0];
      assert.equal(c?.params.has('unknownparam'), true);
      assert.equal(sip(c?.uri ?? m.to().uri).params.has('unknownparam'), false);
    },
  },
  'cparam02.dat': {
    outcome: 'accept',
    check: (m) => {
      const c = contacts(m)[0];
      assert.equal(c?.params.has('unknownparam'), false);
      assert.equal(sip(c?.uri ?? m.to().uri).params.has('unknownparam'), true);
    },
  },
  'regescrt.dat': {
    outcome: 'accept',
    check: (m) => assert.equal(sip(contacts(m)[0]?.uri ?? m.to().uri).headers, 'Route=%3Csip:sip.example.com%3E'),
  },
  'sdp01.dat': { outcome: 406 },
  'inv2543.dat': {
    outcome: 'accept',
    check: (m) => {
      assert.equal(m.topVia().params.get('branch'), undefined);
      assert.equal(m.from().params.get('tag'), undefined);
      assert.equal(m.maxForwards(), null);
      assert.equal(m.header('content-length'), undefined);
    },
  },
  'test.dat': { outcome: 'drop' },
  'rfc5118/ipv6-good': {
    outcome: 'accept',
    check: (m) => {
      assert.equal(sip(req(m).uri()).host, '[2001:db8::10]');
      assert.equal(m.topVia().host, '[2001:db8::9:1]');
      assert.equal(sip(contacts(m)[0]?.uri ?? m.to().uri).host, '[2001:db8::1]');
    },
  },
  'rfc5118/ipv6-bad': { outcome: 400 },
  'rfc5118/port-ambiguous': {
    outcome: 'accept',
    check: (m) => {
      const u = sip(req(m).uri());
      assert.equal(u.host, '[2001:db8::10:5070]');
      assert.equal(u.port, null);
    },
  },
  'rfc5118/port-unambiguous': {
    outcome: 'accept',
    check: (m) => {
      const u = sip(req(m).uri());
      assert.equal(u.host, '[2001:db8::10]');
      assert.equal(u.port, 5070);
    },
  },
  'rfc5118/via-received-param-with-delim': {
    outcome: 'accept',
    check: (m) => assert.equal(m.topVia().params.get('received'), '[2001:db8::9:255]'),
  },
  'rfc5118/via-received-param-no-delim': {
    outcome: 'accept',
    check: (m) => assert.equal(m.topVia().params.get('received'), '2001:db8::9:255'),
  },
  // Content-Length 268 but a 251-octet body: a strict datagram parser answers 400 (see the -cl-fixed variant).
  'rfc5118/ipv6-in-sdp': { outcome: 400 },
  'rfc5118/mult-ip-in-header': {
    outcome: 'accept',
    check: (m) =>
      assert.deepEqual(
        m.vias().map((v) => [v.transport, v.host, v.port, v.params.get('received')]),
        [
          ['UDP', '[2001:db8::9:1]', 6050, undefined],
          ['UDP', '192.0.2.1', null, undefined],
          ['TCP', '[2001:db8::9:255]', null, '192.0.2.200'],
        ],
      ),
  },
  // Content-Length 181 is shorter than the body: the body is cut at 181 octets, as RFC 3261 §18.3 says.
  'rfc5118/mult-ip-in-sdp': { outcome: 'accept', check: (m) => assert.equal(m.body.length, 181) },
  'rfc5118/ipv4-mapped-ipv6': { outcome: 'accept', check: (m) => assert.equal(m.body.length, 236) },
  'rfc5118/ipv6-bug-abnf-3-colons': { outcome: 400 },
  'rfc5118/ipv6-correct-abnf-2-colons': {
    outcome: 'accept',
    check: (m) => assert.equal(sip(req(m).uri()).host, '[2001:db8::192.0.2.1]'),
  },
  'variants/baddn-terminated.dat': { outcome: 400 },
  'variants/ipv6-in-sdp-cl-fixed': {
    outcome: 'accept',
    check: (m) => {
      assert.equal(m.body.length, 251);
      assert.ok(m.body.toString('latin1').includes('c=IN IP6 2001:db8::'));
    },
  },
  'variants/mult-ip-in-sdp-cl-fixed': { outcome: 'accept', check: (m) => assert.equal(m.body.length, 189) },
  'variants/ipv4-mapped-ipv6-cl-fixed': { outcome: 'accept', check: (m) => assert.equal(m.body.length, 245) },
};
