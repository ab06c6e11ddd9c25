/**
 * `fosip import ios`: a CUBE running-config to FoSIP's dial-peers and classes. The voice blocks an
 * operator already has (`dial-peer voice N voip`, `voice class codec | uri | sip-profiles |
 * sip-options-keepalive`, `voice translation-rule | translation-profile`) become the JSON of dialpeers/
 * and profiles/, the trusted list and `sip-ua` settings of fosip.json (ios-import-global.ts); every line
 * that has no FoSIP meaning, or that could not be read, is reported with its line number (a block outside
 * voice, such as `interface`, once for the whole block).
 */
import type { CodecClassJson, DialPeerJson, UriClassJson } from './dial-config.js';
import type { KeepaliveProfileJson } from './keepalive-config.js';
import type {
  SipProfileJson,
  SipProfileRuleJson,
  TranslationProfileJson,
  TranslationRuleJson,
} from './rewrite-config.js';
import { type GlobalSettings, sipUa, voiceServiceVoip } from './ios-import-global.js';
import { iosCodec, iosRegex, iosSipProfileRule, quotedWords } from './ios-words.js';

export interface ImportProblem {
  line: number;
  text: string;
  why: string;
}

export interface IosImport {
  dialPeers: DialPeerJson[];
  codecClasses: CodecClassJson[];
  uriClasses: UriClassJson[];
  sipProfiles: SipProfileJson[];
  keepaliveProfiles: KeepaliveProfileJson[];
  translationRules: TranslationRuleJson[];
  translationProfiles: TranslationProfileJson[];
  /** What goes into fosip.json: the trusted list, sip-ua. */
  settings: GlobalSettings;
  problems: ImportProblem[];
}

interface Line {
  n: number;
  text: string;
  words: string[];
}

interface Block {
  head: Line;
  body: Line[];
}

/** Top-level lines open a block; indented lines belong to it; `!` closes it. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  let current: Block | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = { n: i + 1, text: raw.trim(), words: quotedWords(raw.trim()) };
    if (line.text === '' || line.text.startsWith('!')) {
      if (line.text.startsWith('!') && !/^\s/.test(raw)) current = null;
      return;
    }
    if (/^\s/.test(raw) && current !== null) current.body.push(line);
    else out.push((current = { head: line, body: [] }));
  });
  return out;
}

/** Lines that mean nothing to FoSIP and need no report (SIP is the only protocol; there is no VAD). */
const HARMLESS = [/^session protocol sipv2$/, /^no vad$/, /^no shutdown$/, /^exit$/];

/** What `show running-config` prints around the configuration: not configuration, never reported. */
const BANNER = [/^Building configuration\.\.\.$/, /^Current configuration : \d+ bytes$/, /^end$/, /^version \S+$/];

const num = (w: string | undefined): number | null => (w !== undefined && /^\d+$/.test(w) ? Number(w) : null);

export function importIos(text: string): IosImport {
  const out: IosImport = {
    dialPeers: [],
    codecClasses: [],
    uriClasses: [],
    sipProfiles: [],
    keepaliveProfiles: [],
    translationRules: [],
    translationProfiles: [],
    settings: {},
    problems: [],
  };
  const report = (l: Line, why: string): void => void out.problems.push({ line: l.n, text: l.text, why });
  for (const b of blocks(text)) {
    const w = b.head.words;
    const tag = num(w[2]);
    const key = w.slice(0, 3).join(' ');
    if (w[0] === 'dial-peer' && w[1] === 'voice' && tag !== null && w[3] === 'voip') dialPeer(b, tag, out, report);
    else if (key === 'voice class codec' && num(w[3]) !== null) codecClass(b, num(w[3]) as number, out, report);
    else if (key === 'voice class uri' && w[3] !== undefined) uriClass(b, w[3], out, report);
    else if (key === 'voice class sip-profiles' && num(w[3]) !== null) sipProfile(b, num(w[3]) as number, out, report);
    else if (key === 'voice class sip-options-keepalive' && num(w[3]) !== null)
      keepalive(b, num(w[3]) as number, out, report);
    else if (w[0] === 'voice' && w[1] === 'translation-rule' && tag !== null) translationRule(b, tag, out, report);
    else if (w[0] === 'voice' && w[1] === 'translation-profile' && w[2] !== undefined)
      translationProfile(b, w[2], out, report);
    else if (b.head.text === 'voice service voip') voiceServiceVoip(b.body, out.settings, report);
    else if (b.head.text === 'sip-ua') sipUa(b.body, out.settings, report);
    else if (BANNER.some((r) => r.test(b.head.text))) continue;
    else if (w[0] === 'dial-peer' && w[1] === 'voice')
      report(b.head, 'only voip dial-peers are imported (POTS dial-peers have no meaning on an SBC)');
    else
      report(
        b.head,
        b.body.length > 0
          ? `not imported (with the ${b.body.length} line(s) under it): FoSIP imports dial-peers, voice classes, the trusted list and sip-ua`
          : 'not imported: FoSIP imports dial-peers, voice classes, the trusted list and sip-ua',
      );
  }
  return out;
}

