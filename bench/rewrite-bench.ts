/**
 * `npm run bench:rewrite`: what a 10-rule SIP profile adds to each message (the goal: under 5 µs), on the
 * INVITE with SDP a real softphone sends, rebuilt bytes included; a translation profile per call; and the worst case of the
 * slowest pattern the loader accepts (3 unbounded repetitions) on the longest value a rule reads.
 * Medians of interleaved rounds: the machine is shared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { applyProfile } from '../src/b2bua/message-edit.js';
import type { SipProfileRuleJson } from '../src/config/rewrite-config.js';
import { MAX_SUBJECT, compileSafeRegex } from '../src/rewrite/safe-regex.js';
import { compileSipProfile } from '../src/rewrite/sip-profile.js';
import { compileTranslationProfile, compileTranslationRules } from '../src/rewrite/translation.js';
import { headerKey } from '../src/sip/header-names.js';
import { parseMessage } from '../src/sip/message-parser.js';
import { realPeersDir } from '../test/helpers/paths.js';
import { median, microsPerCall } from './timing.js';

const file = path.join(realPeersDir, 'microsip-invite-early-offer.sip');
const bytes = Buffer.from(
  fs
    .readFileSync(file, 'latin1')
    .replace('From: <sip:', 'From: <sip:1001@')
    .replace('User-Agent: MicroSIP/3.21.3', 'User-Agent: Cisco-SIPGateway/IOS-17.6.1'),
  'latin1',
);

const rules: SipProfileRuleJson[] = [
  { rule: 10, request: 'ANY', sipHeader: 'User-Agent', modify: { match: 'Cisco-SIPGateway/IOS-.*', replace: 'FoSIP' } },
  { rule: 20, request: 'INVITE', sipHeader: 'X-Customer', add: 'acme' },
  { rule: 30, response: 'ANY', sipHeader: 'Server', remove: true },
  { rule: 40, request: 'INVITE', sdpHeader: 'a=ssrc', remove: true },
  { rule: 50, request: 'INVITE', sipHeader: 'From', copy: { match: 'sip:(\\+?[0-9]+)@', to: 'u01' } },
  { rule: 55, request: 'INVITE', sipHeader: 'P-Asserted-Identity', remove: true },
  { rule: 60, request: 'INVITE', sipHeader: 'P-Asserted-Identity', add: '<sip:\\u01@carrier.example>' },
  { rule: 70, request: 'INVITE', requestLine: true, modify: { match: 'sip:00', replace: 'sip:+' } },
  { rule: 80, request: 'ANY', sipHeader: 'Supported', modify: { match: ',? ?norefersub', replace: '' } },
  { rule: 90, request: 'INVITE', sdpHeader: 's=', modify: { match: '^s=.*', replace: 's=FoSIP' } },
];
const { profile, problems } = compileSipProfile({ kind: 'sip-profiles', tag: 2, rules }, headerKey);
if (problems.length > 0) throw new Error(JSON.stringify(problems));

const n = 20_000;
const round = (f: () => number): number => microsPerCall(n, f);

/** What every message pays anyway: parsed on arrival, serialized when it leaves. */
const plain = (): number => parseMessage(bytes).serialize().length;
/** The same message through the profile: the view, the 10 rules, the write-back, and the rebuilt bytes. */
const profiled = (): number => {
  const m = parseMessage(bytes);
  applyProfile(profile, m, false, { vars: new Map() });
  return m.serialize().length;
};

for (let i = 0; i < 5; i++) [plain, profiled].forEach(round); // warm up the JIT
const base: number[] = [];
const withProfile: number[] = [];
const added: number[] = [];
for (let i = 0; i < 15; i++) {
  // interleaved, so both see the same machine noise; the difference of each pair is the profile's cost
  const b = round(plain);
  const p = round(profiled);
  base.push(b);
  withProfile.push(p);
  added.push(p - b);
}
const check = parseMessage(bytes);
const fired = applyProfile(profile, check, false, { vars: new Map() }).fired.length;
console.log(
  `message: ${path.basename(file)} (${bytes.length} bytes); profile: ${rules.length} rules, ${fired} of them change this INVITE`,
);
console.log(
  `parse + serialize: median ${median(base).toFixed(2)} µs/msg; parse + 10-rule profile + serialize: median ${median(withProfile).toFixed(2)} µs/msg`,
);
console.log(
  `the profile adds: median ${median(added).toFixed(2)} µs/msg (goal < 5 µs; ${Math.round(1e6 / median(added)).toLocaleString('en-US')} profiled messages/s on one core)`,
);

// number translation: a profile with a called and a calling rule set, per call
const called = compileTranslationRules({
  kind: 'translation-rule',
  tag: 1,
  rules: [
    { rule: 1, reject: '^1900' },
    { rule: 2, match: '^9([0-9]{10})$', replace: '+1\\1' },
  ],
}).set;
const calling = compileTranslationRules({
  kind: 'translation-rule',
  tag: 3,
  rules: [{ rule: 1, match: '^([0-9]{4})$', replace: '+1555123\\1' }],
}).set;
const tp = compileTranslationProfile(
  { kind: 'translation-profile', name: 'to-carrier', translate: { called: 1, calling: 3 } },
  new Map([
    [1, called],
    [3, calling],
  ]),
).profile;
const tr: number[] = [];
for (let i = 0; i < 9; i++) {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let n = 0; n < 100_000; n++)
    sink += tp.apply({ called: `9555123${String(n % 10_000).padStart(4, '0')}`, calling: '1001', redirectCalled: null })
      .kind.length;
  tr.push(Number(process.hrtime.bigint() - t0) / 100_000 / 1000);
  if (sink === 42) console.log('');
}
console.log(`translation profile (called + calling): median ${median(tr).toFixed(2)} µs/call`);

// the worst a configured pattern can do: 3 unbounded repetitions that fail late, on the longest value read
const worst = compileSafeRegex('^(.*)@(.*)>(.*)x$');
const subject = '@>'.repeat(MAX_SUBJECT / 2);
const w: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = process.hrtime.bigint();
  worst.test(subject);
  w.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(
  `worst accepted pattern ^(.*)@(.*)>(.*)x$ on a ${subject.length}-character value that makes it backtrack: median ${median(w).toFixed(1)} ms`,
);
