/** CUBE wildcard patterns (cube-reference §1.4): prefix semantics, classes, groups, specificity. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PatternError, compareSpecificity, compilePattern, matches } from '../../src/routing/number-pattern.js';
import { PatternIndex } from '../../src/routing/pattern-index.js';
import { runs } from '../helpers/property-runs.js';

function m(pattern: string, number: string): boolean {
  return matches(compilePattern(pattern), number);
}

describe('number patterns', () => {
  it('match by prefix unless anchored with $', () => {
    assert.equal(m('555....', '5551234'), true);
    assert.equal(m('555....', '55512345'), true);
    assert.equal(m('555....', '555123'), false);
    assert.equal(m('555....$', '55512345'), false);
    assert.equal(m('^555....$', '5551234'), true);
  });

  it('know ., T, classes, exclusions, groups and quantifiers', () => {
    const cases: Array<[string, string, boolean]> = [
      ['.T', '1', true],
      ['.T', '', false],
      ['T', '', true],
      ['9T', '9', true],
      ['9T', '8', false],
      ['[1-5]00', '300', true],
      ['[1-5]00', '600', false],
      ['[2,5-8]', '6', true],
      ['[2,5-8]', '3', false],
      ['[^135]00', '300', false],
      ['[^135]00', '200', true],
      ['[^135]', '*', true],
      ['(12)+3', '12123', true],
      ['(12)+3', '3', false],
      ['1(2)?3', '13', true],
      ['1(2)?3', '123', true],
      ['91%2', '92', true],
      ['91%2', '91112', true],
      ['+1..', '+123', true],
      ['+1..', '1123', false],
      ['*#.', '*#5', true],
      ['\\+1', '+1', true],
      ['1,2,3', '123', true],
      ['A.', 'A1', true],
    ];
    for (const [p, n, want] of cases) assert.equal(m(p, n), want, `${p} vs ${n}`);
  });

  it('reject what CUBE rejects, saying why', () => {
    for (const bad of ['', '12T3', '1$2', '[12', '(12', '12)', '%1', 'abc', '[5-1]', '[]', '()', '1\\']) {
      assert.throws(() => compilePattern(bad), PatternError, JSON.stringify(bad));
    }
  });

  it('rank the longest explicit match first: 200. beats 2... beats [2-3]... beats 2T', () => {
    const ps = ['2T', '2...', '[2-3]...', '200.'].map(compilePattern);
    const order = [...ps].sort(compareSpecificity).map((p) => p.source);
    assert.deepEqual(order, ['200.', '2...', '2T', '[2-3]...']);
    assert.ok(
      compareSpecificity(compilePattern('2...'), compilePattern('2T')) < 0,
      'fixed length beats T with the same prefix',
    );
  });

  it('index lookups find exactly the patterns that match (against trying them all)', () => {
    const piece = fc.constantFrom('1', '2', '5', '9', '.', '[2-5]', '[^1]', 'T', '(12)+', '3?', '$');
    const pattern = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => {
      const s = parts.join('');
      try {
        return compilePattern(s);
      } catch {
        return compilePattern(s.replace(/[T$]/g, '') || '1');
      }
    });
    const digits = fc.stringMatching(/^[0-9]{0,10}$/);
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 30 }),
        fc.array(digits, { minLength: 1, maxLength: 10 }),
        (patterns, numbers) => {
          const index = new PatternIndex<number>();
          patterns.forEach((p, i) => index.add(p, i));
          for (const n of numbers) {
            const found = index
              .lookup(n)
              .map((e) => e.value)
              .sort((a, b) => a - b);
            const brute = patterns.map((p, i) => (matches(p, n) ? i : -1)).filter((i) => i >= 0);
            assert.deepEqual(found, brute, `number ${n}`);
          }
        },
      ),
      runs(300),
    );
  });
});
