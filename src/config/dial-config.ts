/**
 * Dial-peers (`dialpeers/*.json`, one per file) and classes (`profiles/*.json`, one object or an array
 * per file), checked against their schemas. Every problem is collected with its file and JSON pointer;
 * the routing layer adds what only it can judge (patterns, references, unique tags).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ConfigProblem } from '../errors/sbc-error.js';
import { KEEPALIVE_PROFILE_SCHEMA, type KeepaliveProfileJson } from './keepalive-config.js';
import {
  SIP_PROFILE_SCHEMA,
  type SipProfileJson,
  TRANSLATION_PROFILE_SCHEMA,
  TRANSLATION_RULE_SCHEMA,
  type TranslationProfileJson,
  type TranslationRuleJson,
} from './rewrite-config.js';

/** CUBE's dial-peer `srtp`: see DialPeerJson.srtp. */
export type SrtpPolicy = 'off' | 'required' | 'fallback' | 'pass-thru';

export interface DialPeerJson {
  tag: number;
  description?: string;
  incomingCalledNumber?: string;
  answerAddress?: string;
  incomingUri?: { via?: string; request?: string; to?: string; from?: string };
  destinationPattern?: string;
  /** `ipv4:A.B.C.D[:port]`, `ipv6:[addr]:port`, `dns:name[:port]`. */
  sessionTarget?: string;
  sessionTransport?: 'udp' | 'tcp' | 'tls';
  preference?: number;
  huntstop?: boolean;
  maxConn?: number;
  /** CUBE `call spike`: calls per second this dial-peer takes as the inbound one; more get 503 with Retry-After. */
  callSpike?: number;
  /** The shield toward this dial-peer's leg, over fosip.json's `sanitize`. */
  sanitize?: SanitizeJson;
  shutdown?: boolean;
  /** CUBE `media flow-through|flow-around` on the dial-peer; the outbound dial-peer's wins, then the inbound one's. */
  media?: 'flow-through' | 'flow-around';
  /** Which engine relays this dial-peer's flow-through calls (the outbound dial-peer's wins, then the inbound one's, then `media.engine`). */
  mediaEngine?: 'builtin' | 'rtpengine';
  /**
   * CUBE's `srtp` on the dial-peer: what this dial-peer's leg speaks. `off` (default): plain RTP (rtpengine
   * decrypts toward it); `required`: SRTP only (an offer without it gets 488); `fallback`: SRTP offered,
   * RTP accepted (rtpengine only); `pass-thru`: SRTP relayed untouched end to end.
   */
  srtp?: SrtpPolicy;
  /**
   * rtpengine's logical interface this dial-peer's leg is faced with (`--interface=NAME/ADDRESS`): the PBX
   * leg on an inside address, the carrier leg on an outside one. Unset: rtpengine's `default`.
   */
  mediaInterface?: string;
  /** The tag of a codec class in profiles/ (`voice-class codec N`). */
  voiceClassCodec?: number;
  /** `voice-class sip early-offer forced`: an INVITE without SDP leaves this dial-peer with the SBC's own offer. */
  earlyOfferForced?: boolean;
  /** `dtmf-relay`: how DTMF travels on this dial-peer's leg (the first method listed is used). */
  dtmfRelay?: Array<'rtp-nte' | 'sip-info'>;
  /** SIP profile applied to every message leaving on this dial-peer's leg, as the last step (`voice-class sip profiles N`). */
  sipProfiles?: number;
  /** SIP profile applied to every message arriving on this dial-peer's leg, as the first step. */
  sipProfilesInbound?: number;
  /** Translation profiles by name: incoming (before the outbound lookup) and outgoing (on the outbound leg). */
  translationProfile?: { incoming?: string; outgoing?: string };
  /** Headers the SBC does not use itself cross to this leg unless dropped; a pass-list lets only those listed cross. */
  headerPassList?: string[];
  headerDropList?: string[];
  /** The tag of a sip-options-keepalive profile: the session target is pinged, and the dial-peer busied out when it stops answering. */
  optionsKeepaliveProfile?: number;
  /** (inbound) The status a call gets when every outbound dial-peer is busied out (default 404, or the global one). */
  errorCodeOverride?: number;
  /** Digest credentials for a 401/407 from this dial-peer's target (`authentication username U password P [realm R]`). */
  authentication?: CredentialJson;
}

/**
 * The downstream shield (fosip.json `sanitize`, a dial-peer's own for its leg): what the B2BUA copies into
 * the other leg's messages is bounded and hides the far side's hosts.
 */
export interface SanitizeJson {
  /** A copied header whose line is longer stays behind (default 1024 bytes). */
  maxHeaderBytes?: number;
  /** At most this many copied headers per message (default 64). */
  maxHeaders?: number;
  /** Copied display names are cut to this many characters (default 128). */
  maxDisplayName?: number;
  /** Hosts in identity and routing headers become the SBC's (default true). */
  topologyHiding?: boolean;
}

