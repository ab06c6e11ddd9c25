/**
 * One SIP-profile rule compiled from its JSON: when it applies (a request method, REINVITE, a response
 * code and the method it answers), its target and its action, with every regex checked for safety and
 * every combination CUBE forbids (adding or removing a mandatory header, editing Content-Length) refused.
 */
import type { SipProfileRuleJson } from '../config/rewrite-config.js';
import type { EditableMessage } from './editable-message.js';
import { RegexError, type TemplatePart, compileSafeRegex, compileTemplate, missingGroups } from './safe-regex.js';

/** What one rule did: nothing (no match), changed the message, only set a variable, or was skipped. */
export type Outcome = 'none' | 'changed' | 'copied' | { skipped: string };

/** May be modified, never added or removed (RFC 3261 §8.1.1; CUBE's rule too). */
export const MANDATORY_HEADERS: ReadonlySet<string> = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'max-forwards']);
/** SDP lines every description needs (RFC 4566 §5): modify only. */
export const MANDATORY_SDP: ReadonlySet<string> = new Set(['v', 'o', 's', 't', 'c', 'm']);

export type Target =
  | { kind: 'header'; name: string; key: string }
  | { kind: 'start-line' }
  | { kind: 'sdp'; prefix: string; mline: number | null; matches: (line: string) => boolean }
  | { kind: 'peer'; name: string };

export type Action =
  | { kind: 'add'; value: TemplatePart[] }
  | { kind: 'remove' }
  | { kind: 'modify'; match: RegExp; replace: TemplatePart[] }
  | { kind: 'copy'; match: RegExp; to: string };

export interface ProfileRule {
  rule: number;
  applies(msg: EditableMessage): boolean;
  target: Target;
  action: Action;
}

export interface RuleProblem {
  /** JSON pointer inside the rule (`/modify/match`), '' for the rule itself. */
  pointer: string;
  message: string;
}

const TARGETS = ['sipHeader', 'requestLine', 'statusLine', 'sdpHeader', 'peerHeader'] as const;
const ACTIONS = ['add', 'remove', 'modify', 'copy'] as const;

/**
 * Which SDP lines a prefix names: `a=ssrc` is the ssrc attribute (`a=ssrc:...`), not `a=ssrc-group`; a
 * prefix that ends in `=`, `:` or a space takes whatever follows it.
 */
function sdpLineMatcher(prefix: string): (line: string) => boolean {
  const open = /[=: ]$/.test(prefix);
  const n = prefix.length;
  return (line) => {
    if (!line.startsWith(prefix)) return false;
    const next = line[n];
    return open || next === undefined || next === ':' || next === ' ';
  };
}

function selector(json: SipProfileRuleJson): (msg: EditableMessage) => boolean {
  const methodMatches = (want: string, msg: EditableMessage): boolean => {
    if (want === 'ANY') return true;
    if (want === 'REINVITE') return msg.method === 'INVITE' && msg.inDialog;
    return msg.method === want && !(want === 'INVITE' && msg.inDialog);
  };
  if (json.request !== undefined) {
    const want = json.request.toUpperCase();
    return (msg) => msg.isRequest && methodMatches(want, msg);
  }
  const code = json.response;
  const method = json.method?.toUpperCase();
  return (msg) =>
    !msg.isRequest && (code === 'ANY' || msg.status === code) && (method === undefined || methodMatches(method, msg));
}

function regex(text: string, pointer: string, problems: RuleProblem[]): RegExp | null {
  try {
    return compileSafeRegex(text);
  } catch (err) {
    if (!(err instanceof RegexError)) throw err;
    problems.push({ pointer, message: `invalid regex "${text}": ${err.message}` });
    return null;
  }
}

function action(json: SipProfileRuleJson, problems: RuleProblem[]): Action | null {
  if (json.remove === true) return { kind: 'remove' };
  if (json.add !== undefined) {
    if (/[\r\n\0]/.test(json.add))
      problems.push({
        pointer: '/add',
        message: 'a value cannot contain CR, LF or NUL (use another rule to add another header)',
      });
    return { kind: 'add', value: compileTemplate(json.add) };
  }
  if (json.modify !== undefined) {
    const match = regex(json.modify.match, '/modify/match', problems);
    const replace = compileTemplate(json.modify.replace);
    if (match === null) return null;
    const missing = missingGroups(replace, match);
    if (missing.length > 0)
      problems.push({
        pointer: '/modify/replace',
        message: `refers to group \\${missing[0]}, which the match does not have`,
      });
    return { kind: 'modify', match, replace };
  }
  const copy = json.copy as { match: string; to: string };
  const match = regex(copy.match, '/copy/match', problems);
  return match === null ? null : { kind: 'copy', match, to: copy.to };
}

