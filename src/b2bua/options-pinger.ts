/**
 * The OPTIONS a keepalive sends to a dial-peer's session target (cube-reference §5): out of dialog, from the
 * SBC, over the profile's transport (or the dial-peer's), through the profile's SIP profile when it names one.
 * The answer's status and the round trip go back to the keepalive manager; no answer is a timeout.
 */
import type { KeepaliveProfile } from '../keepalive/keepalive-manager.js';
import type { PingResult } from '../keepalive/peer-health.js';
import type { DialPeer } from '../routing/dial-peer.js';
import type { SipProfile } from '../rewrite/sip-profile.js';
import type { Clock } from '../transaction/clock.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransactionTransport } from '../transaction/transaction-transport.js';
import type { Destination } from '../transport/flow.js';
import type { LegProfiles } from './leg-profiles.js';
import { buildOutboundRequest } from './outbound-leg.js';
import { resolveTarget } from '../uac/target-resolver.js';

export interface PingerDeps {
  transactions: TransactionLayer;
  transport: TransactionTransport;
  clock: Clock;
  profiles: LegProfiles;
  /** The SIP profiles by tag, as configured now (a reload replaces them). */
  sipProfiles: () => ReadonlyMap<number, SipProfile>;
}

export class OptionsPinger {
  constructor(private readonly d: PingerDeps) {}

  async ping(peer: DialPeer, profile: KeepaliveProfile): Promise<PingResult> {
    const target = peer.sessionTarget;
    if (target === null) return { kind: 'no-answer', why: 'transport error' };
    const transport = profile.transport === 'system' ? peer.sessionTransport : profile.transport;
    const usable = (d: Destination): boolean => this.d.transport.sentBy(d) !== undefined;
    const [dest] = await resolveTarget(target, transport, usable).catch(() => []);
    const via = dest === undefined ? undefined : this.d.transport.sentBy(dest);
    if (dest === undefined || via === undefined) return { kind: 'no-answer', why: 'transport error' };
    // the Request-URI names the target without a user: the SBC asks the peer itself, not one of its users
    const { request } = buildOutboundRequest(
      'OPTIONS',
      null,
      dest,
      via,
      { called: '', calling: 'fosip', display: null },
      [],
      null,
      [['Accept', 'application/sdp']],
    );
    const sipProfile = profile.sipProfiles === null ? undefined : this.d.sipProfiles().get(profile.sipProfiles);
    if (sipProfile !== undefined) this.d.profiles.rewriteOnce(request, sipProfile);
    const sent = this.d.clock.now();
    return new Promise((resolve) => {
      this.d.transactions.sendRequest(request, dest, {
        response: (res) => {
          if (res.status >= 200)
            resolve({ kind: 'answer', status: res.status, reason: res.reason, rttMs: this.d.clock.now() - sent });
        },
        timeout: () => resolve({ kind: 'no-answer', why: 'timeout' }),
        transportError: () => resolve({ kind: 'no-answer', why: 'transport error' }),
      });
    });
  }
}
