import { SbcError } from '../errors/sbc-error.js';
/**
 * CUBE number patterns (destination-pattern, incoming called-number, answer-address; cube-reference §1.4),
 * compiled once to an anchored RegExp. Matching is by prefix unless the pattern ends in `$`: `555....`
 * also matches longer numbers. `^` at the start is implied.
 *
 *   0-9 A-F * #   literal keypad digits       .          any one digit (0-9, A-F, *, #, +)
 *   [1-5] [2,5-8] one of; [^135] none of      T          0 to 32 more digits (last, before `$`)
 *   ( )           group                       % ? +      0+, 0-1, 1+ of the previous item
 *   +             a leading + is a literal    $          end of number; `,` (a TDM pause) is ignored
 *   \x            the character x, literally
 */

export class PatternError extends SbcError {
  override readonly name = 'PatternError';
  constructor(message: string) {
    super('SBC_ERR_ROUTING_PATTERN', message);
  }
}

export interface NumberPattern {
  readonly source: string;
  readonly regex: RegExp;
  /** Literal digits every match consumes: CUBE's "longest explicit match" (`200.` beats `2...`). */
  readonly explicitDigits: number;
  /** Bracket classes every match consumes: more specific than `.`, less than a literal. */
  readonly classDigits: number;
  readonly variableLength: boolean;
  /** Ends in T: any number of further digits (less specific than a fixed length, §1.3). */
  readonly hasT: boolean;
  /**
   * The characters each leading position allows, for as long as positions are single items without a
   * quantifier (a literal, a class, `.`): the prefix index files the pattern under these.
   */
  readonly leading: readonly string[];
}

