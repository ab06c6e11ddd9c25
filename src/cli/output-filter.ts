/**
 * IOS output modifiers: `show ... | include|exclude|begin|section|count <regex>`. As on IOS, the regular
 * expression is the whole rest of the line (it may hold spaces and `|`), and the modifier may be
 * abbreviated to any unique prefix (`| i`, `| inc`).
 */

export type FilterKind = 'include' | 'exclude' | 'begin' | 'section' | 'count';
const KINDS: readonly FilterKind[] = ['begin', 'count', 'exclude', 'include', 'section'];

export interface OutputFilter {
  kind: FilterKind;
  regex: RegExp;
}

export type FilterParse =
  { ok: true; command: string; filter: OutputFilter | null } | { ok: false; message: string; at: number };

/** Split `line` at its first `|` into the command and the output filter. */
export function parseFilter(line: string): FilterParse {
  const bar = line.indexOf('|');
  if (bar < 0) return { ok: true, command: line, filter: null };
  const rest = line.slice(bar + 1);
  const m = /^(\s*)(\S*)\s?(.*)$/.exec(rest);
  const word = (m?.[2] ?? '').toLowerCase();
  const at = bar + 1 + (m?.[1]?.length ?? 0);
  const kinds = word === '' ? [] : KINDS.filter((k) => k.startsWith(word));
  if (kinds.length !== 1) return { ok: false, message: kinds.length > 1 ? 'ambiguous' : 'invalid', at };
  const pattern = (m?.[3] ?? '').trim();
  if (pattern === '') return { ok: false, message: 'incomplete', at: line.length };
  try {
    return {
      ok: true,
      command: line.slice(0, bar),
      filter: { kind: kinds[0] as FilterKind, regex: new RegExp(pattern) },
    };
  } catch {
    return { ok: false, message: 'invalid', at: at + word.length + 1 };
  }
}

/** The lines of `text` the filter lets through. */
export function applyFilter(text: string, filter: OutputFilter | null): string {
  if (filter === null) return text;
  const lines = text.split('\n');
  const test = (l: string): boolean => filter.regex.test(l);
  switch (filter.kind) {
    case 'include':
      return lines.filter(test).join('\n');
    case 'exclude':
      return lines.filter((l) => !test(l)).join('\n');
    case 'begin': {
      const from = lines.findIndex(test);
      return from < 0 ? '' : lines.slice(from).join('\n');
    }
    case 'count':
      return `Number of lines which match regexp = ${lines.filter(test).length}`;
    case 'section': {
      // a matching line and the indented lines under it
      const out: string[] = [];
      let inSection = false;
      for (const l of lines) {
        if (/^\S/.test(l)) inSection = test(l);
        if (inSection || test(l)) out.push(l);
      }
      return out.join('\n');
    }
  }
}
