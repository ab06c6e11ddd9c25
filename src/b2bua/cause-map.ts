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
    400: [41, 'temporary failure'],
    403: [21, 'call rejected'],
    404: [1, 'unassigned number'],
    408: [102, 'recovery on timer expiry'],
    410: [22, 'number changed'],
    480: [18, 'no user responding'],
    484: [28, 'invalid number format'],
    486: [17, 'user busy'],
    487: [16, 'normal call clearing'],
    488: [65, 'bearer capability not implemented'],
    500: [41, 'temporary failure'],
    503: [34, 'no circuit/channel available'],
    603: [21, 'call rejected'],
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

/** Q.850 cause -> SIP status (cube-reference §9, `show sip-ua map`). */
export function statusOfCause(cause: number): number {
  if ([1, 2, 3, 26, 27, 31].includes(cause)) return 404;
  if (cause === 16) return 487;
  if (cause === 17) return 486;
  if ([18, 19, 20].includes(cause)) return 480;
  if (cause === 21 || cause === 55) return 403;
  if (cause === 22) return 410;
  if (cause === 28) return 484;
  if ([29, 65, 79].includes(cause)) return 501;
  if ([34, 38, 41, 42, 47, 58, 63].includes(cause)) return 503;
  if (cause === 102) return 408;
  if ([88, 95, 111].includes(cause)) return 400;
  return 500;
}

const CAUSE_TEXT: Record<number, string> = {
  1: 'unassigned number',
  16: 'normal call clearing',
  17: 'user busy',
  18: 'no user responding',
  19: 'no answer from user',
  21: 'call rejected',
  27: 'destination out of order',
  31: 'normal, unspecified',
  34: 'no circuit/channel available',
  38: 'network out of order',
  41: 'temporary failure',
  47: 'resource unavailable, unspecified',
  63: 'service or option not available, unspecified',
  102: 'recovery on timer expiry',
};

export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? `cause ${cause}`;
}
