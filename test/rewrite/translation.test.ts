/** Translation rules and profiles (cube-reference §3): first match wins, groups, reject with a cause. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TranslationRuleJson } from '../../src/config/rewrite-config.js';
import { compileTranslationProfile, compileTranslationRules } from '../../src/rewrite/translation.js';

function rules(json: TranslationRuleJson['rules'], tag = 1) {
  const c = compileTranslationRules({ kind: 'translation-rule', tag, rules: json });
  assert.deepEqual(c.problems, []);
  return c.set;
}

describe('translation rules', () => {
  const set = rules([
    { rule: 1, match: '^9([0-9]{10})$', replace: '+1\\1' },
    { rule: 2, reject: '^1900', cause: 'call-reject' },
    { rule: 3, match: '^0+', replace: '' },
    { rule: 4, match: '55', replace: '<&>' },
  ]);

  it('turns 9 + 10 digits into +1 + 10 digits', () => {
    assert.deepEqual(set.translate('95551234567'), { kind: 'matched', rule: 1, number: '+15551234567' });
  });

  it('blocks on a reject rule with its cause, and defaults the cause to no-service', () => {
    assert.deepEqual(set.translate('19005550000'), { kind: 'blocked', rule: 2, cause: 'call-reject' });
    assert.deepEqual(rules([{ rule: 1, reject: '^666' }]).translate('666'), {
      kind: 'blocked',
      rule: 1,
      cause: 'no-service',
    });
  });

  it('is unanchored: only the matched part is replaced, the rest kept; the first matching rule wins', () => {
    assert.deepEqual(set.translate('004930'), { kind: 'matched', rule: 3, number: '4930' });
    assert.deepEqual(set.translate('1552'), { kind: 'matched', rule: 4, number: '1<55>2' });
    assert.deepEqual(set.translate('1234'), { kind: 'unchanged' });
  });

  it('tries rules by number, not by their order in the file', () => {
    const s = rules([
      { rule: 20, match: '^1', replace: 'B' },
      { rule: 10, match: '^1', replace: 'A' },
    ]);
    assert.deepEqual(s.translate('123'), { kind: 'matched', rule: 10, number: 'A23' });
  });

  it('reports bad rules with their pointer', () => {
    const c = compileTranslationRules({
      kind: 'translation-rule',
      tag: 5,
      rules: [
        { rule: 1, match: '(a+)+', replace: 'x' },
        { rule: 2, match: '^9(\\d)', replace: '\\2' },
        { rule: 2, reject: '^1' },
        { rule: 3, match: 'x', reject: 'y' },
      ],
    });
    assert.deepEqual(
      c.problems.map((p) => p.pointer),
      ['/rules/0/match', '/rules/1/replace', '/rules/2/rule', '/rules/3'],
    );
  });
});

describe('translation profiles', () => {
  const sets = new Map([
    [1, rules([{ rule: 1, match: '^9', replace: '+1' }], 1)],
    [
      3,
      rules(
        [
          { rule: 1, match: '^(\\d{4})$', replace: '+3125550\\1' },
          { rule: 2, reject: '^666$', cause: 'user-busy' },
        ],
        3,
      ),
    ],
  ]);

  it('translates called, calling and redirect numbers, each with its own rules', () => {
    const { profile, problems } = compileTranslationProfile(
      { kind: 'translation-profile', name: 'to-carrier', translate: { called: 1, calling: 3, redirectCalled: 3 } },
      sets,
    );
    assert.deepEqual(problems, []);
    const r = profile.apply({ called: '95551234567', calling: '1001', redirectCalled: '1002' });
    assert.equal(r.kind, 'translated');
    assert.deepEqual(r.kind === 'translated' && r.numbers, {
      called: '+15551234567',
      calling: '+31255501001',
      redirectCalled: '+31255501002',
    });
    assert.deepEqual(profile.apply({ called: '9', calling: '666', redirectCalled: null }), {
      kind: 'blocked',
      number: 'calling',
      rule: 2,
      tag: 3,
      cause: 'user-busy',
    });
  });

  it('names a rule set that does not exist', () => {
    const { problems } = compileTranslationProfile(
      { kind: 'translation-profile', name: 'x', translate: { called: 9 } },
      sets,
    );
    assert.deepEqual(problems, [{ pointer: '/translate/called', message: 'no translation-rule 9 in profiles/' }]);
  });
});