const ANY = '[0-9A-F*#+]';
/** Every character a number may hold (what `.` matches). */
export const KEYPAD = '0123456789ABCDEF*#+';
const LITERALS = /^[0-9A-F*#]$/;

interface Item {
  regex: string;
  explicit: number;
  classes: number;
  /** The characters this item matches when it is one position (literal, class, `.`); else null. */
  chars: string | null;
}

/** Compile a pattern; throws PatternError naming the problem. */
export function compilePattern(source: string): NumberPattern {
  if (source.length === 0) throw new PatternError('empty pattern');
  if (source.length > 64) throw new PatternError('pattern longer than 64 characters');
  let i = source.startsWith('^') ? 1 : 0;
  let anchored = false;
  let variable = false;
  let hasT = false;
  const items: Item[] = [];
  const stack: Item[][] = [];
  let current = items;
  if (source[i] === '+') {
    current.push({ regex: '\\+', explicit: 1, classes: 0, chars: '+' });
    i++;
  }
  for (; i < source.length; i++) {
    const c = source.charAt(i);
    if (c === '$') {
      if (i !== source.length - 1) throw new PatternError('$ must be the last character');
      anchored = true;
    } else if (c === 'T') {
      const rest = source.slice(i + 1);
      if (rest !== '' && rest !== '$') throw new PatternError('T must be the last character (before an optional $)');
      current.push({ regex: `${ANY}{0,32}`, explicit: 0, classes: 0, chars: null });
      variable = true;
      hasT = true;
    } else if (c === ',') {
      continue;
    } else if (c === '.') {
      current.push({ regex: ANY, explicit: 0, classes: 0, chars: KEYPAD });
    } else if (c === '[') {
      const close = source.indexOf(']', i);
      if (close < 0) throw new PatternError('unterminated [');
      const body = source.slice(i + 1, close);
      current.push({ regex: compileClass(body), explicit: 0, classes: 1, chars: classChars(body) });
      i = close;
    } else if (c === '(') {
      stack.push(current);
      current = [];
    } else if (c === ')') {
      const outer = stack.pop();
      if (outer === undefined) throw new PatternError('unbalanced )');
      if (current.length === 0) throw new PatternError('empty group ()');
      outer.push({
        regex: `(?:${current.map((x) => x.regex).join('')})`,
        explicit: sum(current, 'explicit'),
        classes: sum(current, 'classes'),
        chars: null,
      });
      current = outer;
    } else if (c === '%' || c === '?' || c === '+') {
      const prev = current.pop();
      if (prev === undefined) throw new PatternError(`${c} must follow a digit, class or group`);
      const once = c === '+';
      current.push({
        regex: `${prev.regex}${c === '%' ? '*' : c}`,
        explicit: once ? prev.explicit : 0,
        classes: once ? prev.classes : 0,
        chars: null,
      });
      variable = true;
    } else if (c === '\\') {
      const next = source.charAt(i + 1);
      if (next === '') throw new PatternError('\\ at the end of the pattern');
      current.push({ regex: escapeRegex(next), explicit: 1, classes: 0, chars: next });
      i++;
    } else if (LITERALS.test(c)) {
      current.push({ regex: escapeRegex(c), explicit: 1, classes: 0, chars: c });
    } else {
      throw new PatternError(`invalid character "${c}" (allowed: 0-9 A-F * # . T [ ] ^ , ( ) % ? + $ \\)`);
    }
  }
  if (stack.length > 0) throw new PatternError('unbalanced (');
  const leading: string[] = [];
  for (const it of items) {
    if (it.chars === null) break;
    leading.push(it.chars);
  }
  return {
    source,
    regex: new RegExp(`^${items.map((x) => x.regex).join('')}${anchored ? '$' : ''}`),
    explicitDigits: sum(items, 'explicit'),
    classDigits: sum(items, 'classes'),
    variableLength: variable || !anchored,
    hasT,
    leading,
  };
}

/** `1-5`, `2,5-8`, `^135`: one position. A negated class still matches only keypad digits. */
function compileClass(body: string): string {
  const negated = body.startsWith('^');
  const parts = (negated ? body.slice(1) : body).replace(/,/g, '');
  if (parts.length === 0) throw new PatternError('empty [ ] class');
  if (!/^([0-9A-F*#](-[0-9A-F*#])?)+$/.test(parts)) throw new PatternError(`invalid class [${body}]`);
  for (const m of parts.matchAll(/([0-9A-F*#])-([0-9A-F*#])/g)) {
    if ((m[1] ?? '') > (m[2] ?? '')) throw new PatternError(`reversed range ${m[0]} in [${body}]`);
  }
  const set = `[${parts.replace(/[*#]/g, (x) => `\\${x}`)}]`;
  return negated ? `(?:(?!${set})${ANY})` : set;
}

/** The keypad characters a class admits (validated by compileClass first). */
function classChars(body: string): string {
  const negated = body.startsWith('^');
  const parts = (negated ? body.slice(1) : body).replace(/,/g, '');
  let set = '';
  for (let i = 0; i < parts.length; i++) {
    const from = parts.charAt(i);
    if (parts.charAt(i + 1) === '-') {
      const to = parts.charAt(i + 2);
      for (const k of KEYPAD) if (k >= from && k <= to && /[0-9A-F]/.test(k) === /[0-9A-F]/.test(from)) set += k;
      i += 2;
    } else {
      set += from;
    }
  }
  return negated ? [...KEYPAD].filter((k) => !set.includes(k)).join('') : [...new Set(set)].join('');
}

function escapeRegex(c: string): string {
  return /[0-9A-Za-z#]/.test(c) ? c : `\\${c}`;
}

function sum(items: Item[], key: 'explicit' | 'classes'): number {
  return items.reduce((n, x) => n + x[key], 0);
}

/** Numbers are compared upper-cased (keypad A-F); a tel/SIP user part keeps its leading +. */
export function normalizeNumber(n: string): string {
  return n.toUpperCase();
}

export function matches(p: NumberPattern, number: string): boolean {
  return p.regex.test(number);
}

/** Order of specificity: more literal digits, then more classes, then fixed length before variable. */
export function compareSpecificity(a: NumberPattern, b: NumberPattern): number {
  return b.explicitDigits - a.explicitDigits || b.classDigits - a.classDigits || Number(a.hasT) - Number(b.hasT);
}
