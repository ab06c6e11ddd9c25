/** Responses built from a request as RFC 3261 §8.2.6 says: Via, From, To, Call-ID and CSeq copied. */
import { SipHeader } from './sip-header.js';
import { type SipRequest, SipResponse } from './sip-message.js';

const COPIED = new Set(['via', 'from', 'call-id', 'cseq']);

export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  603: 'Decline',
};

export interface ResponseOptions {
  reason?: string;
  /** Tag to add to To when the request's To has none (required for every response but 100). */
  toTag?: string;
  headers?: Array<[string, string]>;
}

export function buildResponse(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
  const headers: SipHeader[] = [];
  for (const h of req.headers) {
    if (COPIED.has(h.key)) headers.push(SipHeader.create(h.name, h.value));
    else if (h.key === 'to') headers.push(SipHeader.create(h.name, toWithTag(h.value, status, opts.toTag)));
  }
  for (const [name, value] of opts.headers ?? []) headers.push(SipHeader.create(name, value));
  headers.push(SipHeader.create('Content-Length', '0'));
  const reason = opts.reason ?? REASONS[status] ?? 'Unknown';
  return new SipResponse(status, reason, 'SIP/2.0', headers, Buffer.alloc(0));
}

function toWithTag(value: string, status: number, tag: string | undefined): string {
  if (status === 100 || tag === undefined || /;\s*tag\s*=/i.test(value)) return value;
  return `${value};tag=${tag}`;
}

/** `Warning: 399 agent "text"` with the text's quotes and backslashes escaped (RFC 3261 §20.43). */
export function warningValue(agent: string, text: string): string {
  return `399 ${agent} "${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ')}"`;
}
