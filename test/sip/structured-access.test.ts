/** Structured access to the headers the stack needs, URIs of every scheme, and header editing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCSeq } from '../../src/sip/cseq.js';
import { displayText, formatNameAddr, parseNameAddr } from '../../src/sip/name-addr.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import { STACK_CHECKS, checkRequest } from '../../src/sip/request-checks.js';
import { SipParseError } from '../../src/sip/sip-parse-error.js';
import { formatUri, isSipUri, isTelUri, parseUri, unescapeUri, uriUser } from '../../src/sip/sip-uri.js';
import { parseVia } from '../../src/sip/via.js';
import { request } from '../helpers/messages.js';

describe('URIs', () => {
  it('parses a full SIPS URI: user, password, IPv6 host, port, params, headers', () => {
    const u = parseUri('sips:al%69ce:secret@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent');
    assert.ok(isSipUri(u));
    assert.equal(u.scheme, 'sips');
    assert.equal(uriUser(u), 'alice');
    assert.equal(u.password, 'secret');
    assert.equal(u.host, '[2001:db8::1]');
    assert.equal(u.port, 5061);
    assert.equal(u.params.get('transport'), 'tcp');
    assert.equal(u.params.get('LR'), null);
    assert.equal(u.headers, 'subject=hi&priority=urgent');
    assert.equal(formatUri({ ...u }), u.raw);
  });

  it('parses tel URIs with parameters', () => {
    const u = parseUri('tel:+1-201-555-0123;phone-context=example.com');
    assert.ok(isTelUri(u));
    assert.equal(u.number, '+1-201-555-0123');
    assert.equal(u.params.get('phone-context'), 'example.com');
    assert.equal(uriUser(u), '+1-201-555-0123');
  });

  it('keeps an unknown scheme as text', () => {
    assert.deepEqual(parseUri('urn:service:sos'), { scheme: 'urn', raw: 'urn:service:sos' });
  });

  it('rejects bad escapes, bad hosts and bad ports with a SipParseError', () => {
    for (const bad of [
      'sip:a%zz@h',
      'sip:a@h_st',
      'sip:a@h:99999',
      'sip:a@[::1',
      'sip:a@b@c',
      'sip:',
      'sip:a@300.1.1.1',
      'sip:a b@h',
    ]) {
      assert.throws(() => parseUri(bad), SipParseError, bad);
    }
  });

  it('unescapes to octets, keeping NUL', () => {
    assert.equal(unescapeUri('a%00b%41'), 'a\u0000bA');
  });
});

describe('name-addr', () => {
  it('handles quoted display names with commas and escaped quotes', () => {
    const na = parseNameAddr('"Bell, \\"Alex\\"" <sip:alex@example.com>;tag=9');
    assert.equal(displayText(na), 'Bell, "Alex"');
    assert.equal(na.params.get('tag'), '9');
    assert.equal(formatNameAddr(na), '"Bell, \\"Alex\\"" <sip:alex@example.com>;tag=9');
  });

  it('treats params after an addr-spec as header params', () => {
    const na = parseNameAddr('sip:bob@example.com;tag=1');
    assert.equal(na.angle, false);
    assert.equal(na.params.get('tag'), '1');
  });
});

describe('message headers', () => {
  it('splits Contact lists around quoted commas and angle brackets, with q and expires', () => {
    const m = request({
      extra: ['Contact: "A, B" <sip:a@h;x=1>;note="p, q";q=0.7, <sip:b@h>;expires=60', 'm: sip:c@h'],
    });
    const c = m.contacts();
    assert.notEqual(c, '*');
    if (c === '*') return;
    assert.deepEqual(
      c.map((x) => x.uri.raw),
      ['sip:a@h;x=1', 'sip:b@h', 'sip:c@h'],
    );
    assert.equal(c[0]?.params.get('note'), '"p, q"');
    assert.equal(c[0]?.params.get('q'), '0.7');
    assert.equal(c[1]?.params.get('expires'), '60');
  });

  it('reads Contact: * and option-tag lists', () => {
    const m = request({
      method: 'REGISTER',
      extra: ['Contact: *', 'Expires: 0', 'Supported: 100rel, timer', 'k: path', 'Allow: INVITE,ACK'],
    });
    assert.equal(m.contacts(), '*');
    assert.deepEqual(m.tokens('supported'), ['100rel', 'timer', 'path']);
    assert.deepEqual(m.tokens('allow'), ['INVITE', 'ACK']);
    assert.deepEqual(m.tokens('require'), []);
  });

  it('reads Route and Record-Route sets in order', () => {
    const m = request({
      extra: ['Record-Route: <sip:p1@h;lr>, <sip:p2@h;lr>', 'Route: <sip:r1@h;lr>', 'Route: <sip:r2@h;lr>'],
    });
    assert.deepEqual(
      m.recordRoutes().map((r) => r.uri.raw),
      ['sip:p1@h;lr', 'sip:p2@h;lr'],
    );
    assert.deepEqual(
      m.routes().map((r) => r.uri.raw),
      ['sip:r1@h;lr', 'sip:r2@h;lr'],
    );
  });

  it('parses every Via parameter, IPv6 and LWS', () => {
    const v = parseVia(
      'SIP / 2.0 / tcp [2001:db8::9]:5070 ;branch=z9hG4bK1;rport=5;received=192.0.2.1;maddr=224.2.0.1;ttl=16',
    );
    assert.equal(v.transport, 'TCP');
    assert.equal(v.host, '[2001:db8::9]');
    assert.equal(v.port, 5070);
    assert.deepEqual(
      ['branch', 'rport', 'received', 'maddr', 'ttl'].map((p) => v.params.get(p)),
      ['z9hG4bK1', '5', '192.0.2.1', '224.2.0.1', '16'],
    );
    assert.throws(() => parseVia('SIP/2.0/UDP h;ttl=300'), SipParseError);
    assert.throws(() => parseVia('SIP/2.0/UDP h;received=host.example.com'), SipParseError);
  });

  it('edits headers and keeps Content-Length true; untouched headers keep their bytes', () => {
    const text =
      'OPTIONS sip:a@h SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bKx\r\nX-Keep:   odd   spacing\r\nf: <sip:b@h>;tag=1\r\nt: <sip:a@h>\r\ni: c\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n';
    const m = parseMessage(Buffer.from(text));
    m.addHeader('Via', 'SIP/2.0/UDP sbc;branch=z9hG4bKnew', true);
    m.setBody(Buffer.from('hello'), 'text/plain');
    const out = m.serialize().toString('latin1');
    assert.match(
      out,
      /^OPTIONS sip:a@h SIP\/2.0\r\nVia: SIP\/2.0\/UDP sbc;branch=z9hG4bKnew\r\nv: SIP\/2.0\/UDP h;branch=z9hG4bKx\r\nX-Keep:   odd   spacing\r\n/,
    );
    assert.match(out, /Content-Length: 5\r\n/);
    assert.ok(out.endsWith('\r\n\r\nhello'));
    assert.equal(m.vias().length, 2);
    assert.equal(m.topVia().host, 'sbc');
  });
});

describe('CSeq', () => {
  it('takes leading zeros and the full 32-bit range, and nothing beyond', () => {
    assert.deepEqual(parseCSeq('0009 INVITE'), { seq: 9, method: 'INVITE' });
    assert.deepEqual(parseCSeq('000000000000000001 ACK'), { seq: 1, method: 'ACK' });
    assert.deepEqual(parseCSeq('4294967295 BYE'), { seq: 4294967295, method: 'BYE' });
    for (const bad of ['4294967296 BYE', '1INVITE', '99999999999999 A', 'x INVITE', '1 IN VITE']) {
      assert.throws(() => parseCSeq(bad), SipParseError, bad);
    }
  });
});

describe('core checks', () => {
  it('answers unknown Require and Proxy-Require tags with 420 listing them', () => {
    const r = checkRequest(request({ extra: ['Require: 100rel, foo', 'Proxy-Require: bar'] }), STACK_CHECKS);
    assert.equal(r?.status, 420);
    assert.deepEqual(r.headers, [['Unsupported', 'foo, bar']]);
  });

  it('reads an empty Accept as "nothing acceptable" (RFC 3261 §20.1) and never throws on it', () => {
    const empty = request({ method: 'INVITE', extra: ['Accept:', 'Accept: text/plain'] });
    assert.deepEqual(empty.tokens('accept'), ['text/plain']);
    assert.equal(checkRequest(empty, STACK_CHECKS)?.status, 406);
  });

  it('answers a malformed list header (Supported: a,,b) with 400 instead of throwing later', () => {
    const r = checkRequest(request({ extra: ['Supported: timer,,100rel'] }), STACK_CHECKS);
    assert.equal(r?.status, 400);
    assert.match(r.warning ?? '', /empty element/);
  });

  it('does not check Require on CANCEL', () => {
    assert.equal(checkRequest(request({ method: 'CANCEL', extra: ['Require: foo'] }), STACK_CHECKS), null);
  });
});
