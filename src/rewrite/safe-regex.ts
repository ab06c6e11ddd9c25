import { SbcError } from '../errors/sbc-error.js';
/**
 * Regular expressions from configuration, checked at load so that no message can make one run for long.
 * A backtracking engine (V8's) is exponential only through nested repetition ((a+)+, (a|a)*) and
 * backreferences, so those are refused; polynomial blow-up (.*.*.*) is bounded by refusing more than
 * MAX_UNBOUNDED repetitions and by applying rules only to texts up to MAX_SUBJECT characters.
 */

/** Texts longer than this are left alone by rules (CUBE skips headers over 300 characters). */
export const MAX_SUBJECT = 256;
/** `*`, `+` and `{n,}` allowed in one pattern: at most a cubic number of steps over MAX_SUBJECT. */
export const MAX_UNBOUNDED = 3;

export class RegexError extends SbcError {
  constructor(message: string) {
    super('SBC_ERR_REWRITE_REGEX', message);
  }
}

interface Frame {
  repeats: boolean;
  alternates: boolean;
}

/** Compile a configured pattern, or throw RegexError saying what is wrong with it. */
export function compileSafeRegex(pattern: string): RegExp {
  checkShape(pattern);
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new RegexError((err as Error).message.replace(/^Invalid regular expression: /, ''));
  }
}

function checkShape(p: string): void {
  const stack: Frame[] = [{ repeats: false, alternates: false }];
  let unbounded = 0;
  /** The frame of a group that just closed (its quantifier applies to it), else null. */
  let closed: Frame | null = null;
  let atom = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    const top = stack[stack.length - 1] as Frame;
    if (c === '\\') {
      const n = p[i + 1] ?? '';
      if (/[1-9]/.test(n) || n === 'k')
        throw new RegexError('backreferences are not allowed (they can take exponential time)');
      i++;
      closed = null;
      atom = true;
      continue;
    }
    if (c === '[') {
      i = classEnd(p, i);
      closed = null;
      atom = true;
      continue;
    }
    if (c === '(') {
      if (/^\(\?<?[=!]/.test(p.slice(i, i + 4))) throw new RegexError('look-ahead and look-behind are not allowed');
      stack.push({ repeats: false, alternates: false });
      // a non-capturing or named group: its `?:` / `?<name>` is not a quantifier
      if (p.startsWith('(?:', i)) i += 2;
      else if (p.startsWith('(?<', i)) i = p.indexOf('>', i) < 0 ? p.length : p.indexOf('>', i);
      closed = null;
      atom = false;
      continue;
    }
    if (c === ')') {
      const frame = stack.pop();
      if (frame === undefined || stack.length === 0) throw new RegexError('unbalanced parenthesis');
      closed = frame;
      atom = true;
      continue;
    }
    if (c === '|') {
      top.alternates = true;
      closed = null;
      atom = false;
      continue;
    }
    const q = quantifier(p, i);
    if (q !== null) {
      if (!atom) throw new RegexError(`nothing to repeat at position ${i}`);
      if (q.repeats) {
        if (closed !== null && (closed.repeats || closed.alternates)) {
          throw new RegexError(
            'a repeated group may not contain repetition or alternation (catastrophic backtracking)',
          );
        }
        top.repeats = true;
        if (q.unbounded && ++unbounded > MAX_UNBOUNDED)
          throw new RegexError(`more than ${MAX_UNBOUNDED} unbounded repetitions (*, +, {n,})`);
      }
      if (closed?.repeats === true) top.repeats = true;
      i = q.end;
      closed = null;
      atom = false;
      continue;
    }
    if (closed?.repeats === true) top.repeats = true;
    closed = null;
    atom = c !== '^' && c !== '$';
  }
  if (closed?.repeats === true) (stack[stack.length - 1] as Frame).repeats = true;
  if (stack.length !== 1) throw new RegexError('unbalanced parenthesis');
}

/** Index of the `]` closing the class opened at `start`. */
function classEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  for (; i < p.length; i++) {
    if (p[i] === '\\') i++;
    else if (p[i] === ']') return i;
  }
  throw new RegexError('unterminated character class');
}

/** A quantifier at `i` (with a lazy `?` after it): whether it repeats, whether without bound, where it ends. */
function quantifier(p: string, i: number): { repeats: boolean; unbounded: boolean; end: number } | null {
  const c = p[i];
  let q: { repeats: boolean; unbounded: boolean; end: number } | null = null;
  if (c === '*' || c === '+') q = { repeats: true, unbounded: true, end: i };
  else if (c === '?') q = { repeats: false, unbounded: false, end: i };
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (m === null) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    q = { repeats: max > 1, unbounded: max === Infinity, end: i + m[0].length - 1 };
  }
  if (q !== null && p[q.end + 1] === '?') q.end++;
  return q;
}

/**
 * A replacement template: `\0`-`\9` (the match, its groups), `\u01`-`\u99` (variables set by `copy`
 * rules), `\\` (a backslash); any other character stands for itself. Compiled once at load.
 */
export type TemplatePart = string | { group: number } | { variable: string };

export function compileTemplate(text: string, opts: { ampersand?: boolean } = {}): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const var2 = /^u(\d\d)/.exec(text.slice(i + 1, i + 4));
    if (c === '\\' && var2 !== null && var2[1] !== '00') {
      if (lit !== '') parts.push(lit);
      parts.push({ variable: `u${var2[1]}` });
      lit = '';
      i += 3;
    } else if (c === '\\' && /[0-9]/.test(text[i + 1] ?? '')) {
      if (lit !== '') parts.push(lit);
      parts.push({ group: Number(text[i + 1]) });
      lit = '';
      i++;
    } else if (c === '\\' && i + 1 < text.length) {
      lit += text[++i];
    } else if (c === '&' && opts.ampersand === true) {
      if (lit !== '') parts.push(lit);
      parts.push({ group: 0 });
      lit = '';
    } else {
      lit += c;
    }
  }
  if (lit !== '') parts.push(lit);
  return parts;
}

/** The groups a template refers to beyond what `re` has, for a load-time error. */
export function missingGroups(parts: TemplatePart[], re: RegExp): number[] {
  const groups = new RegExp(`${re.source}|`).exec('')?.length ?? 1;
  return parts.flatMap((p) => (typeof p === 'object' && 'group' in p && p.group >= groups ? [p.group] : []));
}

/** The variables a template reads. */
export function templateVariables(parts: TemplatePart[]): string[] {
  return parts.flatMap((p) => (typeof p === 'object' && 'variable' in p ? [p.variable] : []));
}

/**
 * Fill a template from a match and the variables; null when it reads a variable that no rule has set
 * (a rule that would write an empty value is not applied).
 */
export function expand(
  parts: TemplatePart[],
  match: RegExpExecArray | null,
  vars: ReadonlyMap<string, string>,
): string | null {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if ('group' in p) out += match?.[p.group] ?? '';
    else {
      const v = vars.get(p.variable);
      if (v === undefined) return null;
      out += v;
    }
  }
  return out;
}

/**
 * Replace the first match of `re` in `subject` by the template; null when nothing matches, the subject is
 * too long to be searched safely, or a variable is missing.
 */
export function replaceFirst(
  subject: string,
  re: RegExp,
  parts: TemplatePart[],
  vars: ReadonlyMap<string, string>,
): string | null {
  if (subject.length > MAX_SUBJECT) return null;
  const m = re.exec(subject);
  if (m === null) return null;
  const value = expand(parts, m, vars);
  return value === null ? null : subject.slice(0, m.index) + value + subject.slice(m.index + m[0].length);
}
