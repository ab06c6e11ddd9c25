/**
 * Transaction matching. RFC 3261 §17.2.3: branch + sent-by + method (ACK matches INVITE) when the branch
 * carries the magic cookie and something after it; otherwise the RFC 2543 rules: Request-URI, From tag,
 * Call-ID, CSeq number and the top Via (the To tag is left out so an ACK finds its INVITE).
 * §17.1.3 for responses: top Via branch + CSeq method.
 */
import type { SipRequest, SipResponse } from '../sip/sip-message.js';
import { MAGIC_COOKIE, formatVia } from '../sip/via.js';

export function isRfc3261Branch(branch: string | null | undefined): branch is string {
  return typeof branch === 'string' && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}

/** Key of the server transaction a request belongs to; `asMethod` overrides (ACK/CANCEL -> INVITE). */
export function serverKey(req: SipRequest, asMethod?: string): string {
  const via = req.topVia();
  const method = asMethod ?? (req.method === 'ACK' ? 'INVITE' : req.method);
  const branch = via.params.get('branch');
  if (isRfc3261Branch(branch)) {
    return `3261|${branch}|${via.host}:${via.port ?? ''}|${method}`;
  }
  const fromTag = req.from().params.get('tag') ?? '';
  // received/rport are stamped on arrival and identical for retransmissions, so the formatted Via is stable
  return `2543|${req.requestUri}|${fromTag}|${req.callId()}|${req.cseq().seq}|${formatVia(via)}|${method}`;
}

export function clientKey(branch: string, method: string): string {
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}`;
}

export function responseKey(res: SipResponse): string | null {
  const branch = res.topVia().params.get('branch');
  return typeof branch === 'string' ? clientKey(branch, res.cseq().method) : null;
}
