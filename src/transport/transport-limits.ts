/** Limits with safe defaults; every one is configurable (fosip.json `transport` section). */
export interface TransportLimits {
  /** Largest SIP message accepted, in bytes (headers + body). */
  maxMessageBytes: number;
  /** Open TCP connections in total, and from one source address. */
  maxConnections: number;
  maxConnectionsPerSource: number;
  /** Close a TCP connection that carried nothing for this long. */
  idleTimeoutMs: number;
  /** A message whose first byte arrived must be complete within this time (slow-drip defence). */
  messageDeadlineMs: number;
  /** Give up connecting to a TCP peer after this long. */
  connectTimeoutMs: number;
  /** UDP socket receive and send buffers; bursts overflow the kernel's small default (capped by rmem_max/wmem_max). */
  udpBufferBytes: number;
}

export const DEFAULT_LIMITS: TransportLimits = {
  maxMessageBytes: 65536,
  maxConnections: 4096,
  maxConnectionsPerSource: 64,
  idleTimeoutMs: 600_000,
  messageDeadlineMs: 10_000,
  connectTimeoutMs: 5_000,
  udpBufferBytes: 4 * 1024 * 1024,
};
