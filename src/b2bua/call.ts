/** A call: the inbound leg (A), the outbound leg (B) once one is tried, and what hunting still has. */
import { type Dialog, newTag } from '../dialog/dialog.js';
import type { AuthMemory } from '../uac/digest-client.js';
import type { CallMediaSession } from './media/call-media-session.js';
import type { DialPeer } from '../routing/dial-peer.js';
import type { SipRequest, SipResponse } from '../sip/sip-message.js';
import type { CallDetailRecord, CallRecord } from '../state/call-store.js';
import type { ClientTransaction } from '../transaction/client-transaction.js';
import type { TimerHandle } from '../transaction/clock.js';
import type { ServerTransaction } from '../transaction/server-transaction.js';
import type { Destination, Flow } from '../transport/flow.js';

export interface ALeg {
  tx: ServerTransaction;
  invite: SipRequest;
  flow: Flow;
  /** Our To tag toward the caller. */
  toTag: string;
  dialog: Dialog | null;
  /** The 2xx we retransmit until the caller's ACK arrives (RFC 3261 §13.3.1.4). */
  ok: SipResponse | null;
  okTimer: TimerHandle | null;
}

export interface BLeg {
  peer: DialPeer;
  invite: SipRequest;
  tx: ClientTransaction;
  dest: Destination;
  dialog: Dialog | null;
  /** The ACK of the 2xx, kept to answer 2xx retransmissions. */
  ack: SipRequest | null;
  /** The digest challenges answered for this INVITE (never in a loop). */
  auth: AuthMemory;
}

/** An early dialog of the B leg (a provisional with a To tag) and the A-leg early dialog paired with it. */
export interface EarlyPair {
  aTag: string;
  a: Dialog;
  b: Dialog;
}

/** A re-INVITE relayed from one leg to the other: its ACK must follow with the other leg's CSeq. */
export interface RelayedInvite {
  from: 'a' | 'b';
  otherCseq: number;
}

export interface Call {
  id: string;
  record: CallRecord;
  a: ALeg;
  b: BLeg | null;
  /** Outbound dial-peers in hunt order, and the next one to try. */
  candidates: DialPeer[];
  next: number;
  /** The failure to give the caller if no dial-peer is left (e.g. 503 after max-conn). */
  lastFailure: { status: number; warning: string | null } | null;
  cancelled: boolean;
  ended: boolean;
  /** The dial-peer whose max-conn count this call holds, until released. */
  holding: number | null;
  /**
   * How transaction callbacks reach the call. Outbound transactions outlive a call by up to 64*T1
   * (RFC 6026 Timer M); end() clears these so an ended call's messages are not kept alive by them.
   */
  refs: Array<{ call: Call | null }>;
  /** 3xx responses followed so far. */
  redirects: number;
  /** Early dialogs by the B leg's To tag (several when the far end forks). */
  early: Map<string, EarlyPair>;
  /** Every dialog key registered for this call, so that end() lets go of all of them. */
  dialogKeys: string[];
  relayedInvite: RelayedInvite | null;
  /** The inbound dial-peer the call matched. */
  inbound: DialPeer;
  /** The relayed media (flow-through); null when media flows around the SBC. */
  media: CallMediaSession | null;
  /** The redirect number (Diversion) after incoming translation, for the outgoing one. */
  redirect: string | null;
}

/**
 * What a call that this process has just taken holds of its own: nothing hunted, redirected, cancelled or
 * ended yet, no early dialog, no media (a new call, and one taken back after a restart, start from here).
 */
export function freshState(): Omit<Call, 'id' | 'record' | 'a' | 'b' | 'inbound'> {
  return {
    candidates: [],
    next: 0,
    lastFailure: null,
    cancelled: false,
    ended: false,
    relayedInvite: null,
    holding: null,
    refs: [],
    redirects: 0,
    early: new Map(),
    dialogKeys: [],
    media: null,
    redirect: null,
  };
}

/** A call that has just arrived: its record (numbers filled in once translated), the A leg, nothing tried yet. */
export function newCall(id: string, tx: ServerTransaction, invite: SipRequest, inbound: DialPeer, now: number): Call {
  const record: CallRecord = {
    id,
    version: 0,
    state: 'trying',
    calledNumber: '',
    callingNumber: '',
    inboundDialPeer: inbound.tag,
    outboundDialPeer: null,
    aLeg: {
      callId: invite.callId(),
      localTag: null,
      remoteTag: invite.from().params.get('tag') ?? null,
      remoteSignalling: `${tx.flow.remoteAddress}:${tx.flow.remotePort}`,
      transport: tx.flow.transport,
    },
    bLeg: null,
    startedAt: now,
    ringingAt: null,
    connectedAt: null,
    endedAt: null,
    disconnectCause: null,
    disconnectText: null,
    releasedBy: null,
    finalStatus: null,
  };
  const call: Call = {
    id,
    record,
    a: { tx, invite, flow: tx.flow, toTag: newTag(), dialog: null, ok: null, okTimer: null },
    b: null,
    inbound,
    ...freshState(),
  };
  record.aLeg.localTag = call.a.toTag;
  return call;
}

/** The record of a call that ends now, and its call-detail record (a `clear call` has set its cause first). */
export function closeRecord(
  r: CallRecord,
  now: number,
  cause: { cause: number; text: string },
  by: 'caller' | 'callee' | 'sbc',
): CallDetailRecord {
  r.state = 'ended';
  r.endedAt = now;
  r.disconnectCause ??= cause.cause;
  r.disconnectText ??= cause.text;
  r.releasedBy ??= by;
  delete r.recovery; // an ended call needs none, and its call-detail record keeps none
  return {
    ...r,
    aLeg: { ...r.aLeg },
    bLeg: r.bLeg && { ...r.bLeg },
    durationMs: r.connectedAt === null ? 0 : now - r.connectedAt,
  };
}

/** The dialog of one leg of the call (null before it has one). */
export function legDialog(call: Call, leg: 'a' | 'b'): Dialog | null {
  return leg === 'a' ? call.a.dialog : (call.b?.dialog ?? null);
}
