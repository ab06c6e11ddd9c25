/**
 * Property: whatever a profile says, the message it produces parses, keeps every mandatory header (as many
 * copies as before) and a true Content-Length. Profiles are generated from every rule kind and target,
 * with values full of the characters that break SIP (<, >, ;, ", CR, LF) and regexes over real messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyProfile } from '../../src/b2bua/message-edit.js';
import type { SipProfileRuleJson } from '../../src/config/rewrite-config.js';
import { compileSipProfile } from '../../src/rewrite/sip-profile.js';
import { headerKey } from '../../src/sip/header-names.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import { realPeerFiles, realPeerMessage } from '../helpers/corpus.js';
import { runs } from '../helpers/property-runs.js';

const MANDATORY = ['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards'];
const HEADERS = [
  'Via',
  'From',
  'To',
  'Call-ID',
  'CSeq',
  'Max-Forwards',
  'Contact',
  'User-Agent',
  'Content-Type',
  'Allow',
  'Supported',
  'X-New',
  'f',
  'v',
  'm',
  'Route',
  'Record-Route',
  'Expires',
  'Call-ID',
  'CSeq',
];
const piece = fc.constantFrom(
  '<',
  '>',
  ';',
  ',',
  '"',
  ':',
  '@',
  ' ',
  'sip:',
  'tag=',
  '1',
  'a',
  '\\1',
  '\\u01',
  '\\u02',
  '=',
  '/',
  'SIP/2.0',
  'INVITE',
  '',
);
const value = fc.oneof(
  { arbitrary: fc.array(piece, { maxLength: 6 }).map((p) => p.join('')), weight: 4 },
  fc.tuple(fc.array(piece, { maxLength: 3 }), fc.constantFrom('\r\n', '\n', '\r')).map(([p, eol]) => p.join('') + eol),
);
const pattern = fc.constantFrom(
  '.*',
  '^',
  '$',
  'sip:',
  '<sip:([^@>]*)@',
  '([0-9]+)',
  'tag=.*',
  ';',
  'SIP/2.0',
  '[A-Z]+',
  'a=(.*)',
  '^m=audio \\d+',
  'IN IP4',
  ' ',
  '(.)',
);
const selector = fc.oneof(
  { arbitrary: fc.constant({ request: 'ANY' }), weight: 3 },
  { arbitrary: fc.constant({ response: 'ANY' as const }), weight: 3 },
  fc.record({ request: fc.constantFrom('INVITE', 'REINVITE', 'BYE', 'OPTIONS') }),
  fc.record({ response: fc.constantFrom<number | 'ANY'>(100, 180, 200, 486) }),
);
const target = fc.oneof(
  fc.record({ sipHeader: fc.constantFrom(...HEADERS) }),
  fc.record({
    sdpHeader: fc.constantFrom('a=rtpmap', 'a=sendrecv', 'c=', 'o=', 'm=', 'a=x', 's=', 'b='),
    mline: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  }),
  fc.constant({ requestLine: true as const }),
  fc.constant({ statusLine: true as const }),
  fc.record({ peerHeader: fc.constantFrom('From', 'X-Peer') }),
);
const modify = fc.record({ modify: fc.record({ match: pattern, replace: value }) });
const copy = fc.record({ copy: fc.record({ match: pattern, to: fc.constantFrom('u01', 'u02') }) });
const action = fc.oneof(fc.record({ add: value }), fc.constant({ remove: true as const }), modify, copy);
/** Mostly shapes the loader accepts (so that rules run), some of anything (so that the loader's checks are met). */
const rule = fc.oneof(
  {
    arbitrary: fc
      .tuple(selector, fc.record({ sipHeader: fc.constantFrom(...HEADERS) }), action)
      .map(([s, t, a]) => ({ ...s, ...t, ...a })),
    weight: 4,
  },
  {
    arbitrary: fc
      .tuple(
        selector,
        fc.record({
          sdpHeader: fc.constantFrom('a=rtpmap', 'a=sendrecv', 'a=x', 'c=', 's='),
          mline: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        }),
        fc.oneof(modify, copy),
      )
      .map(([s, t, a]) => ({ ...s, ...t, ...a })),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(fc.constant({ request: 'ANY' }), fc.constant({ requestLine: true as const }), fc.oneof(modify, copy))
      .map(([s, t, a]) => ({ ...s, ...t, ...a })),
    weight: 1,
  },
  {
    arbitrary: fc
      .tuple(
        fc.constant({ response: 'ANY' as const }),
        fc.constant({ statusLine: true as const }),
        fc.oneof(modify, copy),
      )
      .map(([s, t, a]) => ({ ...s, ...t, ...a })),
    weight: 1,
  },
  { arbitrary: fc.tuple(selector, target, action).map(([s, t, a]) => ({ ...s, ...t, ...a })), weight: 2 },
);

const messages = realPeerFiles().map((f) => realPeerMessage(f));

function count(text: Buffer, key: string): number {
  return parseMessage(text).headers.filter((h) => h.key === key).length;
}

describe('SIP profiles (property)', () => {
  it('never produce a message that does not parse, lose a mandatory header or lie in Content-Length', () => {
    let applied = 0;
    let skipped = 0;
    fc.assert(
      fc.property(
        fc.array(rule, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: messages.length - 1 }),
        fc.boolean(),
        (rules, which, inDialog) => {
          const json = rules.map((r, i) => ({ ...r, rule: i + 1 })) as SipProfileRuleJson[];
          const compiled = compileSipProfile({ kind: 'sip-profiles', tag: 1, rules: json }, headerKey);
          const original = messages[which] as Buffer;
          const msg = parseMessage(original);
          const result = applyProfile(compiled.profile, msg, inDialog, {
            vars: new Map([['u02', 'x;y']]),
            peerHeader: () => '<sip:2000@peer>',
          });
          if (result.changed) applied++;
          if (result.skipped.length > 0) skipped++;
          const out = msg.serialize();
          const again = parseMessage(out);
          for (const key of MANDATORY)
            assert.equal(count(out, key), count(original, key), `${key} after ${JSON.stringify(json)}`);
          const length = again.header('content-length');
          if (length !== undefined) assert.equal(Number(length), again.body.length);
          if (again.isRequest()) again.uri();
          again.from();
          again.to();
          again.cseq();
          again.vias();
          if (!result.changed)
            assert.equal(out.toString('latin1'), original.toString('latin1'), 'nothing changed: the same bytes');
        },
      ),
      runs(2000),
    );
    assert.ok(
      applied > 100 && skipped > 50,
      `profiles changed ${applied} messages and had rules refused in ${skipped}: the generator reaches the rules`,
    );
  });
});
