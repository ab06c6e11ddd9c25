/**
 * SIP profiles on real messages: a SipMessage as the plain view the rewrite layer edits, the checks that
 * only the codec can make (a header value or start line that must still parse), and the result written
 * back so that untouched headers keep their bytes and Content-Length follows the body.
 */
import { SbcError } from '../errors/sbc-error.js';
import type {
  EditableHeader,
  EditableMessage,
  RewriteChecks,
  RewriteContext,
  RewriteResult,
} from '../rewrite/editable-message.js';
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
    if (!/^\S+$/.test(v)) throw new SbcError('SBC_ERR_REWRITE_VALUE', 'a Call-ID is one word');
  },
  'max-forwards': (v) => {
    if (!/^\d{1,3}$/.test(v) || Number(v) > 255) throw new SbcError('SBC_ERR_REWRITE_VALUE', 'Max-Forwards is 0-255');
  },
  'content-type': (v) => {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*(;.*)?$/.test(v))
      throw new SbcError('SBC_ERR_REWRITE_VALUE', 'not a media type');
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
    return kind(status) === kind(msg.status)
      ? null
      : `a ${msg.status} cannot become a ${status} (provisional, success and failure keep their class)`;
  },
};

/**
 * The view of `msg` a profile edits: its own header objects (they have name, key and value; their values
 * are read only for the headers a rule targets), and the SDP read only if an SDP rule needs it.
 */
class MessageView implements EditableMessage {
  readonly isRequest: boolean;
  readonly method: string;
  readonly status: number;
  startLine: string;
  headers: readonly EditableHeader[];
  sdpChanged = false;
  private sdpText: string | null | undefined;

  constructor(
    readonly msg: SipMessage,
    readonly inDialog: boolean,
  ) {
    const req = msg.isRequest() ? msg : null;
    this.isRequest = req !== null;
    this.method = req?.method ?? msg.cseq().method;
    this.status = msg.isResponse() ? msg.status : 0;
    this.startLine = msg.startLine;
    this.headers = msg.headers;
  }

  get sdp(): string | null {
    if (this.sdpText === undefined) {
      const type = this.msg.body.length > 0 ? this.msg.contentType() : undefined;
      this.sdpText = type !== undefined && SDP.test(type) ? this.msg.body.toString('latin1') : null;
    }
    return this.sdpText;
  }

  set sdp(text: string | null) {
    this.sdpText = text;
    this.sdpChanged = true;
  }

  /** Write what the profile changed back into the message. */
  writeBack(): void {
    const msg = this.msg;
    if (this.headers !== msg.headers)
      msg.replaceHeaders(this.headers.map((h) => (h instanceof SipHeader ? h : SipHeader.create(h.name, h.value))));
    if (this.startLine !== msg.startLine) {
      if (msg.isRequest()) msg.requestUri = this.startLine.split(' ')[1] as string;
      else if (msg.isResponse()) {
        const m = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(this.startLine) as RegExpExecArray;
        msg.setStatusLine(Number(m[1]), m[2] as string);
      }
    }
    if (this.sdpChanged && this.sdpText !== null && this.sdpText !== undefined)
      msg.setBody(Buffer.from(this.sdpText, 'latin1'));
  }
}

/** Apply a profile to a message in place. */
export function applyProfile(
  profile: SipProfile,
  msg: SipMessage,
  inDialog: boolean,
  ctx: RewriteContext,
): RewriteResult {
  const view = new MessageView(msg, inDialog);
  const result = profile.apply(view, ctx, SIP_CHECKS);
  if (result.changed) view.writeBack();
  return result;
}

/** The first value of a header of `msg` (peer-header rules). */
export function headerOf(msg: SipMessage | undefined): ((name: string) => string | undefined) | undefined {
  return msg === undefined ? undefined : (name) => msg.header(name);
}
