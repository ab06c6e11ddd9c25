/**
 * SDP as lines for SIP-profile rules: level 0 is the session (before the first m=), level i the i-th
 * media description (CUBE's mline-index). Line ends are kept as they came (CRLF, or LF from lenient peers).
 */
import type { Outcome, ProfileRule } from './profile-rule.js';
import { MAX_SUBJECT, expand, replaceFirst } from './safe-regex.js';

const LINE = /^[a-z]=[^\r\n\0]*$/;

export class SdpLines {
  private lines: string[];
  private readonly eol: string;
  /** The body ended with a line end (it should: RFC 4566 §5). */
  private readonly trailing: boolean;
  edited = false;
  /** The level of each line, computed when a rule needs it and again only after lines were added or removed. */
  private levelCache: number[] | null = null;

  constructor(text: string) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    this.lines = text.split(this.eol);
    this.trailing = this.lines[this.lines.length - 1] === '';
    if (this.trailing) this.lines.pop();
  }

  text(): string {
    return this.lines.join(this.eol) + (this.trailing ? this.eol : '');
  }

  /** The level of each line: 0 for the session, i for the i-th m= section. */
  private levels(): number[] {
    if (this.levelCache === null) {
      let level = 0;
      this.levelCache = this.lines.map((l) => (l.startsWith('m=') ? ++level : level));
    }
    return this.levelCache;
  }

  private setLines(lines: string[], sameShape: boolean): void {
    this.lines = lines;
    if (!sameShape) this.levelCache = null;
    this.edited = true;
  }

  apply(rule: ProfileRule, vars: Map<string, string>): Outcome {
    const { target, action } = rule;
    if (target.kind !== 'sdp') return 'none';
    const levels = this.levels();
    const inScope = (i: number): boolean =>
      (target.mline === null || levels[i] === target.mline) && target.matches(this.lines[i] as string);
    switch (action.kind) {
      case 'add': {
        const level = target.mline ?? 0;
        const line = expand(action.value, null, vars);
        if (line === null) return { skipped: 'a variable it uses is not set' };
        if (!LINE.test(line)) return { skipped: `"${line}" is not an SDP line` };
        let at = -1;
        for (let i = 0; i < levels.length; i++) if (levels[i] === level) at = i;
        if (at < 0) return 'none'; // no such media description
        this.setLines([...this.lines.slice(0, at + 1), line, ...this.lines.slice(at + 1)], false);
        return 'changed';
      }
      case 'remove': {
        const kept = this.lines.filter((_, i) => !inScope(i));
        if (kept.length === this.lines.length) return 'none';
        this.setLines(kept, false);
        return 'changed';
      }
      case 'copy': {
        const i = this.lines.findIndex((l, n) => inScope(n) && action.match.test(l));
        if (i < 0) return 'none';
        const line = this.lines[i] as string;
        if (line.length > MAX_SUBJECT) return { skipped: `longer than ${MAX_SUBJECT} characters` };
        const m = action.match.exec(line) as RegExpExecArray;
        vars.set(action.to, m[1] ?? m[0]);
        return 'copied';
      }
      case 'modify': {
        const next = [...this.lines];
        let changed = false;
        for (let i = 0; i < next.length; i++) {
          if (!inScope(i)) continue;
          const line = next[i] as string;
          if (line.length > MAX_SUBJECT) return { skipped: `longer than ${MAX_SUBJECT} characters` };
          const out = replaceFirst(line, action.match, action.replace, vars);
          if (out === null || out === line) continue;
          // a line keeps its type: an m= line stays an m= line, an attribute does not become a connection
          if (!LINE.test(out) || out[0] !== line[0])
            return { skipped: `"${out}" would not be a valid ${line[0] ?? ''}= line` };
          next[i] = out;
          changed = true;
        }
        if (!changed) return 'none';
        this.setLines(next, true);
        return 'changed';
      }
    }
  }
}
