/**
 * One table for what a failure becomes (cube-reference §9). SIP to SIP without pass-through, CUBE turns
 * some statuses into 500 or 503; the rest pass unchanged. Q.850 causes are for call-detail records.
 */

/** cube-reference §9: 400/406/413/414/416/423/482/483/488 -> 500 and 401/407 -> 503 (no pass-through). */
export function mapFailureStatus(status: number): number {
  if ([400, 406, 413, 414, 416, 423, 482, 483, 488].includes(status)) return 500;
  if (status === 401 || status === 407) return 503;
  return status;
}

/** RFC 3398-style SIP status -> Q.850 cause (confirmed for CUBE: 404->1, 486->17, 480->18, 484->28, 408->102). */
export function causeOfStatus(status: number): { cause: number; text: string } {
  const table: Record<number, [number, string]> = {
    400: [41, 'temporary failure'], 403: [21, 'call rejected'], 404: [1, 'unassigned number'], 408: [102, 'recovery on timer expiry'],
    410: [22, 'number changed'], 480: [18, 'no user responding'], 484: [28, 'invalid number format'], 486: [17, 'user busy'],
    487: [16, 'normal call clearing'], 488: [65, 'bearer capability not implemented'], 500: [41, 'temporary failure'],
    503: [34, 'no circuit/channel available'], 603: [21, 'call rejected'],
  };
  const hit = table[status];
  if (hit) return { cause: hit[0], text: hit[1] };
  if (status >= 600) return { cause: 31, text: 'normal, unspecified' };
  if (status >= 500) return { cause: 38, text: 'network out of order' };
  return { cause: 31, text: 'normal, unspecified' };
}

export const NORMAL_CLEARING = { cause: 16, text: 'normal call clearing' };

/** Statuses on the outbound leg that make the B2BUA try the next dial-peer (besides timeouts and transport errors). */
export const DEFAULT_HUNT_STATUSES: ReadonlySet<number> = new Set([503]);
