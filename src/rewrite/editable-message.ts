/**
 * What a SIP profile works on: a plain view of one message, made and written back by the B2BUA (this
 * leaf knows no SIP codec). The checks that only the codec can make (does this still parse?) are handed in.
 */

export interface EditableHeader {
  /** The name as written (`v`, `User-Agent`). */
  readonly name: string;
  /** Canonical: lower case, compact form expanded (`via`). */
  readonly key: string;
  readonly value: string;
}

export interface EditableMessage {
  readonly isRequest: boolean;
  /** The request's method, or for a response the method it answers (CSeq). */
  readonly method: string;
  /** 0 for a request. */
  readonly status: number;
  /** A request inside a dialog (To tag): an INVITE there is a REINVITE. */
  readonly inDialog: boolean;
  startLine: string;
  /** Never changed in place: a rule that changes headers sets a new array (so unchanged ones keep their bytes). */
  headers: readonly EditableHeader[];
  /** The SDP body as text, or null when the message carries none (other bodies are never edited). */
  sdp: string | null;
}

export interface RewriteChecks {
  /** The canonical key of a header name. */
  key(name: string): string;
  /** Why `value` is not a valid value for the header `key` (null: it is). */
  header(key: string, value: string): string | null;
  /** Why `line` cannot replace the start line of `msg` (null: it can). */
  startLine(msg: EditableMessage, line: string): string | null;
}

export interface RewriteContext {
  /** `u01`..`u99`: set by copy rules, read by add and modify values; shared by the legs of one call. */
  vars: Map<string, string>;
  /** The first value of a header of the other leg's message (peer-header), if there is one. */
  peerHeader?: (name: string) => string | undefined;
}

export interface RewriteResult {
  /** Rules that changed the message or set a variable, in order. */
  fired: number[];
  /** Rules that matched but were not applied, and why (a result that would not parse, a missing variable). */
  skipped: Array<{ rule: number; reason: string }>;
  changed: boolean;
}
