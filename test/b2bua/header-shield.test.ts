/** The downstream shield: copied headers well formed, bounded, rebuilt, and naming none of the far side's hosts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_SANITIZE,
  type SanitizeSettings,
  type ShieldDrop,
  shieldHeaders,
} from '../../src/b2bua/header-shield.js';
import { parseNameAddr } from '../../src/sip/name-addr.js';

const SBC = '192.0.2.10';

function shield(
  headers: Array<[string, string]>,
  opts: { settings?: Partial<SanitizeSettings>; keep?: string[] } = {},
): { out: Array<[string, string]>; dropped: Array<[string, ShieldDrop]> } {
  const dropped: Array<[string, ShieldDrop]> = [];
  const out = shieldHeaders(headers, {
    settings: { ...DEFAULT_SANITIZE, ...opts.settings },
    host: SBC,
    keepsHosts: (key) => opts.keep?.includes(key) === true,
    dropped: (name, reason) => dropped.push([name, reason]),
  });
  return { out, dropped };
}

describe('header shield', () => {
  it('hides the hosts of every identity and routing header, keeping users, parameters and display names', () => {
    const inside: Array<[string, string]> = [
      ['P-Asserted-Identity', '"Alice" <sip:+15551230001@10.1.1.1:5060;user=phone>, <tel:+15551230001>'],
      ['P-Preferred-Identity', '<sip:alice@pbx.inside.example>'],
      ['Remote-Party-ID', '"Alice" <sip:1001@10.1.1.1>;party=calling;screen=yes;privacy=off'],
      ['Diversion', '<sip:2001@10.1.1.2>;reason=unconditional;counter=1'],
      ['History-Info', '<sip:2001@10.1.1.2?Reason=SIP%3Bcause%3D302>;index=1, <sip:3001@10.1.1.3>;index=1.1'],
      ['Call-Info', '<sip:conf@10.1.1.4>;purpose=info, <http://10.1.1.4/photo.jpg>;purpose=icon'],
      ['Reply-To', 'Bob <sip:bob@10.1.1.5;maddr=10.1.1.6>'],
      ['Referred-By', '<sip:1001@10.1.1.1>'],
      ['r', '<sip:3001@[fd00::7]:5070;transport=tcp>'],
    ];
    const { out, dropped } = shield(inside);
    assert.deepEqual(dropped, []);
    assert.deepEqual(out, [
      ['P-Asserted-Identity', `"Alice" <sip:+15551230001@${SBC};user=phone>, <tel:+15551230001>`],
      ['P-Preferred-Identity', `<sip:alice@${SBC}>`],
      ['Remote-Party-ID', `"Alice" <sip:1001@${SBC}>;party=calling;screen=yes;privacy=off`],
      ['Diversion', `<sip:2001@${SBC}>;reason=unconditional;counter=1`],
      ['History-Info', `<sip:2001@${SBC}?Reason=SIP%3Bcause%3D302>;index=1, <sip:3001@${SBC}>;index=1.1`],
      // a web server inside cannot be pointed at the SBC: that element stays behind
      ['Call-Info', `<sip:conf@${SBC}>;purpose=info`],
      ['Reply-To', `Bob <sip:bob@${SBC}>`],
      ['Referred-By', `<sip:1001@${SBC}>`],
      ['r', `<sip:3001@${SBC};transport=tcp>`],
    ]);
    const text = out.map(([, v]) => v).join('\n');
    assert.doesNotMatch(text, /10\.1\.1\.|fd00|inside\.example/);
  });

  it("keeps the hosts of a header the dial-peer's pass list names, or all with topologyHiding off", () => {
    const pai: [string, string] = ['P-Asserted-Identity', '<sip:1001@10.1.1.1>'];
    assert.deepEqual(shield([pai], { keep: ['p-asserted-identity'] }).out, [pai]);
    assert.deepEqual(shield([pai], { settings: { topologyHiding: false } }).out, [pai]);
    const onlyWeb = shield([['Call-Info', '<http://10.1.1.4/a.jpg>;purpose=icon']]);
    assert.deepEqual(onlyWeb.out, []);
    assert.deepEqual(onlyWeb.dropped, [['Call-Info', 'inside-address']]);
  });

  it('bounds and re-quotes display names', () => {
    const long = 'A'.repeat(4000);
    const { out } = shield([['P-Asserted-Identity', `"${long}" <sip:1@10.0.0.1>`]]);
    const [pai] = out;
    assert.ok(pai);
    const na = parseNameAddr(pai[1]);
    assert.equal(na.displayName, `"${'A'.repeat(128)}"`);
    const quoted = shield([['Referred-By', '"Say \\"hi\\" \\\\ me" <sip:1@10.0.0.1>']]).out;
    assert.deepEqual(quoted, [['Referred-By', `"Say \\"hi\\" \\\\ me" <sip:1@${SBC}>`]]);
    const short = shield([['P-Asserted-Identity', `"${'B'.repeat(50)}" <sip:1@h>`]], {
      settings: { maxDisplayName: 10 },
    }).out;
    assert.equal(short[0]?.[1], `"BBBBBBBBBB" <sip:1@${SBC}>`);
  });

  it('holds back what does not parse as its grammar, and control characters in any header', () => {
    const { out, dropped } = shield([
      ['P-Asserted-Identity', '<sip:1001@10.1.1.1'],
      ['P-Asserted-Identity', 'sip:a b c@@x'],
      ['Diversion', '<sip:2001@h>;reason=;counter'],
      ['Session-Expires', 'soon;refresher=uac'],
      ['Supported', 'timer, 100rel, bad token'],
      ['RSeq', '-1'],
      ['X-Evil', 'a\u0000b'],
      ['X-Also-Evil', 'a\u001bb'],
      ['Bad Name', 'v'],
      ['Session-Expires', '1800;refresher=uac'],
      ['Supported', 'timer, 100rel'],
      ['Reason', 'Q.850;cause=16;text="Normal call clearing"'],
      ['Retry-After', '120 (in a meeting);duration=3600'],
      ['X-Fine', 'tab\tand UTF-8: é'],
    ]);
    assert.deepEqual(
      dropped.map(([n, r]) => `${n}:${r}`),
      [
        'P-Asserted-Identity:malformed',
        'P-Asserted-Identity:malformed',
        'Diversion:malformed',
        'Session-Expires:malformed',
        'Supported:malformed',
        'RSeq:malformed',
        'X-Evil:malformed',
        'X-Also-Evil:malformed',
        'Bad Name:malformed',
      ],
    );
    assert.deepEqual(
      out.map(([n]) => n),
      ['Session-Expires', 'Supported', 'Reason', 'Retry-After', 'X-Fine'],
    );
  });

  it('holds back a header whose line is over maxHeaderBytes, and those past maxHeaders', () => {
    const big: [string, string] = ['X-Big', 'x'.repeat(3000)];
    const edge: [string, string] = ['X-Edge', 'y'.repeat(1024 - 'X-Edge: '.length)];
    const over: [string, string] = ['X-Over', 'z'.repeat(1024 - 'X-Over: '.length + 1)];
    const many = Array.from({ length: 200 }, (_, i): [string, string] => [`X-H${i}`, String(i)]);
    const { out, dropped } = shield([big, edge, over, ...many]);
    assert.equal(out.length, DEFAULT_SANITIZE.maxHeaders);
    assert.deepEqual(out[0], edge, 'a line of exactly the limit crosses');
    assert.deepEqual(dropped.slice(0, 2), [
      ['X-Big', 'too-long'],
      ['X-Over', 'too-long'],
    ]);
    assert.equal(dropped.filter(([, r]) => r === 'too-many').length, 200 - (DEFAULT_SANITIZE.maxHeaders - 1));
    const wide = shield([big], { settings: { maxHeaderBytes: 4096 } });
    assert.deepEqual(wide.out, [big]);
  });
});
