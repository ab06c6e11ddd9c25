/**
 * The exec commands as one tree of keywords and arguments, read the way IOS reads them: any unique prefix
 * of a keyword stands for it (`sh cu ca`), an exact keyword beats a prefix, and a keyword beats an
 * argument that would also take the word. The shell and the one-shot `fosip show ...` both walk this tree.
 */

import type { Configuration } from '../node/configuration.js';
import type { StateView } from '../node/state-view.js';

/** What a command reads: the deployment's state (opened on first use) and the local configuration. */
export interface ExecContext {
  view(): StateView;
  /** The configuration of the node the view reads (show dial-peer, show dialplan). */
  configuration(): Promise<Configuration>;
}

export interface CommandNode {
  /** A keyword (`show`), or an argument's placeholder as `?` prints it (`<1-127>`, `WORD`). */
  readonly word: string;
  readonly help: string;
  readonly kind: 'keyword' | 'argument';
  /** For an argument: whether a typed word fits it. */
  readonly accepts: (word: string) => boolean;
  readonly children: readonly CommandNode[];
  /** Present when the command may end here. */
  readonly run?: CommandHandler;
}

/** Arguments by placeholder word, plus the flags of the one-shot command line (`limit`, `calling`). */
export type CommandArgs = Readonly<Record<string, string>>;
export type CommandHandler = (ctx: ExecContext, args: CommandArgs) => Promise<CommandOutput>;

/** What a command produced: the records (for `--json`) and the table people read. */
export interface CommandOutput {
  data: unknown;
  text: string;
}

export function keyword(word: string, help: string, children: CommandNode[] = [], run?: CommandHandler): CommandNode {
  return { word, help, kind: 'keyword', accepts: (w) => w === word, children, ...(run ? { run } : {}) };
}

export function argument(
  word: string,
  help: string,
  accepts: (w: string) => boolean,
  children: CommandNode[] = [],
  run?: CommandHandler,
): CommandNode {
  return { word, help, kind: 'argument', accepts, children, ...(run ? { run } : {}) };
}

/** `<lo-hi>`: a whole number in range. */
export function rangeArgument(
  lo: number,
  hi: number,
  help: string,
  children: CommandNode[] = [],
  run?: CommandHandler,
): CommandNode {
  return argument(
    `<${lo}-${hi}>`,
    help,
    (w) => /^[0-9]+$/.test(w) && Number(w) >= lo && Number(w) <= hi,
    children,
    run,
  );
}

export type Resolution =
  | { ok: true; node: CommandNode; args: Record<string, string>; path: string[] }
  | { ok: false; error: 'invalid'; wordIndex: number }
  | { ok: false; error: 'ambiguous'; wordIndex: number }
  | { ok: false; error: 'incomplete'; node: CommandNode };

/** The children a (possibly partial) word may stand for: the exact keyword, else keywords it prefixes, else arguments. */
export function candidates(children: readonly CommandNode[], word: string): CommandNode[] {
  const keywords = children.filter((c) => c.kind === 'keyword');
  const exact = keywords.find((c) => c.word === word);
  if (exact) return [exact];
  const prefixed = keywords.filter((c) => c.word.startsWith(word.toLowerCase()));
  if (prefixed.length > 0) return prefixed;
  return children.filter((c) => c.kind === 'argument' && c.accepts(word));
}

/** Walk `words` down from `root`'s children. */
export function resolve(root: CommandNode, words: readonly string[]): Resolution {
  let node = root;
  const args: Record<string, string> = {};
  const path: string[] = [];
  for (const [i, word] of words.entries()) {
    const found = candidates(node.children, word);
    if (found.length === 0) return { ok: false, error: 'invalid', wordIndex: i };
    if (found.length > 1) return { ok: false, error: 'ambiguous', wordIndex: i };
    node = found[0] as CommandNode;
    if (node.kind === 'argument') args[node.word] = word;
    path.push(node.kind === 'keyword' ? node.word : word);
  }
  if (node.run === undefined) return { ok: false, error: 'incomplete', node };
  return { ok: true, node, args, path };
}

/** Split a command line into words with the column each starts at (for the `^` marker). */
export function splitWords(line: string): Array<{ word: string; at: number }> {
  const out: Array<{ word: string; at: number }> = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push({ word: m[0], at: m.index });
  return out;
}

/**
 * What `?` prints. After a space (`show ?`): the next words with their help, and `<cr>` when the command may
 * end there. Right after a word (`show c?`): the keywords that word may still become.
 */
export function contextHelp(
  root: CommandNode,
  line: string,
): string[] | { invalidAt: number } | { ambiguousUpTo: number } {
  const words = splitWords(line);
  const partial = line.length > 0 && !/\s$/.test(line) ? words.pop() : undefined;
  const r = resolve(
    root,
    words.map((w) => w.word),
  );
  let node: CommandNode;
  if (r.ok) node = r.node;
  else if (r.error === 'incomplete') node = r.node;
  else {
    const w = words[r.wordIndex] ?? { word: '', at: 0 };
    return r.error === 'ambiguous' ? { ambiguousUpTo: w.at + w.word.length } : { invalidAt: w.at };
  }
  if (partial !== undefined) {
    const matches = node.children.filter((c) =>
      c.kind === 'keyword' ? c.word.startsWith(partial.word.toLowerCase()) : c.accepts(partial.word),
    );
    if (matches.length === 0) return { invalidAt: partial.at };
    return [matches.map((c) => c.word).join('  ')];
  }
  // IOS lists keywords alphabetically, then the arguments
  const sorted = [...node.children].sort((a, b) =>
    a.kind === b.kind ? a.word.localeCompare(b.word) : a.kind === 'keyword' ? -1 : 1,
  );
  const width = Math.max(4, ...sorted.map((c) => c.word.length));
  const lines = sorted.map((c) => `  ${c.word.padEnd(width)}  ${c.help}`);
  if (node.run !== undefined) lines.push('  <cr>');
  return lines;
}

/** Tab: the one keyword the last partial word can become (with a trailing space), else none. */
export function complete(root: CommandNode, line: string): { completions: string[]; partial: string } {
  const words = splitWords(line);
  const partial = line.length > 0 && !/\s$/.test(line) ? (words.pop()?.word ?? '') : '';
  const r = resolve(
    root,
    words.map((w) => w.word),
  );
  const node = r.ok ? r.node : r.error === 'incomplete' ? r.node : undefined;
  if (node === undefined) return { completions: [], partial };
  const exact = node.children.find((c) => c.kind === 'keyword' && c.word === partial);
  const keywords = exact
    ? [exact]
    : node.children.filter((c) => c.kind === 'keyword' && c.word.startsWith(partial.toLowerCase()));
  return { completions: keywords.map((c) => `${c.word} `), partial };
}
