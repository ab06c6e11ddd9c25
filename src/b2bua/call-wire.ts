/**
 * The message ladder of every call: what crossed each leg, when, in which direction, for `show call flow`.
 * Which call and leg a message belongs to is the registry's (by Call-ID); the edge asks here, so that one
 * lookup serves the ladder, the SIP profiles, the live trace's and packet capture's call filters.
 * Ladders of ended calls are kept as long as the registry keeps their Call-IDs.
 */
import type { DialPeer } from '../routing/dial-peer.js';
import type { SipMessage } from '../sip/sip-message.js';
import type { Ladder, LadderEntry } from '../state/call-store.js';
import type { Call } from './call.js';
import { CallRegistry, type Leg, type LegEntry } from './call-registry.js';

export type { Leg, LegEntry } from './call-registry.js';

/** A ladder stops growing here (a long call with many re-INVITEs or INFOs keeps its first messages). */
const MAX_ENTRIES = 400;

export class CallWire {
  /** The ladder of every live call and of the ended ones the registry still keeps. */
  private readonly ladders = new Map<Call, LadderEntry[]>();

  constructor(
    private readonly now: () => number,
    private readonly registry: CallRegistry,
  ) {}

  /** A leg of a call exists under this Call-ID (the caller's, or an outbound attempt's). */
  track(call: Call, leg: Leg, callId: string, peer: DialPeer): void {
    if (!this.ladders.has(call)) {
      // the INVITE arrived, and the transaction layer answered 100 Trying at once (RFC 3261 §17.2.1), before the call existed
      const t = this.now() - call.record.startedAt;
      this.ladders.set(
        call,
        leg === 'a'
          ? [
              { t, leg, dir: 'in', label: 'INVITE' },
              { t, leg, dir: 'out', label: '100 Trying' },
            ]
          : [],
      );
    }
    this.registry.trackLeg(call, leg, callId, peer);
  }

  lookup(msg: SipMessage): LegEntry | undefined {
    return this.registry.legOf(msg);
  }

  /** A message crossed the wire: it goes on its call's ladder. Returns its call and leg, if it has one. */
  observe(msg: SipMessage, dir: 'in' | 'out', entry = this.lookup(msg)): LegEntry | undefined {
    if (entry === undefined) return undefined;
    const ladder = this.ladders.get(entry.call);
    if (ladder !== undefined && ladder.length < MAX_ENTRIES) {
      const label = msg.isRequest() ? msg.method : msg.isResponse() ? `${msg.status} ${msg.reason}` : '?';
      ladder.push({ t: this.now() - entry.call.record.startedAt, leg: entry.leg, dir, label });
    }
    return entry;
  }

  /** The registry let go of an ended call: its ladder goes too. */
  letGo(call: Call): void {
    this.ladders.delete(call);
  }

  /** The ladder of a live call, or of one of the last ended ones. */
  ladder(id: string): Ladder | undefined {
    for (const [call, entries] of this.ladders) {
      if (call.id !== id) continue;
      const r = call.record;
      return {
        id: call.id,
        startedAt: r.startedAt,
        caller: r.aLeg.remoteSignalling,
        callee: r.bLeg?.remoteSignalling ?? null,
        calledNumber: r.calledNumber,
        callingNumber: r.callingNumber,
        state: r.state,
        disconnect: r.disconnectCause === null ? null : `${r.disconnectCause} ${r.disconnectText ?? ''}`.trim(),
        entries: [...entries],
      };
    }
    return undefined;
  }
}
