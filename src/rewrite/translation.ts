/**
 * `voice translation-rule` and `voice translation-profile` (cube-reference §3): sed-style rules tried top
 * down, the first match wins and only the matched part is replaced; a reject rule blocks the call.
 * Profiles translate the called, calling and redirect numbers, each with its own rule set.
 */
import type { BlockCause, TranslationProfileJson, TranslationRuleJson } from '../config/rewrite-config.js';
import {
  RegexError,
  type TemplatePart,
  compileSafeRegex,
  compileTemplate,
  missingGroups,
  replaceFirst,
} from './safe-regex.js';

/** CUBE `call-block disconnect-cause` -> Q.850 cause (the B2BUA maps it to a SIP status). */
export const BLOCK_CAUSE_CODES: Record<BlockCause, number> = {
  'call-reject': 21,
  'invalid-number': 28,
  'unassigned-number': 1,
  'user-busy': 17,
  'no-service': 63,
};

type CompiledRule =
  { rule: number; match: RegExp; replace: TemplatePart[] } | { rule: number; reject: RegExp; cause: BlockCause };

export type Translated =
  | { kind: 'unchanged' }
  | { kind: 'matched'; rule: number; number: string }
  | { kind: 'blocked'; rule: number; cause: BlockCause };

export class TranslationRuleSet {
  constructor(
    readonly tag: number,
    private readonly rules: readonly CompiledRule[],
  ) {}

  translate(number: string): Translated {
    for (const r of this.rules) {
      if ('reject' in r) {
        if (r.reject.test(number)) return { kind: 'blocked', rule: r.rule, cause: r.cause };
        continue;
      }
      const out = replaceFirst(number, r.match, r.replace, new Map());
      if (out !== null) return { kind: 'matched', rule: r.rule, number: out };
    }
    return { kind: 'unchanged' };
  }
}

export interface Problem {
  pointer: string;
  message: string;
}

export function compileTranslationRules(json: TranslationRuleJson): { set: TranslationRuleSet; problems: Problem[] } {
  const problems: Problem[] = [];
  const rules: CompiledRule[] = [];
  const seen = new Set<number>();
  json.rules.forEach((r, i) => {
    const at = `/rules/${i}`;
    if (seen.has(r.rule)) problems.push({ pointer: `${at}/rule`, message: `rule ${r.rule} is defined twice` });
    seen.add(r.rule);
    const hasMatch = 'match' in r;
    const hasReject = 'reject' in r;
    if (hasMatch === hasReject || (hasMatch && !('replace' in r)) || (hasReject && 'replace' in r)) {
      problems.push({ pointer: at, message: 'a rule is either "match" with "replace", or "reject"' });
      return;
    }
    const text = hasMatch ? r.match : r.reject;
    let re: RegExp;
    try {
      re = compileSafeRegex(text);
    } catch (err) {
      if (!(err instanceof RegexError)) throw err;
      problems.push({
        pointer: `${at}/${hasMatch ? 'match' : 'reject'}`,
        message: `invalid regex "${text}": ${err.message}`,
      });
      return;
    }
    if (!hasMatch) {
      rules.push({ rule: r.rule, reject: re, cause: r.cause ?? 'no-service' });
      return;
    }
    const replace = compileTemplate(r.replace, { ampersand: true });
    const missing = missingGroups(replace, re);
    if (missing.length > 0)
      problems.push({
        pointer: `${at}/replace`,
        message: `refers to group \\${missing[0]}, which the match does not have`,
      });
    else rules.push({ rule: r.rule, match: re, replace });
  });
  rules.sort((a, b) => a.rule - b.rule);
  return { set: new TranslationRuleSet(json.tag, rules), problems };
}

export type NumberKind = 'called' | 'calling' | 'redirectCalled';
export const NUMBER_KINDS: readonly NumberKind[] = ['called', 'calling', 'redirectCalled'];

export interface Numbers {
  called: string;
  calling: string;
  /** The number the call was diverted from (Diversion), when there is one. */
  redirectCalled: string | null;
}

export type ProfileOutcome =
  | { kind: 'translated'; numbers: Numbers; matched: Array<{ number: NumberKind; rule: number; tag: number }> }
  | { kind: 'blocked'; number: NumberKind; rule: number; tag: number; cause: BlockCause };

export class TranslationProfile {
  constructor(
    readonly name: string,
    readonly sets: Readonly<Partial<Record<NumberKind, TranslationRuleSet>>>,
  ) {}

  apply(numbers: Numbers): ProfileOutcome {
    const out: Numbers = { ...numbers };
    const matched: Array<{ number: NumberKind; rule: number; tag: number }> = [];
    for (const kind of NUMBER_KINDS) {
      const set = this.sets[kind];
      const number = out[kind];
      if (set === undefined || number === null) continue;
      const r = set.translate(number);
      if (r.kind === 'blocked') return { kind: 'blocked', number: kind, rule: r.rule, tag: set.tag, cause: r.cause };
      if (r.kind === 'matched') {
        out[kind] = r.number;
        matched.push({ number: kind, rule: r.rule, tag: set.tag });
      }
    }
    return { kind: 'translated', numbers: out, matched };
  }
}

/** Resolve a profile's rule tags; a missing tag is a problem at its pointer. */
export function compileTranslationProfile(
  json: TranslationProfileJson,
  sets: ReadonlyMap<number, TranslationRuleSet>,
): { profile: TranslationProfile; problems: Problem[] } {
  const problems: Problem[] = [];
  const resolved: Partial<Record<NumberKind, TranslationRuleSet>> = {};
  for (const kind of NUMBER_KINDS) {
    const tag = json.translate[kind];
    if (tag === undefined) continue;
    const set = sets.get(tag);
    if (set === undefined)
      problems.push({ pointer: `/translate/${kind}`, message: `no translation-rule ${tag} in profiles/` });
    else resolved[kind] = set;
  }
  return { profile: new TranslationProfile(json.name, resolved), problems };
}