/** CUBE writes the start lines as header names: `sip-header SIP-Req-URI`, `sip-header SIP-StatusLine`. */
function withCubeNames(json: SipProfileRuleJson): SipProfileRuleJson {
  const { sipHeader, ...rest } = json;
  const name = sipHeader?.toLowerCase();
  if (name === 'sip-req-uri') return { ...rest, requestLine: true };
  if (name === 'sip-statusline') return { ...rest, statusLine: true };
  return json;
}

/** Compile one rule; problems are reported with pointers inside the rule. */
export function compileRule(
  given: SipProfileRuleJson,
  key: (name: string) => string,
): { rule: ProfileRule | null; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const json = withCubeNames(given);
  const bad = (pointer: string, message: string): { rule: null; problems: RuleProblem[] } => {
    problems.push({ pointer, message });
    return { rule: null, problems };
  };
  if ((json.request === undefined) === (json.response === undefined))
    return bad('', 'a rule needs exactly one of "request" or "response"');
  if (json.method !== undefined && json.response === undefined)
    return bad('/method', '"method" qualifies a "response" rule');
  const targets = TARGETS.filter((t) => json[t] !== undefined);
  if (targets.length !== 1) return bad('', `a rule needs exactly one target of ${TARGETS.join(', ')}`);
  const actions = ACTIONS.filter((a) => json[a] !== undefined);
  if (actions.length !== 1) return bad('', `a rule needs exactly one action of ${ACTIONS.join(', ')}`);
  const act = actions[0] as (typeof ACTIONS)[number];
  if (json.mline !== undefined && json.sdpHeader === undefined)
    return bad('/mline', '"mline" qualifies an "sdpHeader" target');
  let target: Target;
  if (json.sipHeader !== undefined) {
    const k = key(json.sipHeader);
    if (k === 'content-length')
      return bad('/sipHeader', 'Content-Length is computed by the SBC and cannot be rewritten');
    if ((MANDATORY_HEADERS.has(k) || k === 'content-type') && (act === 'add' || act === 'remove')) {
      return bad(`/${act}`, `${json.sipHeader} is mandatory: it may be modified, never added or removed`);
    }
    target = { kind: 'header', name: json.sipHeader, key: k };
  } else if (json.requestLine === true || json.statusLine === true) {
    if (json.requestLine === true && json.request === undefined)
      return bad('/requestLine', 'the request line belongs to "request" rules');
    if (json.statusLine === true && json.response === undefined)
      return bad('/statusLine', 'the status line belongs to "response" rules');
    if (act === 'add' || act === 'remove') return bad(`/${act}`, 'a start line can only be modified or copied');
    target = { kind: 'start-line' };
  } else if (json.sdpHeader !== undefined) {
    if (MANDATORY_SDP.has(json.sdpHeader[0] as string) && (act === 'add' || act === 'remove')) {
      return bad(`/${act}`, `"${json.sdpHeader[0] as string}=" lines are mandatory in SDP: modify only`);
    }
    if (act === 'add' && json.add !== undefined && !json.add.startsWith(json.sdpHeader)) {
      return bad('/add', `the added line must start with "${json.sdpHeader}"`);
    }
    target = {
      kind: 'sdp',
      prefix: json.sdpHeader,
      mline: json.mline ?? null,
      matches: sdpLineMatcher(json.sdpHeader),
    };
  } else {
    if (act !== 'copy') return bad(`/${act}`, 'a peer header can only be copied');
    target = { kind: 'peer', name: json.peerHeader as string };
  }
  const a = action(json, problems);
  if (a === null || problems.length > 0) return { rule: null, problems };
  return { rule: { rule: json.rule, applies: selector(json), target, action: a }, problems };
}