export const SANITIZE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxHeaderBytes: { type: 'integer', minimum: 128, maximum: 65536 },
    maxHeaders: { type: 'integer', minimum: 1, maximum: 1000 },
    maxDisplayName: { type: 'integer', minimum: 1, maximum: 1024 },
    topologyHiding: { type: 'boolean' },
  },
} as const;

/** A digest credential; without a realm it answers any challenge (the challenge's realm is used). */
export interface CredentialJson {
  username: string;
  password: string;
  realm?: string;
}

export const CREDENTIAL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 128 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
    realm: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

/** `voice class codec N`: the codecs allowed on a leg, most preferred first. */
export interface CodecClassJson {
  kind: 'codec';
  tag: number;
  preferences: string[];
  /** Offer every codec of the list when the SBC builds an offer itself (`offer-all`). */
  offerAll?: boolean;
}

/** The codec names a codec class may list (CUBE's names). */
export const CODEC_NAMES = ['g711ulaw', 'g711alaw', 'g729r8', 'g722', 'opus', 'ilbc'] as const;

/** `voice class uri`: up to 10 typed hosts or one host regex, or a user-id regex, or a whole-URI regex. */
export interface UriClassJson {
  kind: 'uri';
  id: string;
  host?: string | string[];
  user?: string;
  pattern?: string;
}

export interface Located<T> {
  file: string;
  /** JSON pointer of the object inside its file ('' for the whole file). */
  pointer: string;
  value: T;
}

export interface DialConfig {
  dialPeers: Array<Located<DialPeerJson>>;
  uriClasses: Array<Located<UriClassJson>>;
  codecClasses: Array<Located<CodecClassJson>>;
  sipProfiles: Array<Located<SipProfileJson>>;
  translationRules: Array<Located<TranslationRuleJson>>;
  translationProfiles: Array<Located<TranslationProfileJson>>;
  keepaliveProfiles: Array<Located<KeepaliveProfileJson>>;
  problems: ConfigProblem[];
}

const pattern = { type: 'string', minLength: 1, maxLength: 64 };
const headerList = {
  type: 'array',
  maxItems: 64,
  uniqueItems: true,
  items: { type: 'string', pattern: "^[A-Za-z0-9!%*_+`'~.-]{1,64}$" },
};

export const DIAL_PEER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['tag'],
  properties: {
    tag: { type: 'integer', minimum: 1, maximum: 2147483647 },
    description: { type: 'string', maxLength: 240 },
    incomingCalledNumber: pattern,
    answerAddress: pattern,
    incomingUri: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        via: { type: 'string' },
        request: { type: 'string' },
        to: { type: 'string' },
        from: { type: 'string' },
      },
    },
    destinationPattern: pattern,
    sessionTarget: {
      type: 'string',
      pattern:
        '^(ipv4:[0-9.]+(:[0-9]{1,5})?|ipv6:\\[[0-9a-fA-F:.]+\\](:[0-9]{1,5})?|dns:[A-Za-z0-9.-]+(:[0-9]{1,5})?)$',
    },
    sessionTransport: { enum: ['udp', 'tcp', 'tls'] },
    preference: { type: 'integer', minimum: 0, maximum: 10 },
    huntstop: { type: 'boolean' },
    maxConn: { type: 'integer', minimum: 1 },
    callSpike: { type: 'integer', minimum: 1, maximum: 100000 },
    sanitize: SANITIZE_SCHEMA,
    shutdown: { type: 'boolean' },
    media: { enum: ['flow-through', 'flow-around'] },
    mediaEngine: { enum: ['builtin', 'rtpengine'] },
    srtp: { enum: ['off', 'required', 'fallback', 'pass-thru'] },
    mediaInterface: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    voiceClassCodec: { type: 'integer', minimum: 1, maximum: 10000 },
    earlyOfferForced: { type: 'boolean' },
    dtmfRelay: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['rtp-nte', 'sip-info'] } },
    sipProfiles: { type: 'integer', minimum: 1, maximum: 10000 },
    sipProfilesInbound: { type: 'integer', minimum: 1, maximum: 10000 },
    translationProfile: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { incoming: { type: 'string', minLength: 1 }, outgoing: { type: 'string', minLength: 1 } },
    },
    optionsKeepaliveProfile: { type: 'integer', minimum: 1, maximum: 10000 },
    errorCodeOverride: { type: 'integer', minimum: 400, maximum: 699 },
    headerPassList: headerList,
    headerDropList: headerList,
    authentication: CREDENTIAL_SCHEMA,
  },
  not: { required: ['headerPassList', 'headerDropList'] },
} as const;

export const CODEC_CLASS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'tag', 'preferences'],
  properties: {
    kind: { const: 'codec' },
    tag: { type: 'integer', minimum: 1, maximum: 10000 },
    preferences: { type: 'array', minItems: 1, maxItems: 14, uniqueItems: true, items: { enum: CODEC_NAMES } },
    offerAll: { type: 'boolean' },
  },
} as const;