type Report = (l: Line, why: string) => void;

function dialPeer(b: Block, tag: number, out: IosImport, report: Report): void {
  const dp: DialPeerJson = { tag };
  const dtmf: Array<'rtp-nte' | 'sip-info'> = [];
  for (const l of b.body) {
    const [a, c, d, e] = l.words;
    const rest = l.text.slice(l.text.indexOf(' ') + 1);
    if (HARMLESS.some((r) => r.test(l.text))) continue;
    if (a === 'description') dp.description = rest.slice(0, 240);
    else if (a === 'destination-pattern' && c) dp.destinationPattern = c;
    else if (a === 'incoming' && c === 'called-number' && d) dp.incomingCalledNumber = d;
    else if (a === 'answer-address' && c) dp.answerAddress = c;
    else if (a === 'incoming' && c === 'uri' && (d === 'via' || d === 'request' || d === 'to' || d === 'from') && e)
      dp.incomingUri = { ...dp.incomingUri, [d]: e };
    else if (a === 'session' && c === 'target' && d !== undefined && /^(ipv4|ipv6|dns):/.test(d)) dp.sessionTarget = d;
    else if (a === 'session' && c === 'transport' && (d === 'udp' || d === 'tcp'))
      dp.sessionTransport = d === 'tcp' && e === 'tls' ? 'tls' : d;
    else if (a === 'preference' && num(c) !== null) dp.preference = num(c) as number;
    else if (a === 'huntstop' && c === undefined) dp.huntstop = true;
    else if (a === 'max-conn' && num(c) !== null) dp.maxConn = num(c) as number;
    else if (a === 'shutdown' && c === undefined) dp.shutdown = true;
    else if (a === 'media' && (c === 'flow-through' || c === 'flow-around')) dp.media = c;
    else if (a === 'voice-class' && c === 'codec' && num(d) !== null) dp.voiceClassCodec = num(d) as number;
    else if (a === 'voice-class' && c === 'sip' && d === 'profiles' && num(e) !== null) {
      if (l.words[4] === 'inbound') dp.sipProfilesInbound = num(e) as number;
      else dp.sipProfiles = num(e) as number;
    } else if (
      a === 'voice-class' &&
      c === 'sip' &&
      d === 'options-keepalive' &&
      e === 'profile' &&
      num(l.words[4]) !== null
    )
      dp.optionsKeepaliveProfile = num(l.words[4]) as number;
    else if (a === 'voice-class' && c === 'sip' && d === 'early-offer' && e === 'forced') dp.earlyOfferForced = true;
    else if (a === 'translation-profile' && (c === 'incoming' || c === 'outgoing') && d)
      dp.translationProfile = { ...dp.translationProfile, [c]: d };
    else if (a === 'dtmf-relay') {
      for (const m of l.words.slice(1)) {
        if (m === 'rtp-nte' || m === 'sip-info') dtmf.push(m);
        else report(l, `dtmf-relay ${m} is not supported (rtp-nte and sip-info are)`);
      }
    } else if (a === 'codec' && c !== undefined) {
      const codec = iosCodec(c);
      if (codec === null) {
        report(l, `codec ${c} is not one FoSIP knows`);
        continue;
      }
      // a single codec on the dial-peer: a codec class of its own, numbered after the dial-peer
      const classTag = 10000 - (tag % 5000);
      out.codecClasses.push({ kind: 'codec', tag: classTag, preferences: [codec] });
      dp.voiceClassCodec = classTag;
      report(l, `imported as voice class codec ${classTag} (${codec} alone)`);
    } else report(l, 'not imported: no FoSIP dial-peer setting does this');
  }
  if (dtmf.length > 0) dp.dtmfRelay = [...new Set(dtmf)];
  out.dialPeers.push(dp);
}

function codecClass(b: Block, tag: number, out: IosImport, report: Report): void {
  const prefs: Array<[number, CodecClassJson['preferences'][number]]> = [];
  for (const l of b.body) {
    const [a, c, n, name] = l.words;
    if (a !== 'codec' || c !== 'preference' || num(n) === null) {
      report(l, 'not imported: a codec class lists `codec preference N NAME`');
      continue;
    }
    const codec = iosCodec(name ?? '');
    if (codec === null) report(l, `codec ${name ?? ''} is not one FoSIP knows`);
    else prefs.push([num(n) as number, codec]);
  }
  const preferences = [...new Set(prefs.sort((x, y) => x[0] - y[0]).map((p) => p[1]))];
  if (preferences.length === 0) report(b.head, 'a codec class without any codec FoSIP knows is left out');
  else out.codecClasses.push({ kind: 'codec', tag, preferences });
}

