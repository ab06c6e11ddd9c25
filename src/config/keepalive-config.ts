/** `voice class sip-options-keepalive N` in profiles/: how a dial-peer's target is pinged (cube-reference §5). */

export interface KeepaliveProfileJson {
  kind: 'sip-options-keepalive';
  tag: number;
  description?: string;
  /** Seconds between pings while the dial-peer is active (CUBE default 60). */
  upInterval?: number;
  /** Seconds between pings while it is busied out (CUBE default 30). */
  downInterval?: number;
  /** Consecutive failed pings that busy the dial-peer out (CUBE default 5). */
  retry?: number;
  /** `system`: the dial-peer's session transport. */
  transport?: 'udp' | 'tcp' | 'tls' | 'system';
  /** A SIP profile applied to the OPTIONS before it leaves. */
  sipProfiles?: number;
  /** Stop pinging; the dial-peers using it count as active (CUBE `shutdown` in the class). */
  shutdown?: boolean;
}

const seconds = { type: 'number', minimum: 0.05, maximum: 86400 };

export const KEEPALIVE_PROFILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'tag'],
  properties: {
    kind: { const: 'sip-options-keepalive' },
    tag: { type: 'integer', minimum: 1, maximum: 10000 },
    description: { type: 'string', maxLength: 240 },
    upInterval: seconds,
    downInterval: seconds,
    retry: { type: 'integer', minimum: 1, maximum: 10 },
    transport: { enum: ['udp', 'tcp', 'tls', 'system'] },
    sipProfiles: { type: 'integer', minimum: 1, maximum: 10000 },
    shutdown: { type: 'boolean' },
  },
} as const;
