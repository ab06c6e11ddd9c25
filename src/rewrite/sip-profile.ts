/**
 * `voice class sip-profiles N`: ordered rules applied to one message. Each rule is applied alone and only
 * when its result is valid (a header value that still parses, a start line of the same kind, an SDP line
 * of the same type); otherwise it is skipped and reported, and the message stays as it was.
 */
import type { SipProfileJson } from '../config/rewrite-config.js';
import type {
  EditableHeader,
  EditableMessage,
  RewriteChecks,
  RewriteContext,
  RewriteResult,
} from './editable-message.js';
import { type ProfileRule, type RuleProblem, compileRule } from './profile-rule.js';
import { MAX_SUBJECT, expand, replaceFirst } from './safe-regex.js';
import { SdpLines } from './sdp-lines.js';
import type { Outcome } from './profile-rule.js';

export class SipProfile {
  constructor(
    readonly tag: number,
    readonly rules: readonly ProfileRule[],
  ) {}

  /** Apply the rules in order to `msg` (edited in place). */
  apply(msg: EditableMessage, ctx: RewriteContext, checks: RewriteChecks): RewriteResult {
    const result: RewriteResult = { fired: [], skipped: [], changed: false };
    let sdp: SdpLines | null = null;
    for (const rule of this.rules) {
      if (!rule.applies(msg)) continue;
      let outcome: Outcome;
      if (rule.target.kind === 'sdp') {
        if (msg.sdp === null) continue;
        sdp ??= new SdpLines(msg.sdp);
        outcome = sdp.apply(rule, ctx.vars);
      } else {
        outcome = applyToHead(rule, msg, ctx, checks);
      }
      if (outcome === 'none') continue;
      if (typeof outcome === 'object') {
        result.skipped.push({ rule: rule.rule, reason: outcome.skipped });
        continue;
      }
      result.fired.push(rule.rule);
      if (outcome === 'changed') result.changed = true;
    }
    if (sdp?.edited === true) msg.sdp = sdp.text();
    return result;
  }
}

function copyFrom(value: string | undefined, re: RegExp, to: string, vars: Map<string, string>): Outcome {
  if (value === undefined) return 'none';
  if (value.length > MAX_SUBJECT) return { skipped: `longer than ${MAX_SUBJECT} characters` };
  const m = re.exec(value);
  if (m === null) return 'none';
  vars.set(to, m[1] ?? m[0]);
  return 'copied';
}

function applyToHead(rule: ProfileRule, msg: EditableMessage, ctx: RewriteContext, checks: RewriteChecks): Outcome {
  const { target, action } = rule;
  if (target.kind === 'peer') {
    return action.kind === 'copy' ? copyFrom(ctx.peerHeader?.(target.name), action.match, action.to, ctx.vars) : 'none';
  }
  if (target.kind === 'start-line') {
    if (action.kind === 'copy') return copyFrom(msg.startLine, action.match, action.to, ctx.vars);
    if (action.kind !== 'modify') return 'none';
    if (msg.startLine.length > MAX_SUBJECT) return { skipped: `longer than ${MAX_SUBJECT} characters` };
    const line = replaceFirst(msg.startLine, action.match, action.replace, ctx.vars);
    if (line === null || line === msg.startLine) return 'none';
    const problem = checks.startLine(msg, line);
    if (problem !== null) return { skipped: problem };
    msg.startLine = line;
    return 'changed';
  }
  if (target.kind !== 'header') return 'none';
  const key = target.key;
  switch (action.kind) {
    case 'remove': {
      const kept = msg.headers.filter((h) => h.key !== key);
      if (kept.length === msg.headers.length) return 'none';
      msg.headers = kept;
      return 'changed';
    }
    case 'copy':
      return copyFrom(
        msg.headers.find((h) => h.key === key && action.match.test(h.value))?.value,
        action.match,
        action.to,
        ctx.vars,
      );
    case 'add': {
      const value = expand(action.value, null, ctx.vars);
      if (value === null) return { skipped: 'a variable it uses is not set' };
      const problem = checks.header(key, value);
      if (problem !== null) return { skipped: problem };
      const at = lastIndexOf(msg.headers, key);
      const header: EditableHeader = { name: target.name, key, value };
      // next to the others of its name, else before Content-Length (the usual last header), else at the end
      const before = at >= 0 ? at + 1 : msg.headers.findIndex((h) => h.key === 'content-length');
      const next = [...msg.headers];
      next.splice(before >= 0 ? before : next.length, 0, header);
      msg.headers = next;
      return 'changed';
    }
    case 'modify': {
      let next: EditableHeader[] | null = null; // copied at the first change only
      const headers = msg.headers;
      for (let i = 0; i < headers.length; i++) {
        const h = headers[i] as EditableHeader;
        if (h.key !== key) continue;
        if (h.value.length > MAX_SUBJECT) return { skipped: `longer than ${MAX_SUBJECT} characters` };
        const value = replaceFirst(h.value, action.match, action.replace, ctx.vars);
        if (value === null || value === h.value) continue;
        const problem = checks.header(key, value);
        if (problem !== null) return { skipped: problem };
        next ??= [...headers];
        next[i] = { name: h.name, key, value };
      }
      if (next === null) return 'none';
      msg.headers = next;
      return 'changed';
    }
  }
}

function lastIndexOf(headers: readonly EditableHeader[], key: string): number {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i]?.key === key) return i;
  return -1;
}

export interface ProfileProblem {
  /** JSON pointer inside the profile object (`/rules/2/modify/match`). */
  pointer: string;
  message: string;
}

/** Compile a profile: rules sorted by number; every problem with its pointer. */
export function compileSipProfile(
  json: SipProfileJson,
  key: (name: string) => string,
): { profile: SipProfile; problems: ProfileProblem[] } {
  const problems: ProfileProblem[] = [];
  const rules: ProfileRule[] = [];
  const seen = new Set<number>();
  json.rules.forEach((r, i) => {
    if (seen.has(r.rule)) problems.push({ pointer: `/rules/${i}/rule`, message: `rule ${r.rule} is defined twice` });
    seen.add(r.rule);
    const compiled = compileRule(r, key);
    problems.push(
      ...compiled.problems.map((p: RuleProblem) => ({ pointer: `/rules/${i}${p.pointer}`, message: p.message })),
    );
    if (compiled.rule !== null) rules.push(compiled.rule);
  });
  rules.sort((a, b) => a.rule - b.rule);
  return { profile: new SipProfile(json.tag, rules), problems };
}
