/** A dial-peer compiled from its JSON: patterns compiled, classes resolved, target parsed, defaults set. */
import type { DialConfig, DialPeerJson, SanitizeJson, SrtpPolicy } from '../config/dial-config.js';
import type { ConfigProblem } from '../errors/sbc-error.js';
import type { CodecClass, CodecName } from '../media/codec-class.js';
import type { KeepaliveProfile } from '../keepalive/keepalive-manager.js';
import type { RewriteClasses } from '../rewrite/rewrite-classes.js';
import type { SipProfile } from '../rewrite/sip-profile.js';
import type { TranslationProfile } from '../rewrite/translation.js';
import { type NumberPattern, PatternError, compilePattern } from './number-pattern.js';
import { type SessionTarget, parseSessionTarget } from './session-target.js';
import { UriClass, uriClassErrorField } from './uri-class.js';

export type HeaderPolicy = { pass: ReadonlySet<string> } | { drop: ReadonlySet<string> };

export type UriCriterion = 'via' | 'request' | 'to' | 'from';
export const URI_CRITERIA: readonly UriCriterion[] = ['via', 'request', 'to', 'from'];

export interface DialPeer {
  tag: number;
  description: string;
  incomingCalledNumber: NumberPattern | null;
  answerAddress: NumberPattern | null;
  incomingUri: Partial<Record<UriCriterion, UriClass>>;
  destinationPattern: NumberPattern | null;
  sessionTarget: SessionTarget | null;
  sessionTransport: 'udp' | 'tcp' | 'tls';
  /** 0-10, lower is tried first (CUBE default 0). */
  preference: number;
  huntstop: boolean;
  /** Null: unlimited. */
  maxConn: number | null;
  /** Calls per second it takes as the inbound dial-peer (CUBE `call spike`); null: unlimited. */
  callSpike: number | null;
  /** The downstream shield toward this dial-peer's leg, over the node's; null: the node's. */
  sanitize: SanitizeJson | null;
  shutdown: boolean;
  /** Null: the global `media.mode` (or the other dial-peer's choice) applies. */
  media: 'flow-through' | 'flow-around' | null;
  /** Null: the other dial-peer's choice, else the global `media.engine`. */
  mediaEngine: 'builtin' | 'rtpengine' | null;
  /** What this dial-peer's leg speaks: plain RTP, SRTP only, SRTP preferred, or SRTP relayed untouched. */
  srtp: SrtpPolicy;
  /** rtpengine's logical interface toward this dial-peer's leg; null: its default one. */
  mediaInterface: string | null;
  /** The codecs allowed on this dial-peer's leg; null: any. */
  voiceClassCodec: CodecClass | null;
  /** A delayed-offer call leaves this (outbound) dial-peer with an offer the SBC builds (flow-through). */
  earlyOfferForced: boolean;
  /** How DTMF travels on this leg; null: as the endpoints negotiate (telephone-event passes through). */
  dtmfRelay: 'rtp-nte' | 'sip-info' | null;
  /** Applied to what leaves on this dial-peer's leg (last step) and to what arrives on it (first step). */
  sipProfiles: SipProfile | null;
  sipProfilesInbound: SipProfile | null;
  /** Incoming: before the outbound lookup (inbound dial-peer); outgoing: on the outbound leg. */
  translationIncoming: TranslationProfile | null;
  translationOutgoing: TranslationProfile | null;
  /** Which headers the SBC does not use itself cross to this leg: all (null), only these, or all but these (canonical keys). */
  headerPolicy: HeaderPolicy | null;
  /** OPTIONS keepalive toward the session target (`voice-class sip options-keepalive profile N`). */
  keepalive: KeepaliveProfile | null;
  /** (inbound) What a call gets when every outbound dial-peer is busied out; null: the global setting, else 404. */
  errorCodeOverride: number | null;
  /** Digest credentials for challenges from this dial-peer's target; tried before the global ones. */
  authentication: Credential | null;
  /** The file it came from, for messages. */
  file: string;
}

/** A digest credential (`authentication` on a dial-peer, `sipUa.authentication` globally). */
export interface Credential {
  username: string;
  password: string;
  /** Only challenges of this realm; none: any realm. */
  realm?: string;
}

