/**
 * What a configuration reload replaces while calls go on: the dial plan, the SIP profiles and the answer
 * for calls that find every dial-peer busied out. Calls already set up keep the dial-peer objects they
 * were matched to; new calls read this.
 */
import type { Credential } from '../routing/dial-peer.js';
import type { SanitizeSettings } from './header-shield.js';
import type { DialPlan } from '../routing/dial-plan.js';
import type { SipProfile } from '../rewrite/sip-profile.js';
import type { GlobalProfiles } from './leg-profiles.js';

export interface LiveConfig {
  dialPlan: DialPlan;
  /** The global SIP profiles (fosip.json). */
  profiles: GlobalProfiles;
  /** Every SIP profile by tag (keepalive profiles name theirs). */
  sipProfiles: ReadonlyMap<number, SipProfile>;
  /** The status a call gets when every outbound dial-peer is busied out (CUBE: 404), unless its inbound dial-peer sets one. */
  errorCodeOverride: number | null;
  /** The downstream shield (fosip.json `sanitize` over the defaults, resolved once per configuration). */
  sanitize?: SanitizeSettings;
  /** Global digest credentials (`sipUa.authentication` and `sipUa.credentials`), after the dial-peer's own. */
  credentials?: readonly Credential[];
}
