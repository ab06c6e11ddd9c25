/**
 * The classes of `profiles/` as IOS prints them in `show running-config` (the forms `fosip import-ios`
 * reads back): voice class codec, uri, sip-profiles, sip-options-keepalive, voice translation-rule and
 * translation-profile. What IOS has no word for stays visible as a `!` comment under its class.
 */
import type { CodecClassJson, UriClassJson } from '../config/dial-config.js';
import type { KeepaliveProfileJson } from '../config/keepalive-config.js';
import { regexForIos } from '../config/ios-words.js';
import type {
  SipProfileJson,
  SipProfileRuleJson,
  TranslationProfileJson,
  TranslationRuleJson,
} from '../config/rewrite-config.js';

export type ClassJson =
  UriClassJson | CodecClassJson | SipProfileJson | TranslationRuleJson | TranslationProfileJson | KeepaliveProfileJson;

/** IOS quotes a word with spaces or quotes in it. */
function q(text: string): string {
  return `"${text.replace(/"/g, '\\"')}"`;
}

function codecLines(c: CodecClassJson): string[] {
  return [
    `voice class codec ${c.tag}`,
    ...c.preferences.map((name, i) => ` codec preference ${i + 1} ${name}`),
    ...(c.offerAll === true ? [' ! offerAll: every codec is offered when the SBC builds an offer itself'] : []),
  ];
}

function uriLines(c: UriClassJson): string[] {
  const hosts = c.host === undefined ? [] : Array.isArray(c.host) ? c.host : [c.host];
  return [
    `voice class uri ${c.id} sip`,
    ...hosts.map((h) => ` host ${h}`),
    ...(c.user === undefined ? [] : [` user-id ${c.user}`]),
    ...(c.pattern === undefined ? [] : [` pattern ${c.pattern}`]),
  ];
}

/** One rule: `rule N request|response X [method M] <target> <action>`, CUBE's words. */
function sipProfileRule(r: SipProfileRuleJson): string {
  const when =
    r.request !== undefined
      ? `request ${r.request}`
      : `response ${r.response ?? 'ANY'}${r.method === undefined ? '' : ` method ${r.method}`}`;
  const target = r.requestLine
    ? 'sip-header SIP-Req-URI'
    : r.statusLine
      ? 'sip-header SIP-StatusLine'
      : r.peerHeader !== undefined
        ? `peer-header sip ${r.peerHeader}`
        : r.sdpHeader !== undefined
          ? `sdp-header ${r.sdpHeader}${r.mline === undefined ? '' : ` mline ${r.mline}`}`
          : `sip-header ${r.sipHeader ?? ''}`;
  const action =
    r.remove === true
      ? 'remove'
      : r.add !== undefined
        ? `add ${q(r.sipHeader === undefined ? r.add : `${r.sipHeader}: ${r.add}`)}`
        : r.modify !== undefined
          ? `modify ${q(r.modify.match)} ${q(r.modify.replace)}`
          : `copy ${q(r.copy?.match ?? '')} ${r.copy?.to ?? ''}`;
  return ` rule ${r.rule} ${when} ${target} ${action}`;
}

function sipProfileLines(c: SipProfileJson): string[] {
  return [
    `voice class sip-profiles ${c.tag}`,
    ...(c.description === undefined ? [] : [` ! ${c.description}`]),
    ...c.rules.map(sipProfileRule),
  ];
}

function keepaliveLines(c: KeepaliveProfileJson): string[] {
  const line = (text: string, when: unknown): string[] => (when === undefined || when === false ? [] : [` ${text}`]);
  return [
    `voice class sip-options-keepalive ${c.tag}`,
    ...line(`description ${c.description ?? ''}`, c.description),
    ...line(`up-interval ${c.upInterval ?? ''}`, c.upInterval),
    ...line(`down-interval ${c.downInterval ?? ''}`, c.downInterval),
    ...line(`retry ${c.retry ?? ''}`, c.retry),
    ...line(`transport ${c.transport === 'tls' ? 'tcp tls' : (c.transport ?? '')}`, c.transport),
    ...line(`sip-profiles ${c.sipProfiles ?? ''}`, c.sipProfiles),
    ...line('shutdown', c.shutdown),
  ];
}

function translationRuleLines(c: TranslationRuleJson): string[] {
  return [
    `voice translation-rule ${c.tag}`,
    ...c.rules.flatMap((r) =>
      'reject' in r
        ? [
            ` rule ${r.rule} reject /${regexForIos(r.reject)}/`,
            // CUBE sets the cause on the dial-peer (call-block disconnect-cause); FoSIP keeps it with the rule
            ...(r.cause === undefined ? [] : [` ! rule ${r.rule} rejects with cause ${r.cause}`]),
          ]
        : [` rule ${r.rule} /${regexForIos(r.match)}/ /${r.replace}/`],
    ),
  ];
}

function translationProfileLines(c: TranslationProfileJson): string[] {
  const t = c.translate;
  return [
    `voice translation-profile ${c.name}`,
    ...(t.called === undefined ? [] : [` translate called ${t.called}`]),
    ...(t.calling === undefined ? [] : [` translate calling ${t.calling}`]),
    ...(t.redirectCalled === undefined ? [] : [` translate redirect-called ${t.redirectCalled}`]),
  ];
}

/** The IOS block of one class, closed by `!`. */
export function classLines(c: ClassJson): string[] {
  const lines =
    c.kind === 'codec'
      ? codecLines(c)
      : c.kind === 'uri'
        ? uriLines(c)
        : c.kind === 'sip-profiles'
          ? sipProfileLines(c)
          : c.kind === 'sip-options-keepalive'
            ? keepaliveLines(c)
            : c.kind === 'translation-rule'
              ? translationRuleLines(c)
              : translationProfileLines(c);
  return [...lines, '!'];
}