export const URI_CLASS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'id'],
  properties: {
    kind: { const: 'uri' },
    id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,32}$' },
    host: {
      oneOf: [
        { type: 'string', minLength: 1, maxLength: 31 },
        {
          type: 'array',
          minItems: 1,
          maxItems: 10,
          items: { type: 'string', pattern: '^(ipv4:[0-9.]+|ipv6:\\[?[0-9a-fA-F:.]+\\]?|dns:[A-Za-z0-9.-]+)$' },
        },
      ],
    },
    user: { type: 'string', minLength: 1, maxLength: 31 },
    pattern: { type: 'string', minLength: 1, maxLength: 31 },
  },
  oneOf: [{ required: ['host'] }, { required: ['user'] }, { required: ['pattern'] }],
} as const;

const ajv = new Ajv({ allErrors: true });
const checkDialPeer = ajv.compile<DialPeerJson>(DIAL_PEER_SCHEMA);
const checkUriClass = ajv.compile<UriClassJson>(URI_CLASS_SCHEMA);
const checkCodecClass = ajv.compile<CodecClassJson>(CODEC_CLASS_SCHEMA);
const checkSipProfile = ajv.compile<SipProfileJson>(SIP_PROFILE_SCHEMA);
const checkTranslationRule = ajv.compile<TranslationRuleJson>(TRANSLATION_RULE_SCHEMA);
const checkTranslationProfile = ajv.compile<TranslationProfileJson>(TRANSLATION_PROFILE_SCHEMA);
const checkKeepaliveProfile = ajv.compile<KeepaliveProfileJson>(KEEPALIVE_PROFILE_SCHEMA);

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    return `unknown field "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`;
  }
  if (e.keyword === 'oneOf' && e.instancePath === '') return 'a uri class needs exactly one of host, user or pattern';
  if (e.keyword === 'not' && e.instancePath === '')
    return 'a dial-peer has a headerPassList or a headerDropList, not both';
  return e.message ?? 'invalid';
}

/** ajv also reports why each oneOf branch failed; the oneOf error itself says it better. */
function problems(file: string, base: string, errors: ErrorObject[] | null | undefined): ConfigProblem[] {
  const all = errors ?? [];
  const oneOfAt = new Set(all.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return all
    .filter(
      (e) =>
        e.keyword === 'oneOf' ||
        !(e.schemaPath.includes('/oneOf/') && [...oneOfAt].some((at) => e.instancePath.startsWith(at))),
    )
    .map((e) => ({ file, pointer: base + e.instancePath, message: describe(e) }));
}

function readJson(file: string, out: ConfigProblem[]): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    out.push({ file, pointer: '', message: `not valid JSON: ${(err as Error).message}` });
    return undefined;
  }
}

function jsonFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

const CLASS_KINDS = [
  'uri',
  'codec',
  'sip-profiles',
  'translation-rule',
  'translation-profile',
  'sip-options-keepalive',
].map((k) => `"${k}"`);

/** A configuration made of these parts, the others empty (tests and benchmarks build theirs so). */
export function dialConfig(parts: Partial<DialConfig> = {}): DialConfig {
  return {
    dialPeers: [],
    uriClasses: [],
    codecClasses: [],
    sipProfiles: [],
    translationRules: [],
    translationProfiles: [],
    keepaliveProfiles: [],
    problems: [],
    ...parts,
  };
}

export function loadDialConfig(configDir: string): DialConfig {
  const out = dialConfig();
  for (const file of jsonFiles(path.join(configDir, 'dialpeers'))) {
    const data = readJson(file, out.problems);
    if (data === undefined) continue;
    if (checkDialPeer(data)) out.dialPeers.push({ file, pointer: '', value: data });
    else out.problems.push(...problems(file, '', checkDialPeer.errors));
  }
  for (const file of jsonFiles(path.join(configDir, 'profiles'))) {
    const data = readJson(file, out.problems);
    if (data === undefined) continue;
    const items = Array.isArray(data) ? data : [data];
    items.forEach((item: unknown, i) => {
      const pointer = Array.isArray(data) ? `/${i}` : '';
      const kind = typeof item === 'object' && item !== null ? (item as { kind?: unknown }).kind : undefined;
      const take = <T>(check: ValidateFunction<T>, into: Array<Located<T>>): void => {
        if (check(item)) into.push({ file, pointer, value: item });
        else out.problems.push(...problems(file, pointer, check.errors));
      };
      if (kind === 'codec') take(checkCodecClass, out.codecClasses);
      else if (kind === 'uri') take(checkUriClass, out.uriClasses);
      else if (kind === 'sip-profiles') take(checkSipProfile, out.sipProfiles);
      else if (kind === 'translation-rule') take(checkTranslationRule, out.translationRules);
      else if (kind === 'translation-profile') take(checkTranslationProfile, out.translationProfiles);
      else if (kind === 'sip-options-keepalive') take(checkKeepaliveProfile, out.keepaliveProfiles);
      else
        out.problems.push({
          file,
          pointer: `${pointer}/kind`,
          message: `unknown class kind ${JSON.stringify(kind)} (expected one of ${CLASS_KINDS.join(', ')})`,
        });
    });
  }
  return out;
}
