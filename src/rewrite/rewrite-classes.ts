/**
 * Every rewriting class in profiles/ compiled at once: SIP profiles by tag, translation rule sets by tag,
 * translation profiles by name. Problems carry the file and JSON pointer of what is wrong.
 */
import type { DialConfig, Located } from '../config/dial-config.js';
import type { ConfigProblem } from '../errors/sbc-error.js';
import { type SipProfile, compileSipProfile } from './sip-profile.js';
import {
  type TranslationProfile,
  type TranslationRuleSet,
  compileTranslationProfile,
  compileTranslationRules,
} from './translation.js';

export interface RewriteClasses {
  sipProfiles: ReadonlyMap<number, SipProfile>;
  translationRules: ReadonlyMap<number, TranslationRuleSet>;
  translationProfiles: ReadonlyMap<string, TranslationProfile>;
}

export const NO_REWRITE_CLASSES: RewriteClasses = {
  sipProfiles: new Map(),
  translationRules: new Map(),
  translationProfiles: new Map(),
};

/** Compile each located item once; a second definition of the same id is a problem at its id field. */
function each<J, T, K>(
  items: Array<Located<J>>,
  idOf: (j: J) => K,
  idField: string,
  what: (id: K) => string,
  compile: (j: J) => { value: T; problems: Array<{ pointer: string; message: string }> },
  problems: ConfigProblem[],
): Map<K, T> {
  const out = new Map<K, T>();
  for (const { file, pointer, value } of items) {
    const id = idOf(value);
    if (out.has(id)) {
      problems.push({ file, pointer: `${pointer}/${idField}`, message: `${what(id)} is defined twice` });
      continue;
    }
    const c = compile(value);
    problems.push(...c.problems.map((p) => ({ file, pointer: pointer + p.pointer, message: p.message })));
    out.set(id, c.value);
  }
  return out;
}

/** `key`: the canonical header key of a name (the SIP codec's; this leaf does not know it). */
export function compileRewriteClasses(
  config: DialConfig,
  key: (name: string) => string,
): { classes: RewriteClasses; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const sipProfiles = each(
    config.sipProfiles,
    (j) => j.tag,
    'tag',
    (t) => `sip-profiles ${t}`,
    (j) => {
      const c = compileSipProfile(j, key);
      return { value: c.profile, problems: c.problems };
    },
    problems,
  );
  const translationRules = each(
    config.translationRules,
    (j) => j.tag,
    'tag',
    (t) => `translation-rule ${t}`,
    (j) => {
      const c = compileTranslationRules(j);
      return { value: c.set, problems: c.problems };
    },
    problems,
  );
  const translationProfiles = each(
    config.translationProfiles,
    (j) => j.name,
    'name',
    (n) => `translation-profile "${n}"`,
    (j) => {
      const c = compileTranslationProfile(j, translationRules);
      return { value: c.profile, problems: c.problems };
    },
    problems,
  );
  return { classes: { sipProfiles, translationRules, translationProfiles }, problems };
}
