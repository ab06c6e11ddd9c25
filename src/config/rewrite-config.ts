/**
 * The shapes of rewriting classes in profiles/: SIP profiles (`voice class sip-profiles`), translation
 * rules and translation profiles (`voice translation-rule`, `voice translation-profile`). The schemas check
 * the shape; what only the rewrite layer can judge (regexes, which action suits which target) is checked
 * when the classes are compiled, with the same file and JSON pointer.
 */

/** One rule of a SIP profile: when it applies, what it targets, and what it does (exactly one of each). */
export interface SipProfileRuleJson {
  rule: number;
  /** A method, `ANY`, or `REINVITE` (an INVITE inside a dialog; `INVITE` is the initial one only). */
  request?: string;
  /** A status code or `ANY`, optionally with the method it answers (`method`). */
  response?: number | 'ANY';
  method?: string;
  /** A SIP header by name (compact forms match too). */
  sipHeader?: string;
  /** The request line (`SIP-Req-URI`): modify or copy. */
  requestLine?: true;
  /** The status line (`SIP-StatusLine`): modify or copy; the status class cannot change. */
  statusLine?: true;
  /** SDP lines starting with this text (`a=ssrc`, `c=`, `a=rtpmap:101`), at the level `mline` (0: session). */
  sdpHeader?: string;
  mline?: number;
  /** A header of the other leg's message (CUBE `peer-header`): copy only. */
  peerHeader?: string;
  add?: string;
  remove?: true;
  modify?: { match: string; replace: string };
  copy?: { match: string; to: string };
}

export interface SipProfileJson {
  kind: 'sip-profiles';
  tag: number;
  description?: string;
  rules: SipProfileRuleJson[];
}

/** CUBE's `call-block disconnect-cause` names. */
export const BLOCK_CAUSES = ['call-reject', 'invalid-number', 'unassigned-number', 'user-busy', 'no-service'] as const;
export type BlockCause = (typeof BLOCK_CAUSES)[number];

export interface TranslationRuleJson {
  kind: 'translation-rule';
  tag: number;
  rules: Array<{ rule: number; match: string; replace: string } | { rule: number; reject: string; cause?: BlockCause }>;
}

export interface TranslationProfileJson {
  kind: 'translation-profile';
  name: string;
  translate: { called?: number; calling?: number; redirectCalled?: number };
}

const ruleNumber = { type: 'integer', minimum: 1, maximum: 10000 };
const tag = { type: 'integer', minimum: 1, maximum: 10000 };
const text = { type: 'string', minLength: 1, maxLength: 512 };

const headerName = { type: 'string', pattern: "^[A-Za-z0-9!%*_+`'~.-]{1,64}$" };

/** A class of `kind` with a tag and up to 100 numbered rules whose fields are `rule` plus `fields`. */
function ruledClass<K extends string, F extends Record<string, object>>(
  kind: K,
  fields: F,
  extra: Record<string, object> = {},
) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['kind', 'tag', 'rules'],
    properties: {
      kind: { const: kind },
      tag,
      ...extra,
      rules: {
        type: 'array',
        maxItems: 100,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['rule'],
          properties: { rule: ruleNumber, ...fields },
        },
      },
    },
  } as const;
}

export const SIP_PROFILE_SCHEMA = ruledClass(
  'sip-profiles',
  {
    request: { type: 'string', pattern: '^[A-Za-z]{1,32}$' },
    response: { oneOf: [{ type: 'integer', minimum: 100, maximum: 699 }, { const: 'ANY' }] },
    method: { type: 'string', pattern: '^[A-Za-z]{1,32}$' },
    sipHeader: headerName,
    requestLine: { const: true },
    statusLine: { const: true },
    sdpHeader: { type: 'string', pattern: '^[a-z]=[^\\r\\n]{0,64}$' },
    mline: { type: 'integer', minimum: 0, maximum: 15 },
    peerHeader: headerName,
    add: { type: 'string', maxLength: 512 },
    remove: { const: true },
    modify: {
      type: 'object',
      additionalProperties: false,
      required: ['match', 'replace'],
      properties: { match: text, replace: { type: 'string', maxLength: 512 } },
    },
    copy: {
      type: 'object',
      additionalProperties: false,
      required: ['match', 'to'],
      properties: { match: text, to: { type: 'string', pattern: '^u(0[1-9]|[1-9][0-9])$' } },
    },
  },
  { description: { type: 'string', maxLength: 240 } },
);

export const TRANSLATION_RULE_SCHEMA = ruledClass('translation-rule', {
  match: { type: 'string', minLength: 1, maxLength: 128 },
  replace: { type: 'string', maxLength: 64 },
  reject: { type: 'string', minLength: 1, maxLength: 128 },
  cause: { enum: BLOCK_CAUSES },
});

export const TRANSLATION_PROFILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name', 'translate'],
  properties: {
    kind: { const: 'translation-profile' },
    name: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,32}$' },
    translate: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { called: tag, calling: tag, redirectCalled: tag },
    },
  },
} as const;
