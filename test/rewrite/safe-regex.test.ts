/** Configured regexes: what is refused at load, and replacement templates. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_SUBJECT,
  RegexError,
  compileSafeRegex,
  compileTemplate,
  expand,
  missingGroups,
  replaceFirst,
} from '../../src/rewrite/safe-regex.js';

describe('compileSafeRegex', () => {
  it('accepts the patterns SIP profiles and translation rules are written with', () => {
    for (const p of [
      'Cisco-SIPGateway/IOS-.*',
      'sip:(\\+?[0-9]+)@',
      '^9([0-9]{10})$',
      '^1900',
      '<sip:(.*)@(.*)>',
      'a=(sendonly|recvonly)',
      '(\\+)?1?([2-9][0-9]{2})',
      '[^;]+;tag=(.*)',
      '(ab)?c{2,3}',
    ]) {
      assert.ok(compileSafeRegex(p) instanceof RegExp, p);
    }
  });

  it('refuses nested repetition, repeated alternation, backreferences and look-around', () => {
    const refused: Array<[string, RegExp]> = [
      ['(a+)+$', /repeated group/],
      ['(a*)*b', /repeated group/],
      ['((ab)*c)+', /repeated group/],
      ['(a|aa)+$', /repeated group/],
      ['(x|y){2,}', /repeated group/],
      ['(a)\\1', /backreference/],
      ['(?<n>a)\\k<n>', /backreference/],
      ['foo(?=bar)', /look-ahead/],
      ['(?<!x)y', /look-ahead/],
      ['.*a.*b.*c.*d', /more than 3 unbounded/],
      ['(abc', /unbalanced|Unterminated/],
      ['[abc', /unterminated/],
      ['*a', /nothing to repeat/],
    ];
    for (const [p, why] of refused)
      assert.throws(
        () => compileSafeRegex(p),
        (e: unknown) => e instanceof RegexError && why.test(e.message),
        p,
      );
  });

  it('lets a group with a bounded or optional inner part repeat only when nothing inside repeats', () => {
    assert.ok(compileSafeRegex('(ab)+c'));
    assert.ok(compileSafeRegex('(a?b)c'));
    assert.throws(() => compileSafeRegex('(a?b{2,5})+'), RegexError);
    assert.ok(compileSafeRegex('(a|b)?c'), 'an optional alternation does not repeat');
  });
});

describe('templates', () => {
  it('fills groups, the whole match, variables and escapes', () => {
    const re = /sip:(\d+)@(\w+)/;
    const m = re.exec('sip:123@host');
    const parts = compileTemplate('<sip:\\1@\\u05.example;x=\\\\>\\0');
    assert.equal(expand(parts, m, new Map([['u05', 'carrier']])), '<sip:123@carrier.example;x=\\>sip:123@host');
    assert.equal(expand(parts, m, new Map()), null, 'an unset variable: nothing is written');
    assert.deepEqual(compileTemplate('+1&', { ampersand: true }), ['+1', { group: 0 }]);
    assert.deepEqual(compileTemplate('a&b'), ['a&b'], '& is literal in SIP profiles');
  });

  it('names the groups a template uses that the pattern lacks', () => {
    assert.deepEqual(missingGroups(compileTemplate('\\1\\3'), /(a)(b)/), [3]);
    assert.deepEqual(missingGroups(compileTemplate('\\2'), /(a)(b)/), []);
  });

  it('replaces the first match only and leaves too long subjects alone', () => {
    assert.equal(replaceFirst('00441234', /^00/, compileTemplate('+'), new Map()), '+441234');
    assert.equal(replaceFirst('aXbX', /X/, compileTemplate('-'), new Map()), 'a-bX');
    assert.equal(replaceFirst('abc', /x/, compileTemplate('-'), new Map()), null);
    assert.equal(replaceFirst('a'.repeat(MAX_SUBJECT + 1), /a/, compileTemplate('b'), new Map()), null);
  });
});
