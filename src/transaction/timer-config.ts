/** RFC 3261 §17 timer values (Table 4) from T1, T2, T4, plus RFC 6026 Timers L and M. */
export interface TimerBase {
  /** RTT estimate, default 500 ms. */
  T1: number;
  /** Largest retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  T2: number;
  /** Longest time a message stays in the network, default 5 s. */
  T4: number;
}

export const DEFAULT_TIMERS: TimerBase = { T1: 500, T2: 4000, T4: 5000 };

export interface Timers extends TimerBase {
  /** INVITE client transaction timeout (B), non-INVITE client timeout (F), wait for ACK (H): 64*T1. */
  B: number;
  F: number;
  H: number;
  /** Wait time for response retransmits after a non-2xx to INVITE: >= 32 s on unreliable transports. */
  D: number;
  /** RFC 6026: Accepted-state lifetimes of the INVITE server (L) and client (M) transactions. */
  L: number;
  M: number;
}

export function deriveTimers(base: Partial<TimerBase> = {}): Timers {
  const b = { ...DEFAULT_TIMERS, ...base };
  return { ...b, B: 64 * b.T1, F: 64 * b.T1, H: 64 * b.T1, D: Math.max(32_000, 64 * b.T1), L: 64 * b.T1, M: 64 * b.T1 };
}
