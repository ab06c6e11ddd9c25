/** Property tests: generated messages round-trip byte-exact and their fields read back as generated. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseMessage } from '../../src/sip/message-parser.js';
import { STACK_CHECKS, checkRequest } from '../../src/sip/request-checks.js';
import { isSipUri, parseUri, formatUri } from '../../src/sip/sip-uri.js';
import { parseVia, formatVia } from '../../src/sip/via.js';
import { runs } from '../helpers/property-runs.js';

const alnum = fc.stringMatching(/^[a-zA-Z0-9]{1,12}$/);
const tokenStr = fc.stringMatching(/^[a-zA-Z0-9.!%*_+`'~-]{1,16}$/);
const host = fc.oneof(
  fc.ipV4(),
  fc.ipV6().map((a) => `[${a}]`),
  fc.array(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), { minLength: 1, maxLength: 4 }).map((l) => l.join('.')),
);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const uriParam = fc.tuple(alnum, fc.option(alnum, { nil: undefined }));
const sipUri = fc
  .record({ user: fc.option(alnum, { nil: undefined }), host, port, params: fc.array(uriParam, { maxLength: 3 }) })
  .map(({ user, host: h, port: p, params }) => {
    let s = `sip:${user === undefined ? '' : `${user}@`}${h}${p === undefined ? '' : `:${p}`}`;
    for (const [n, v] of params) s += v === undefined ? `;${n}` : `;${n}=${v}`;
    return { text: s, user: user ?? null, host: h, port: p ?? null };
  });
const display = fc.option(fc.stringMatching(/^[a-zA-Z0-9 ,<>;:@]{0,20}$/), { nil: undefined });
const lineEnd = fc.constantFrom('\r\n');
const hname = (long: string, short: string) => fc.constantFrom(long, short, long.toUpperCase());
const extName = fc.stringMatching(/^X-[A-Za-z0-9-]{1,12}$/);
const extValue = fc.stringMatching(/^[ -~]{0,40}$/).map((v) => v.trim());

const message = fc.record({
  method: fc.constantFrom('INVITE', 'OPTIONS', 'BYE', 'MESSAGE', 'INFO', 'REGISTER'),
  ruri: sipUri,
  from: sipUri,
  to: sipUri,
  fromDisplay: display,
  fromTag: alnum,
  callId: fc.stringMatching(/^[a-zA-Z0-9.!%*_+`'~@-]{1,40}$/),
  seq: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  maxForwards: fc.integer({ min: 0, max: 255 }),
  viaHost: host,
  viaPort: port,
  branch: tokenStr,
  transport: fc.constantFrom('UDP', 'TCP', 'TLS'),
  names: fc.record({
    via: hname('Via', 'v'),
    from: hname('From', 'f'),
    to: hname('To', 't'),
    callId: hname('Call-ID', 'i'),
  }),
  ext: fc.uniqueArray(fc.tuple(extName, extValue, fc.boolean()), { maxLength: 5, selector: (e) => e[0].toLowerCase() }),
  body: fc.uint8Array({ maxLength: 300 }),
  eol: lineEnd,
});

type Gen = typeof message extends fc.Arbitrary<infer T> ? T : never;

function build(g: Gen): Buffer {
  const q = (d: string) => `"${d}" `;
  const lines = [
    `${g.method} ${g.ruri.text} SIP/2.0`,
    `${g.names.via}: SIP/2.0/${g.transport} ${g.viaHost}${g.viaPort === undefined ? '' : `:${g.viaPort}`};branch=z9hG4bK${g.branch};rport`,
    `${g.names.from}: ${g.fromDisplay === undefined ? '' : q(g.fromDisplay)}<${g.from.text}>;tag=${g.fromTag}`,
    `${g.names.to}: <${g.to.text}>`,
    `${g.names.callId}: ${g.callId}`,
    `CSeq: ${g.seq} ${g.method}`,
    `Max-Forwards: ${g.maxForwards}`,
    ...g.ext.map(([n, v, fold]) => (fold ? `${n}: ${v}\r\n\t${v}` : `${n}: ${v}`)),
    `Content-Type: application/sdp`,
    `Content-Length: ${g.body.length}`,
  ];
  return Buffer.concat([Buffer.from(lines.join(g.eol) + g.eol + g.eol, 'latin1'), Buffer.from(g.body)]);
}

describe('codec properties', () => {
  it('parse(serialize(m)) equals m, byte for byte and field by field', () => {
    fc.assert(
      fc.property(message, (g) => {
        const bytes = build(g);
        const m = parseMessage(bytes);
        assert.ok(m.isRequest());
        assert.ok(m.serialize().equals(bytes));
        const again = parseMessage(m.serialize());
        assert.ok(again.serialize().equals(bytes));
        assert.equal(m.method, g.method);
        assert.equal(m.callId(), g.callId);
        assert.deepEqual(m.cseq(), { seq: g.seq, method: g.method });
        assert.equal(m.maxForwards(), g.maxForwards);
        assert.equal(m.from().params.get('tag'), g.fromTag);
        assert.equal(m.from().displayName, g.fromDisplay === undefined ? null : `"${g.fromDisplay}"`);
        const u = m.uri();
        assert.ok(isSipUri(u));
        assert.equal(u.host, g.ruri.host);
        assert.equal(u.port, g.ruri.port);
        assert.equal(u.user, g.ruri.user);
        assert.equal(m.topVia().host, g.viaHost);
        assert.equal(m.topVia().params.get('branch'), `z9hG4bK${g.branch}`);
        assert.ok(Buffer.from(g.body).equals(m.body));
        for (const [n, v, fold] of g.ext) assert.equal(m.header(n), fold ? `${v} ${v}`.trim() : v);
        const fault = checkRequest(m, STACK_CHECKS);
        assert.ok(fault === null || fault.status === 483 || fault.status === 405, JSON.stringify(fault));
      }),
      runs(500),
    );
  });

  it('after any sequence of edits, serialize equals the naive join of start line, headers and body', () => {
    const edit = fc.oneof(
      fc.record({ op: fc.constant('add' as const), name: extName, value: extValue, first: fc.boolean() }),
      fc.record({ op: fc.constant('addVia' as const), first: fc.boolean() }),
      fc.record({
        op: fc.constant('remove' as const),
        name: fc.constantFrom('Max-Forwards', 'Content-Type', 'X-A', 'Via'),
      }),
      fc.record({
        op: fc.constant('set' as const),
        name: fc.constantFrom('Max-Forwards', 'Call-ID', 'X-B'),
        value: alnum,
      }),
      fc.record({ op: fc.constant('body' as const), body: fc.uint8Array({ maxLength: 50 }) }),
      fc.record({ op: fc.constant('uri' as const), uri: sipUri }),
    );
    fc.assert(
      fc.property(message, fc.array(edit, { maxLength: 6 }), (g, edits) => {
        const m = parseMessage(build(g));
        assert.ok(m.isRequest());
        for (const e of edits) {
          if (e.op === 'add') m.addHeader(e.name, e.value, e.first);
          else if (e.op === 'addVia') m.addHeader('Via', 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKedit', e.first);
          else if (e.op === 'remove') m.removeHeader(e.name);
          else if (e.op === 'set') m.setHeader(e.name, e.value);
          else if (e.op === 'body') m.setBody(Buffer.from(e.body), 'application/octet-stream');
          else m.requestUri = e.uri.text;
        }
        let head = m.startLine + m.startEol;
        for (const h of m.headers) head += h.raw + h.eol;
        const naive = Buffer.concat([Buffer.from(head + m.headEol, 'latin1'), m.body]);
        assert.ok(m.serialize().equals(naive));
        assert.ok(parseMessage(m.serialize()).serialize().equals(naive));
      }),
      runs(1000),
    );
  });

  it('URIs re-format to the text they were parsed from', () => {
    fc.assert(
      fc.property(sipUri, (g) => {
        const u = parseUri(g.text);
        const copy = { ...u };
        assert.equal(formatUri(copy), g.text);
      }),
      runs(500),
    );
  });

  it('Via values re-format and re-parse to the same fields', () => {
    fc.assert(
      fc.property(host, port, tokenStr, (h, p, b) => {
        const text = `SIP/2.0/UDP ${h}${p === undefined ? '' : `:${p}`};branch=z9hG4bK${b};rport;received=127.0.0.1`;
        const v = parseVia(text);
        assert.equal(formatVia(v), text);
        assert.deepEqual(parseVia(formatVia(v)), v);
      }),
      runs(500),
    );
  });
});