/** Dial-peer 0: what an inbound call matches when nothing else does (cube-reference §1.1). */
export const DIAL_PEER_0: DialPeer = {
  tag: 0,
  description: 'default (no inbound dial-peer matched)',
  incomingCalledNumber: null,
  answerAddress: null,
  incomingUri: {},
  destinationPattern: null,
  sessionTarget: null,
  sessionTransport: 'udp',
  preference: 0,
  huntstop: false,
  maxConn: null,
  callSpike: null,
  sanitize: null,
  shutdown: false,
  media: null,
  mediaEngine: null,
  srtp: 'off',
  mediaInterface: null,
  voiceClassCodec: null,
  earlyOfferForced: false,
  dtmfRelay: null,
  sipProfiles: null,
  sipProfilesInbound: null,
  translationIncoming: null,
  translationOutgoing: null,
  headerPolicy: null,
  keepalive: null,
  errorCodeOverride: null,
  authentication: null,
  file: '(built in)',
};

/** Operationally up as an outbound peer: an outbound match and a session target, not shut down (§1.3). */
export function isOutboundUp(dp: DialPeer): boolean {
  return !dp.shutdown && dp.destinationPattern !== null && dp.sessionTarget !== null;
}

/** The compiled classes dial-peers refer to (besides uri and codec classes, which are compiled here). */
export interface CompiledClasses {
  rewrite?: RewriteClasses;
  keepalive?: ReadonlyMap<number, KeepaliveProfile>;
}

export interface CompiledDialPeers {
  peers: DialPeer[];
  problems: ConfigProblem[];
}

/**
 * Compile every dial-peer; every problem is reported with its file and JSON pointer. `classes` are the
 * compiled rewriting classes the dial-peers refer to; `key` gives a header name's canonical key.
 */
export function compileDialPeers(
  config: DialConfig,
  refs: CompiledClasses = {},
  key: (name: string) => string = (n) => n.toLowerCase(),
): CompiledDialPeers {
  const { rewrite, keepalive } = refs;
  const problems: ConfigProblem[] = [];
  const classes = new Map<string, UriClass>();
  for (const c of config.uriClasses) {
    if (classes.has(c.value.id)) {
      problems.push({
        file: c.file,
        pointer: `${c.pointer}/id`,
        message: `uri class "${c.value.id}" is defined twice`,
      });
      continue;
    }
    try {
      classes.set(c.value.id, new UriClass(c.value));
    } catch (err) {
      problems.push({
        file: c.file,
        pointer: `${c.pointer}/${uriClassErrorField(err) ?? ''}`,
        message: (err as Error).message,
      });
    }
  }
  const codecs = new Map<number, CodecClass>();
  for (const c of config.codecClasses) {
    if (codecs.has(c.value.tag))
      problems.push({
        file: c.file,
        pointer: `${c.pointer}/tag`,
        message: `codec class ${c.value.tag} is defined twice`,
      });
    else
      codecs.set(c.value.tag, {
        tag: c.value.tag,
        preferences: c.value.preferences as CodecName[],
        offerAll: c.value.offerAll ?? false,
      });
  }
  const tags = new Map<number, string>();
  const peers: DialPeer[] = [];
  for (const { file, value } of config.dialPeers) {
    const problem = (pointer: string, message: string): void => void problems.push({ file, pointer, message });
    const seen = tags.get(value.tag);
    if (seen !== undefined) problem('/tag', `dial-peer ${value.tag} is also defined in ${seen}`);
    tags.set(value.tag, file);
    const pattern = (field: 'incomingCalledNumber' | 'answerAddress' | 'destinationPattern'): NumberPattern | null => {
      const text = value[field];
      if (text === undefined) return null;
      try {
        return compilePattern(text);
      } catch (err) {
        if (!(err instanceof PatternError)) throw err;
        problem(`/${field}`, `invalid pattern "${text}": ${err.message}`);
        return null;
      }
    };
    const incomingUri: Partial<Record<UriCriterion, UriClass>> = {};
    for (const key of URI_CRITERIA) {
      const id = value.incomingUri?.[key];
      if (id === undefined) continue;
      const cls = classes.get(id);
      if (cls === undefined) problem(`/incomingUri/${key}`, `no uri class "${id}" in profiles/`);
      else incomingUri[key] = cls;
    }
    let sessionTarget: SessionTarget | null = null;
    if (value.sessionTarget !== undefined) {
      try {
        sessionTarget = parseSessionTarget(value.sessionTarget);
      } catch (err) {
        problem('/sessionTarget', (err as Error).message);
      }
    }
    const codec = value.voiceClassCodec === undefined ? null : (codecs.get(value.voiceClassCodec) ?? null);
    if (value.voiceClassCodec !== undefined && codec === null)
      problem('/voiceClassCodec', `no codec class ${value.voiceClassCodec} in profiles/`);
    const ka =
      value.optionsKeepaliveProfile === undefined ? null : (keepalive?.get(value.optionsKeepaliveProfile) ?? null);
    if (value.optionsKeepaliveProfile !== undefined && ka === null)
      problem('/optionsKeepaliveProfile', `no sip-options-keepalive ${value.optionsKeepaliveProfile} in profiles/`);
    if (ka !== null && sessionTarget === null)
      problem('/optionsKeepaliveProfile', 'keepalive pings the session target: the dial-peer has none');
    peers.push({
      ...build(value, file, pattern, incomingUri, sessionTarget),
      voiceClassCodec: codec,
      keepalive: ka,
      ...rewriting(value, rewrite, key, problem),
    });
  }
  return { peers, problems };
}