function uriClass(b: Block, id: string, out: IosImport, report: Report): void {
  const cls: UriClassJson = { kind: 'uri', id };
  const hosts: string[] = [];
  for (const l of b.body) {
    const [a, c] = l.words;
    if (a === 'host' && c !== undefined && /^(ipv4|ipv6|dns):/.test(c)) hosts.push(c);
    else if (a === 'host' && c !== undefined) cls.host = c;
    else if (a === 'user-id' && c !== undefined) cls.user = c;
    else if (a === 'pattern' && c !== undefined) cls.pattern = c;
    else report(l, 'not imported: a uri class has host, user-id or pattern');
  }
  if (hosts.length > 0) cls.host = hosts;
  out.uriClasses.push(cls);
}

function sipProfile(b: Block, tag: number, out: IosImport, report: Report): void {
  const rules: SipProfileRuleJson[] = [];
  for (const l of b.body) {
    const words = l.words[0] === 'rule' && num(l.words[1]) !== null ? l.words.slice(2) : l.words;
    const number = l.words[0] === 'rule' ? (num(l.words[1]) as number) : (rules.length + 1) * 10;
    const rule = iosSipProfileRule(words);
    if (typeof rule === 'string') report(l, rule);
    else rules.push({ rule: number, ...rule });
  }
  out.sipProfiles.push({ kind: 'sip-profiles', tag, rules });
}

function keepalive(b: Block, tag: number, out: IosImport, report: Report): void {
  const k: KeepaliveProfileJson = { kind: 'sip-options-keepalive', tag };
  for (const l of b.body) {
    const [a, c, d] = l.words;
    if (a === 'description') k.description = l.text.slice(12).slice(0, 240);
    else if (a === 'up-interval' && num(c) !== null) k.upInterval = num(c) as number;
    else if (a === 'down-interval' && num(c) !== null) k.downInterval = num(c) as number;
    else if (a === 'retry' && num(c) !== null) k.retry = Math.min(10, num(c) as number);
    else if (a === 'transport' && (c === 'udp' || c === 'tcp' || c === 'system'))
      k.transport = c === 'tcp' && d === 'tls' ? 'tls' : c;
    else if (a === 'sip-profiles' && num(c) !== null) k.sipProfiles = num(c) as number;
    else if (a === 'shutdown') k.shutdown = true;
    else report(l, 'not imported: no FoSIP keepalive setting does this');
  }
  out.keepaliveProfiles.push(k);
}

function translationRule(b: Block, tag: number, out: IosImport, report: Report): void {
  const rules: TranslationRuleJson['rules'] = [];
  for (const l of b.body) {
    const m = /^rule (\d+) (?:(reject) )?\/((?:[^/\\]|\\.)*)\/(?: \/((?:[^/\\]|\\.)*)\/)?(.*)$/.exec(l.text);
    if (m === null) {
      report(l, 'not a translation rule FoSIP can read (rule N /match/ /replace/, rule N reject /match/)');
      continue;
    }
    if ((m[5] ?? '').trim() !== '')
      report(l, `imported without "${(m[5] ?? '').trim()}" (number types and plans are not used)`);
    const rule = Number(m[1]);
    if (m[2] === 'reject') rules.push({ rule, reject: iosRegex(m[3] ?? '') });
    else if (m[4] !== undefined) rules.push({ rule, match: iosRegex(m[3] ?? ''), replace: m[4] });
    else report(l, 'a rule needs a replacement (or reject)');
  }
  out.translationRules.push({ kind: 'translation-rule', tag, rules });
}

function translationProfile(b: Block, name: string, out: IosImport, report: Report): void {
  const translate: TranslationProfileJson['translate'] = {};
  for (const l of b.body) {
    const [a, c, d] = l.words;
    const n = num(d);
    if (a === 'translate' && c === 'called' && n !== null) translate.called = n;
    else if (a === 'translate' && c === 'calling' && n !== null) translate.calling = n;
    else if (a === 'translate' && c === 'redirect-called' && n !== null) translate.redirectCalled = n;
    else report(l, 'not imported: a translation profile translates called, calling or redirect-called');
  }
  if (Object.keys(translate).length === 0) report(b.head, 'a translation profile that translates nothing is left out');
  else out.translationProfiles.push({ kind: 'translation-profile', name, translate });
}
