/**
 * Finds the patterns that match a number without trying them all. Each pattern hangs in a trie under its
 * leading single positions (literals, classes, `.`): a literal is one edge, a `.` is the node's "any"
 * edge, and a class fans out into one edge per character it admits, up to MAX_PATHS paths a pattern
 * (beyond that the pattern stops at that depth). A lookup walks the number's characters, following both
 * the character's edge and the any edge, and tests only the patterns on the nodes it visits. 10,000 DID
 * ranges, `[2-9]NNN....` patterns or `..NNNN..` patterns cost a few nodes and a handful of RegExp tests.
 */
import { KEYPAD, type NumberPattern, matches } from './number-pattern.js';

/** How many trie paths one pattern may take through class fan-out. */
const MAX_PATHS = 64;
/** How deep a pattern is filed: deeper separates more, but a lookup may branch at every any edge. */
const MAX_DEPTH = 16;

class TrieNode<T> {
  readonly children = new Map<string, TrieNode<T>>();
  any: TrieNode<T> | null = null;
  readonly entries: Array<{ pattern: NumberPattern; value: T }> = [];

  child(ch: string): TrieNode<T> {
    if (ch === ANY_EDGE) return (this.any ??= new TrieNode<T>());
    let next = this.children.get(ch);
    if (next === undefined) {
      next = new TrieNode<T>();
      this.children.set(ch, next);
    }
    return next;
  }
}

const ANY_EDGE = '';

export class PatternIndex<T> {
  private readonly root = new TrieNode<T>();
  private count = 0;

  add(pattern: NumberPattern, value: T): void {
    const steps: string[][] = [];
    let paths = 1;
    for (const chars of pattern.leading) {
      if (steps.length >= MAX_DEPTH) break;
      if (chars === KEYPAD) {
        steps.push([ANY_EDGE]);
        continue;
      }
      if (paths * chars.length > MAX_PATHS) break;
      paths *= chars.length;
      steps.push([...chars]);
    }
    const entry = { pattern, value };
    const place = (node: TrieNode<T>, level: number): void => {
      const step = steps[level];
      if (step === undefined) {
        node.entries.push(entry);
        return;
      }
      for (const ch of step) place(node.child(ch), level + 1);
    };
    place(this.root, 0);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Every value whose pattern matches `number` (unordered, each once). */
  lookup(number: string): Array<{ pattern: NumberPattern; value: T }> {
    const out: Array<{ pattern: NumberPattern; value: T }> = [];
    let level: Array<TrieNode<T>> = [this.root];
    for (let i = 0; level.length > 0; i++) {
      const next: Array<TrieNode<T>> = [];
      for (const node of level) {
        for (const e of node.entries) if (matches(e.pattern, number)) out.push(e);
        if (i < number.length) {
          const c = node.children.get(number.charAt(i));
          if (c !== undefined) next.push(c);
          if (node.any !== null) next.push(node.any);
        }
      }
      level = next;
    }
    return out;
  }
}
