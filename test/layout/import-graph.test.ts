/**
 * The shape of src/ that the architecture guide asks for, checked on the sources: no import cycle (type
 * imports count: a cycle of types is still two files that cannot be read apart), nothing at the top level
 * but main.ts and version.ts, no `instanceof` of a concrete store outside the folder that defines it, and
 * no error raised without a code of the catalogue (errors/sbc-error.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';

const srcRoot = path.join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The relative modules a file imports or re-exports (static and dynamic), as source paths. */
export function importsOf(file: string, text: string): string[] {
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
  return specs.map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Every cycle's files in order (each cycle once, from its first file met in a depth-first walk). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const next of graph.get(f) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push(stack.slice(stack.indexOf(next)));
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (state.get(f) === undefined) visit(f);
  return cycles;
}

describe('src/ layout', () => {
  const files = sourceFiles(srcRoot);
  const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));

  it('reads the whole tree (so the checks below cannot pass on nothing)', () => {
    assert.ok(files.length > 100, `only ${files.length} source files found under ${srcRoot}`);
    const edges = files.reduce((n, f) => n + importsOf(f, texts.get(f) ?? '').length, 0);
    assert.ok(edges > 300, `only ${edges} relative imports found: the import pattern stopped matching`);
  });

  it('has no import cycle', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f, texts.get(f) ?? '')]));
    const cycles = findCycles(graph).map((c) => c.map((f) => path.relative(srcRoot, f)).join(' -> '));
    assert.deepEqual(cycles, []);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    assert.deepEqual(findCycles(g), [['a', 'b', 'c']]);
    assert.deepEqual(
      importsOf(
        '/x/y.ts',
        "import type { A } from './a.js';\nexport { B } from '../b.js';\nconst m = await import('./c.js');",
      ),
      ['/x/a.ts', '/b.ts', '/x/c.ts'],
    );
  });

  it('keeps nothing at the top level of src/ but main.ts and version.ts', () => {
    const top = fs
      .readdirSync(srcRoot, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    assert.deepEqual(top, ['main.ts', 'version.ts']);
  });

  it('tests a concrete store with instanceof only inside its own folder', () => {
    const stores = [...texts.entries()].flatMap(([f, t]) =>
      [...t.matchAll(/export class (\w+(?:Store|Bus))\b/g)].map((m) => ({ name: m[1] ?? '', dir: path.dirname(f) })),
    );
    assert.ok(
      stores.some((s) => s.name === 'RedisCallStore'),
      'the store classes were not found',
    );
    const offences = [...texts.entries()].flatMap(([f, t]) =>
      stores
        .filter((s) => path.dirname(f) !== s.dir && new RegExp(`instanceof ${s.name}\\b`).test(t))
        .map((s) => `${path.relative(srcRoot, f)}: instanceof ${s.name}`),
    );
    assert.deepEqual(offences, []);
  });

  it('raises only coded errors: no bare Error, no error class outside the catalogue, every code in it', () => {
    const bare = [...texts.entries()].flatMap(([f, t]) =>
      [...t.matchAll(/new Error\(|class \w+ extends Error\b/g)].map((m) => `${path.relative(srcRoot, f)}: ${m[0]}`),
    );
    assert.deepEqual(
      bare.filter((b) => !b.startsWith(`errors${path.sep}sbc-error.ts: class SbcError`)),
      [],
    );
    const catalogue = texts.get(path.join(srcRoot, 'errors', 'sbc-error.ts')) ?? '';
    const known = new Set([...catalogue.matchAll(/^  (SBC_ERR_[A-Z_]+):/gm)].map((m) => m[1]));
    assert.ok(known.size >= 20, `the catalogue's codes were not found (${known.size})`);
    const used = [...texts.values()].flatMap((t) => [...t.matchAll(/'(SBC_ERR_[A-Z_]+)'/g)].map((m) => m[1] ?? ''));
    assert.ok(used.length > 40, `only ${used.length} uses of a code found`);
    assert.deepEqual([...new Set(used.filter((c) => !known.has(c)))], []);
  });
});