function build(
  v: DialPeerJson,
  file: string,
  pattern: (f: 'incomingCalledNumber' | 'answerAddress' | 'destinationPattern') => NumberPattern | null,
  incomingUri: Partial<Record<UriCriterion, UriClass>>,
  sessionTarget: SessionTarget | null,
): Omit<DialPeer, 'voiceClassCodec' | 'keepalive' | keyof Rewriting> {
  // what refers to other classes (codec, keepalive, profiles, translation) is resolved by the caller
  return {
    tag: v.tag,
    description: v.description ?? '',
    incomingCalledNumber: pattern('incomingCalledNumber'),
    answerAddress: pattern('answerAddress'),
    incomingUri,
    destinationPattern: pattern('destinationPattern'),
    sessionTarget,
    sessionTransport: v.sessionTransport ?? 'udp',
    preference: v.preference ?? 0,
    huntstop: v.huntstop ?? false,
    maxConn: v.maxConn ?? null,
    callSpike: v.callSpike ?? null,
    sanitize: v.sanitize ?? null,
    shutdown: v.shutdown ?? false,
    media: v.media ?? null,
    mediaEngine: v.mediaEngine ?? null,
    srtp: v.srtp ?? 'off',
    mediaInterface: v.mediaInterface ?? null,
    earlyOfferForced: v.earlyOfferForced ?? false,
    dtmfRelay: v.dtmfRelay?.[0] ?? null,
    errorCodeOverride: v.errorCodeOverride ?? null,
    authentication: v.authentication ?? null,
    file,
  };
}

type Rewriting = Pick<
  DialPeer,
  'sipProfiles' | 'sipProfilesInbound' | 'translationIncoming' | 'translationOutgoing' | 'headerPolicy'
>;

/** The dial-peer's SIP profiles, translation profiles and header policy, resolved; a missing class is a problem. */
function rewriting(
  v: DialPeerJson,
  rewrite: RewriteClasses | undefined,
  key: (name: string) => string,
  problem: (pointer: string, message: string) => void,
): Rewriting {
  const profile = (field: 'sipProfiles' | 'sipProfilesInbound'): SipProfile | null => {
    const tag = v[field];
    if (tag === undefined) return null;
    const p = rewrite?.sipProfiles.get(tag);
    if (p === undefined) problem(`/${field}`, `no sip-profiles ${tag} in profiles/`);
    return p ?? null;
  };
  const translation = (dir: 'incoming' | 'outgoing'): TranslationProfile | null => {
    const name = v.translationProfile?.[dir];
    if (name === undefined) return null;
    const p = rewrite?.translationProfiles.get(name);
    if (p === undefined) problem(`/translationProfile/${dir}`, `no translation-profile "${name}" in profiles/`);
    return p ?? null;
  };
  const keys = (names: string[]): ReadonlySet<string> => new Set(names.map(key));
  return {
    sipProfiles: profile('sipProfiles'),
    sipProfilesInbound: profile('sipProfilesInbound'),
    translationIncoming: translation('incoming'),
    translationOutgoing: translation('outgoing'),
    headerPolicy:
      v.headerPassList !== undefined
        ? { pass: keys(v.headerPassList) }
        : v.headerDropList !== undefined
          ? { drop: keys(v.headerDropList) }
          : null,
  };
}
