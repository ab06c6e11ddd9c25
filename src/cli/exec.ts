/**
 * Running one exec line (`sh cu ca | i 5551`) against the command tree, with IOS's answers to what cannot
 * be run: the `^` marker under the first word that fits nothing, `% Ambiguous command`, and
 * `% Incomplete command.`
 */
import { type CommandNode, type ExecContext, contextHelp, resolve, splitWords } from './command-tree.js';
import { CommandError } from './exec-commands.js';
import { applyFilter, parseFilter } from './output-filter.js';

export interface ExecOutcome {
  /** What to print (may be empty). */
  text: string;
  /** The records behind the text, for `--json`; undefined when the line printed help or failed. */
  data?: unknown;
  failed: boolean;
}

/** `column` is where the line starts on screen (the prompt's length), so that the `^` lands under the word. */
export function invalidAt(column: number, at: number): string {
  return `${' '.repeat(column + at)}^\n% Invalid input detected at '^' marker.`;
}

const fail = (text: string): ExecOutcome => ({ text, failed: true });

/** What `?` at the end of `line` prints. */
export function helpFor(root: CommandNode, line: string, column: number): ExecOutcome {
  const help = contextHelp(root, line);
  if ('ambiguousUpTo' in help) return fail(`% Ambiguous command:  "${line.slice(0, help.ambiguousUpTo).trim()}"`);
  if (!Array.isArray(help)) return fail(invalidAt(column, help.invalidAt));
  return { text: help.join('\n'), failed: false };
}

/** Run one line; `extra` carries the flags of the one-shot command line (`limit`, `calling`). */
export async function execLine(
  root: CommandNode,
  ctx: ExecContext,
  line: string,
  column: number,
  extra: Record<string, string> = {},
): Promise<ExecOutcome> {
  if (line.trimEnd().endsWith('?')) return helpFor(root, line.trimEnd().slice(0, -1), column);
  const parsed = parseFilter(line);
  if (!parsed.ok) {
    if (parsed.message === 'ambiguous') return fail(`% Ambiguous command:  "${line.trim()}"`);
    if (parsed.message === 'incomplete') return fail('% Incomplete command.');
    return fail(invalidAt(column, parsed.at));
  }
  const words = splitWords(parsed.command);
  if (words.length === 0) return { text: '', failed: false };
  const r = resolve(
    root,
    words.map((w) => w.word),
  );
  if (!r.ok) {
    if (r.error === 'incomplete')
      return fail(
        words.length === 1 ? `% Type "${words[0]?.word ?? ''} ?" for a list of subcommands` : '% Incomplete command.',
      );
    const bad = words[r.wordIndex] ?? { word: '', at: 0 };
    if (r.error === 'ambiguous')
      return fail(`% Ambiguous command:  "${line.slice(0, bad.at + bad.word.length).trim()}"`);
    return fail(invalidAt(column, bad.at));
  }
  if (parsed.filter !== null && r.path[0] !== 'show') return fail(invalidAt(column, line.indexOf('|')));
  try {
    const out = await (r.node.run as NonNullable<typeof r.node.run>)(ctx, { ...extra, ...r.args });
    return { text: applyFilter(out.text, parsed.filter), data: out.data, failed: false };
  } catch (err) {
    if (err instanceof CommandError) return fail(`% ${err.message}`);
    return fail(`% ${err instanceof Error ? err.message : String(err)}`);
  }
}
