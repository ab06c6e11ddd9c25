/** The exec tree read the IOS way: abbreviations, `?`, Tab, the `^` marker, and `| include` and friends. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { complete, contextHelp, resolve } from '../../src/cli/command-tree.js';
import { execLine } from '../../src/cli/exec.js';
import { execTree } from '../../src/cli/exec-commands.js';
import { applyFilter, parseFilter } from '../../src/cli/output-filter.js';
import type { ExecContext } from '../../src/cli/command-tree.js';
import type { StateView } from '../../src/node/state-view.js';

const tree = execTree();

/** A context whose view answers `nodes()` with fixed rows (the one call the tests below make). */
const ctx: ExecContext = {
  view: () =>
    ({
      nodes: () =>
        Promise.resolve([
          { node: 'sbc-a', alive: true, startedAt: 0, heartbeatAt: 0, calls: 3 },
          { node: 'sbc-b', alive: true, startedAt: 0, heartbeatAt: 0, calls: 5 },
        ]),
    }) as unknown as StateView,
  configuration: () => assert.fail('not used'),
};

describe('command tree', () => {
  it('takes any unique prefix of each keyword', () => {
    const r = resolve(tree, ['sh', 'cu', 'ca']);
    assert.ok(r.ok);
    assert.deepEqual(r.path, ['show', 'cube', 'calls']);
  });

  it('says which word is ambiguous, unknown, or that the command is incomplete', () => {
    assert.deepEqual(resolve(tree, ['show', 'c']), { ok: false, error: 'ambiguous', wordIndex: 1 });
    assert.deepEqual(resolve(tree, ['show', 'cube', 'bogus']), { ok: false, error: 'invalid', wordIndex: 2 });
    const r = resolve(tree, ['show', 'call']);
    assert.equal(r.ok === false && r.error, 'incomplete');
  });

  it('prefers a keyword to an argument and checks argument ranges', () => {
    const summary = resolve(tree, ['show', 'dial-peer', 'voice', 'su']);
    assert.ok(summary.ok);
    assert.equal(summary.path.at(-1), 'summary');
    const tag = resolve(tree, ['show', 'dial-peer', 'voice', '300']);
    assert.ok(tag.ok);
    assert.equal(tag.args['<1-2147483647>'], '300');
    assert.equal(resolve(tree, ['clear', 'call', 'voice', 'causecode', '200', 'id', 'x']).ok, false);
    const clear = resolve(tree, ['cl', 'ca', 'v', 'c', '16', 'i', 'abc']);
    assert.ok(clear.ok);
    assert.deepEqual(clear.args, { '<1-127>': '16', WORD: 'abc' });
  });

  it('? lists the next words with help (alphabetically, <cr> where the command may end) or completes a word', () => {
    assert.deepEqual(contextHelp(tree, 'show cube '), [
      '  calls   The SIP legs of every active call',
      '  status  Version, nodes and their call counts',
    ]);
    assert.deepEqual(contextHelp(tree, 'sh di'), ['dial-peer  dialplan']);
    const voice = contextHelp(tree, 'show dial-peer voice ');
    assert.ok(Array.isArray(voice));
    assert.deepEqual(
      voice.map((l) => l.trim().split(/\s+/)[0]),
      ['summary', '<1-2147483647>', '<cr>'],
    );
    assert.deepEqual(contextHelp(tree, 'show bogus '), { invalidAt: 5 });
    assert.deepEqual(contextHelp(tree, 'sh d '), { ambiguousUpTo: 4 });
  });

  it('Tab completes a unique keyword and leaves an ambiguous one alone', () => {
    assert.deepEqual(complete(tree, 'sh cu'), { completions: ['cube '], partial: 'cu' });
    assert.deepEqual(complete(tree, 'sh d').completions, ['dial-peer ', 'dialplan ']);
    assert.deepEqual(complete(tree, 'sh bogus ').completions, []);
  });
});

describe('output filters', () => {
  const text = ['alpha 1', ' child a', 'beta 2', ' child b', 'gamma 3'].join('\n');

  it('include, exclude, begin, section and count, abbreviated, with the regex as the rest of the line', () => {
    const run = (line: string): string => {
      const p = parseFilter(line);
      assert.ok(p.ok, line);
      return applyFilter(text, p.filter);
    };
    assert.equal(run('show x | i alpha|gamma'), 'alpha 1\ngamma 3');
    assert.equal(run('show x | exclude child'), 'alpha 1\nbeta 2\ngamma 3');
    assert.equal(run('show x | beg beta'), 'beta 2\n child b\ngamma 3');
    assert.equal(run('show x | sec beta'), 'beta 2\n child b');
    assert.equal(run('show x | count child [ab]'), 'Number of lines which match regexp = 2');
  });

  it('rejects an unknown modifier, a missing regex and a bad regex', () => {
    assert.deepEqual(parseFilter('show x | grep a'), { ok: false, message: 'invalid', at: 9 });
    assert.equal((parseFilter('show x | include') as { message: string }).message, 'incomplete');
    assert.equal((parseFilter('show x | include (') as { message: string }).message, 'invalid');
  });
});

describe('exec lines', () => {
  it('runs an abbreviated show with a filter', async () => {
    const out = await execLine(tree, ctx, 'sh cu stat | i sbc-b', 5);
    assert.equal(out.failed, false);
    assert.match(out.text, /^sbc-b +up +5 /);
    assert.doesNotMatch(out.text, /sbc-a/);
  });

  it('puts the ^ under the bad word, counting the prompt', async () => {
    const out = await execLine(tree, ctx, 'show cube bogus', 5);
    assert.equal(out.text, `${' '.repeat(5 + 10)}^\n% Invalid input detected at '^' marker.`);
    assert.equal((await execLine(tree, ctx, 'sh c', 5)).text, '% Ambiguous command:  "sh c"');
    assert.equal((await execLine(tree, ctx, 'show call', 5)).text, '% Incomplete command.');
    assert.equal((await execLine(tree, ctx, 'clear sip-ua statistics | i x', 0)).failed, true);
  });
});
