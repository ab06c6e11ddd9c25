/**
 * The offline test commands (CUBE needs a separate tool for profiles and `test voice translation-rule` for
 * numbers): run a SIP profile over a message file, or a number through translation rules and profiles,
 * with the configuration as it is on disk, and print what happened.
 */
import fs from 'node:fs';
import { applyProfile } from '../b2bua/message-edit.js';
import type { Configuration } from '../node/configuration.js';
import { SbcError } from '../errors/sbc-error.js';
import type { Numbers } from '../rewrite/translation.js';
import { parseMessage } from '../sip/message-parser.js';
import type { SipMessage } from '../sip/sip-message.js';

function readMessage(file: string): SipMessage {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new SbcError('SBC_ERR_USAGE', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parseMessage(bytes);
  } catch (err) {
    throw new SbcError('SBC_ERR_USAGE', `${file} is not a SIP message: ${(err as Error).message}`);
  }
}

/** `fosip test sip-profile <tag> <file>`: the rules that fired or were refused, the variables, then the message. */
export function testSipProfile(
  config: Configuration,
  tag: number,
  file: string,
  opts: { direction: 'in' | 'out'; peer?: string },
): string {
  const profile = config.rewrite.sipProfiles.get(tag);
  if (profile === undefined)
    throw new SbcError('SBC_ERR_USAGE', `no sip-profiles ${tag} in ${config.settings.configDir}/profiles/`);
  const msg = readMessage(file);
  const peer = opts.peer === undefined ? undefined : readMessage(opts.peer);
  const inDialog = msg.isRequest() && msg.to().params.get('tag') !== undefined;
  const vars = new Map<string, string>();
  const result = applyProfile(
    profile,
    msg,
    inDialog,
    peer === undefined ? { vars } : { vars, peerHeader: (n) => peer.header(n) },
  );
  const what = msg.isRequest()
    ? `${inDialog && msg.method === 'INVITE' ? 'REINVITE' : msg.method} request`
    : `${msg.isResponse() ? msg.status : ''} response to ${msg.cseq().method}`;
  const lines = [
    `sip-profiles ${tag} (${opts.direction === 'in' ? 'inbound' : 'outbound'}) on the ${what}: ${profile.rules.length} rules`,
  ];
  for (const rule of result.fired) lines.push(`  rule ${rule}: applied`);
  for (const s of result.skipped) lines.push(`  rule ${s.rule}: NOT applied, ${s.reason}`);
  if (result.fired.length === 0 && result.skipped.length === 0) lines.push('  no rule matched');
  for (const [name, value] of [...vars].sort()) lines.push(`  ${name} = ${value}`);
  lines.push(result.changed ? '--- the message as it leaves the profile ---' : '--- the message is unchanged ---');
  lines.push(msg.serialize().toString('latin1'));
  return lines.join('\n');
}

/** `fosip test translation-rule <tag> <number>`, worded as IOS `test voice translation-rule` prints it. */
export function testTranslationRule(config: Configuration, tag: number, number: string): string {
  const set = config.rewrite.translationRules.get(tag);
  if (set === undefined)
    throw new SbcError('SBC_ERR_USAGE', `no translation-rule ${tag} in ${config.settings.configDir}/profiles/`);
  const r = set.translate(number);
  if (r.kind === 'unchanged') return "Didn't match with any of rules";
  if (r.kind === 'blocked')
    return `Matched with rule ${r.rule}\nNumber ${number} blocked on rule ${r.rule} (disconnect cause ${r.cause})`;
  return `Matched with rule ${r.rule}\nOriginal number: ${number}\tTranslated number: ${r.number}`;
}

/** `fosip test translation-profile <name> --called N --calling M [--redirect R]`. */
export function testTranslationProfile(config: Configuration, name: string, numbers: Numbers): string {
  const profile = config.rewrite.translationProfiles.get(name);
  if (profile === undefined)
    throw new SbcError('SBC_ERR_USAGE', `no translation-profile "${name}" in ${config.settings.configDir}/profiles/`);
  const r = profile.apply(numbers);
  if (r.kind === 'blocked')
    return `Number ${numbers[r.number] ?? ''} (${r.number}) blocked on translation-rule ${r.tag} rule ${r.rule} (disconnect cause ${r.cause})`;
  const lines: string[] = [];
  for (const kind of ['called', 'calling', 'redirectCalled'] as const) {
    const before = numbers[kind];
    if (before === null) continue;
    const hit = r.matched.find((m) => m.number === kind);
    const label = kind === 'redirectCalled' ? 'redirect-called' : kind;
    lines.push(
      hit === undefined
        ? `${label}: ${before} (unchanged)`
        : `${label}: ${before} -> ${r.numbers[kind] ?? ''} (translation-rule ${hit.tag} rule ${hit.rule})`,
    );
  }
  return lines.join('\n');
}
