/**
 * Which call and leg a message on the wire belongs to, by its Call-ID (each leg has its own), and the
 * message ladder of every call: what crossed each leg, when, in which direction. SIP profiles, the live
 * trace's call filter, packet capture's call filter and `show call flow` all read this one registry.
 * Ladders of ended calls are kept for the last `keep` calls.
 */
import type { DialPeer } from '../routing/dial-peer.js';
import type { SipMessage } from '../sip/sip-message.js';
import type { Ladder, LadderEntry } from '../state/call-store.js';
import type { Call } from './call.js';

export type Leg = 'a' | 'b';

export interface LegEntry {
  call: Call;
  leg: Leg;
  /** The dial-peer of this leg (inbound for a, the attempt's outbound for b). */
  peer: DialPeer;
}

/** A ladder stops growing here (a long call with many re-INVITEs or INFOs keeps its first messages). */
const MAX_ENTRIES = 400;

export class CallWire {
  private readonly byCallId = new Map<string, LegEntry>();
  private readonly callIds = new Map<Call, string[]>();
  /** The ladder of every live call and of the last `keep` ended ones (which still take their last messages). */
  private readonly ladders = new Map<Call, LadderEntry[]>();
  private readonly ended: Call[] = [];

  constructor(
    private readonly now: () => number,
    /** Ladders of ended calls kept for `show call flow`. */
    private readonly keep = 100,
  ) {}

  /** A leg of a call exists under this Call-ID (the caller's, or an outbound attempt's). */
  track(call: Call, leg: Leg, callId: string, peer: DialPeer): void {
    const ids = this.callIds.get(call) ?? [];
    ids.push(callId);
    this.callIds.set(call, ids);
    if (!this.ladders.has(call)) {
      // the INVITE arrived, and the transaction layer answered 100 Trying at once (RFC 3261 §17.2.1), before the call existed
      const t = this.now() - call.record.startedAt;
      this.ladders.set(call, leg === 'a' ? [{ t, leg, dir: 'in', label: 'INVITE' }, { t, leg, dir: 'out', label: '100 Trying' }] : []);
    }
    this.byCallId.set(callId, { call, leg, peer });
  }

  lookup(msg: SipMessage): LegEntry | undefined {
    if (this.byCallId.size === 0) return undefined;
    try {
      return this.byCallId.get(msg.callId());
    } catch {
      return undefined; // no readable Call-ID: the transaction layer rejects it
    }
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

  /**
   * The call ended. Its ladder stays among the last `keep` ended calls, and its Call-IDs with it: the
   * answers to its last BYEs still find it (and its leg's profiles); the oldest ended call is let go.
   */
  forget(call: Call): void {
    this.ended.push(call);
    while (this.ended.length > this.keep) {
      const old = this.ended.shift() as Call;
      // another call may have come with the same Call-ID (a request forked to us twice): its entry stays
      for (const id of this.callIds.get(old) ?? []) if (this.byCallId.get(id)?.call === old) this.byCallId.delete(id);
      this.callIds.delete(old);
      this.ladders.delete(old);
    }
  }

  /** The ladder of a live call, or of one of the last ended ones. */
  ladder(id: string): Ladder | undefined {
    for (const [call, entries] of this.ladders) {
      if (call.id !== id) continue;
      const r = call.record;
      return {
        id: call.id, startedAt: r.startedAt, caller: r.aLeg.remoteSignalling, callee: r.bLeg?.remoteSignalling ?? null,
        calledNumber: r.calledNumber, callingNumber: r.callingNumber, state: r.state,
        disconnect: r.disconnectCause === null ? null : `${r.disconnectCause} ${r.disconnectText ?? ''}`.trim(), entries: [...entries],
      };
    }
    return undefined;
  }

  /** Calls whose Call-IDs are still known (live, and the ended ones kept). */
  get size(): number {
    return this.callIds.size;
  }
}
