/**
 * The one place a call is indexed, and forgotten: by its id, by the server transaction of the caller's
 * INVITE (CANCEL finds it so), by the Call-ID of each leg (what the edge reads to tell a message's call and
 * leg), and by the key of each of its dialogs (in-dialog requests, ACKs). When a call ends, forget() takes
 * it out of every index but one: its Call-IDs stay for the last `keepEnded` ended calls, so the answers to
 * its last BYEs still find their leg (and its SIP profiles, and `show call flow`'s ladder).
 */
import type { Dialog } from '../dialog/dialog.js';
import type { DialPeer } from '../routing/dial-peer.js';
import type { SipMessage } from '../sip/sip-message.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { Call, EarlyPair } from './call.js';

export type Leg = 'a' | 'b';

/** Which call and leg a message belongs to, by its Call-ID. */
export interface LegEntry {
  call: Call;
  leg: Leg;
  /** The dial-peer of this leg (inbound for a, the attempt's outbound for b). */
  peer: DialPeer;
}

/** A dialog of a call; an early one also names its pair (the other leg's early dialog). */
export interface DialogEntry {
  call: Call;
  leg: Leg;
  pair?: EarlyPair;
}

export class CallRegistry {
  private readonly byId = new Map<string, Call>();
  private readonly byInvite = new Map<ServerTransaction, Call>();
  private readonly byDialog = new Map<string, DialogEntry>();
  private readonly byCallId = new Map<string, LegEntry>();
  private readonly callIds = new Map<Call, string[]>();
  /** Ended calls whose Call-IDs still answer, oldest first. */
  private readonly ended: Call[] = [];

  constructor(
    private readonly keepEnded = 100,
    /** An ended call is let go of entirely (what is kept beside it, its ladder, can go too). */
    private readonly letGo: (call: Call) => void = () => undefined,
  ) {}

  /** A call in progress (new, or taken back after a restart). */
  add(call: Call): void {
    this.byId.set(call.id, call);
    this.byInvite.set(call.a.tx, call);
  }

  get(id: string): Call | undefined {
    return this.byId.get(id);
  }

  /** The call whose caller's INVITE this transaction is. */
  ofInvite(tx: ServerTransaction): Call | undefined {
    return this.byInvite.get(tx);
  }

  /** The calls in progress. */
  calls(): IterableIterator<Call> {
    return this.byId.values();
  }

  /** Calls in progress. */
  get size(): number {
    return this.byId.size;
  }

  /** A leg of a call exists under this Call-ID (the caller's, or an outbound attempt's). */
  trackLeg(call: Call, leg: Leg, callId: string, peer: DialPeer): void {
    const ids = this.callIds.get(call) ?? [];
    ids.push(callId);
    this.callIds.set(call, ids);
    this.byCallId.set(callId, { call, leg, peer });
  }

  /** The call and leg of a message, by its Call-ID. */
  legOf(msg: SipMessage): LegEntry | undefined {
    if (this.byCallId.size === 0) return undefined;
    try {
      return this.byCallId.get(msg.callId());
    } catch {
      return undefined; // no readable Call-ID: the transaction layer rejects it
    }
  }

  /** Register (or re-register: a confirmed early dialog drops its pair) a dialog of the call. */
  addDialog(call: Call, leg: Leg, dialog: Dialog, pair?: EarlyPair): void {
    if (!this.byDialog.has(dialog.key)) call.dialogKeys.push(dialog.key);
    this.byDialog.set(dialog.key, pair === undefined ? { call, leg } : { call, leg, pair });
  }

  /** An early dialog that ended (another fork answered). */
  dropDialog(key: string): void {
    this.byDialog.delete(key);
  }

  dialog(key: string): DialogEntry | undefined {
    return this.byDialog.get(key);
  }

  /** Whether any index still names the call (a scan of them all: for checks that nothing leaked, not for signalling). */
  holds(call: Call): boolean {
    const named = (index: Iterable<{ call: Call } | Call>): boolean =>
      [...index].some((v) => v === call || ('call' in v && v.call === call));
    return (
      named(this.byId.values()) ||
      named(this.byInvite.values()) ||
      named(this.byDialog.values()) ||
      named(this.byCallId.values()) ||
      this.callIds.has(call)
    );
  }

  /** The call ended: out of every index; its Call-IDs go once it is no longer among the last ended. */
  forget(call: Call): void {
    for (const key of call.dialogKeys) if (this.byDialog.get(key)?.call === call) this.byDialog.delete(key);
    call.dialogKeys = [];
    call.early.clear();
    if (this.byInvite.get(call.a.tx) === call) this.byInvite.delete(call.a.tx);
    if (this.byId.get(call.id) === call) this.byId.delete(call.id);
    this.ended.push(call);
    while (this.ended.length > this.keepEnded) {
      const old = this.ended.shift() as Call;
      // another call may have come with the same Call-ID (a request forked to us twice): its entry stays
      for (const id of this.callIds.get(old) ?? []) if (this.byCallId.get(id)?.call === old) this.byCallId.delete(id);
      this.callIds.delete(old);
      this.letGo(old);
    }
  }
}
