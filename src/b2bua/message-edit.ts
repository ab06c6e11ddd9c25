/**
 * SIP profiles on real messages: a SipMessage as the plain view the rewrite layer edits, the checks that
 * only the codec can make (a header value or start line that must still parse), and the result written
 * back so that untouched headers keep their bytes and Content-Length follows the body.
 */
import type { EditableHeader, EditableMessage, RewriteChecks, RewriteContext, RewriteResult } from '../rewrite/editable-message.js';
import type { SipProfile } from '../rewrite/sip-profile.js';
import { parseCSeq } from '../sip/cseq.js';
import { headerKey } from '../sip/header-names.js';
import { splitList } from '../sip/lexer.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { SipHeader } from '../sip/sip-header.js';
import type { SipMessage } from '../sip/sip-message.js';
import { parseUri } from '../sip/sip-uri.js';
import { parseVia } from '../sip/via.js';

const SDP = /^application\/sdp\s*(;|$)/i;

/** Headers the stack parses: a rewritten value must parse as the stack will read it. */
const PARSED: Record<string, (v: string) => unknown> = {
  via: (v) => splitList(v).map(parseVia),
  from: parseNameAddr,
  to: parseNameAddr,
  contact: (v) => (v.trim() === '*' ? v : splitList(v).map(parseNameAddr)),
  route: (v) => splitList(v).map(parseNameAddr),
  'record-route': (v) => splitList(v).map(parseNameAddr),
  cseq: parseCSeq,
  'call-id': (v) => {
    if (!/^\S+$/.test(v)) throw new Error('a Call-ID is one word');
  },
  'max-forwards': (v) => {
    if (!/^\d{1,3}$/.test(v) || Number(v) > 255) throw new Error('Max-Forwards is 0-255');
  },
  'content-type': (v) => {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*(;.*)?$/.test(v)) throw new Error('not a media type');
  },
};

export const SIP_CHECKS: RewriteChecks = {
  key: headerKey,
  header(key, value) {
    if (/[\r\n\0]/.test(value)) return 'a header value cannot contain CR, LF or NUL';
    try {
      PARSED[key]?.(value);
      return null;
    } catch (err) {
      return `${key} would not parse: ${(err as Error).message}`;
    }
  },
  startLine(msg, line) {
    if (/[\r\n\0]/.test(line)) return 'a start line cannot contain CR, LF or NUL';
    if (msg.isRequest) {
      const m = /^(\S+) (\S+) SIP\/2\.0$/.exec(line);
      if (m === null || m[1] !== msg.method) return `"${line}" is not a ${msg.method} request line`;
      try {
        parseUri(m[2] as string);
      } catch (err) {
        return `the Request-URI would not parse: ${(err as Error).message}`;
      }
      return null;
    }
    const m = /^SIP\/2\.0 ([1-6]\d\d) [^\r\n]*$/.exec(line);
    if (m === null) return `"${line}" is not a status line`;
    const status = Number(m[1]);
    const kind = (s: number): number => (s === 100 ? 0 : s < 200 ? 1 : s < 300 ? 2 : 3);
    return kind(status) === kind(msg.status) ? null : `a ${msg.status} cannot become a ${status} (provisional, success and failure keep their class)`;
  },
};

/** The plain view of `msg`; `inDialog` says whether an INVITE (or its answer) is a re-INVITE. */
export function editable(msg: SipMessage, inDialog: boolean): EditableMessage {
  const req = msg.isRequest() ? msg : null;
  const type = msg.body.length > 0 ? msg.contentType() : undefined;
  return {
    isRequest: req !== null,
    method: req?.method ?? msg.cseq().method,
    status: msg.isResponse() ? msg.status : 0,
    inDialog,
    startLine: msg.startLine,
    headers: msg.headers.map((h): EditableHeader => ({ name: h.name, key: h.key, value: h.value, origin: h })),
    sdp: type !== undefined && SDP.test(type) ? msg.body.toString('latin1') : null,
  };
}

/** Write the edited view back into `msg`. */
export function writeBack(msg: SipMessage, before: { startLine: string; headers: readonly EditableHeader[]; sdp: string | null }, after: EditableMessage): void {
  if (after.headers !== before.headers) {
    msg.replaceHeaders(after.headers.map((h) => (h.origin instanceof SipHeader ? h.origin : SipHeader.create(h.name, h.value))));
  }
  if (after.startLine !== before.startLine) {
    if (msg.isRequest()) msg.requestUri = after.startLine.split(' ')[1] as string;
    else if (msg.isResponse()) {
      const m = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(after.startLine) as RegExpExecArray;
      msg.setStatusLine(Number(m[1]), m[2] as string);
    }
  }
  if (after.sdp !== before.sdp && after.sdp !== null) msg.setBody(Buffer.from(after.sdp, 'latin1'), msg.contentType());
}

/** Apply a profile to a message in place. */
export function applyProfile(profile: SipProfile, msg: SipMessage, inDialog: boolean, ctx: RewriteContext): RewriteResult {
  const view = editable(msg, inDialog);
  const before = { startLine: view.startLine, headers: view.headers, sdp: view.sdp };
  const result = profile.apply(view, ctx, SIP_CHECKS);
  if (result.changed) writeBack(msg, before, view);
  return result;
}

/** The first value of a header of `msg` (peer-header rules). */
export function headerOf(msg: SipMessage | undefined): ((name: string) => string | undefined) | undefined {
  return msg === undefined ? undefined : (name) => msg.header(name);
}
