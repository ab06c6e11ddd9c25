/**
 * One versioned record per call, behind an interface: in memory now, Redis in its own stage. Writes never
 * fail signalling: the in-memory store cannot fail, and the Redis one will count and re-sync instead.
 */
export type CallState = 'trying' | 'ringing' | 'connected' | 'ending' | 'ended';

export interface LegRecord {
  callId: string;
  localTag: string | null;
  remoteTag: string | null;
  /** `ip:port` of the far end's signalling, and the transport. */
  remoteSignalling: string;
  transport: 'udp' | 'tcp' | 'tls';
  /**
   * The numbers as this leg carries them: on the A leg as the caller dialled them (before any translation),
   * on the B leg as the callee got them (after the outgoing translation). Absent in records of older nodes.
   */
  callingNumber?: string;
  calledNumber?: string;
  /** Where this leg's SDP says its media is (its first stream in use), and its a=ptime: null until it sent SDP. */
  media?: { address: string; port: number; ptimeMs: number | null } | null;
}

/** The codec the answer chose (its first stream in use, its first format), and its packetization. */
export interface NegotiatedCodec {
  /** CUBE's name (g711ulaw, g729r8, ...), else the rtpmap encoding in lower case, else `pt<N>`. */
  name: string;
  /** null for a format that is not an RTP payload type (T.38's `t38`). */
  payloadType: number | null;
  /** a=ptime of the answer, else of the offer, else RFC 3551's default of 20 ms. */
  ptimeMs: number;
  /** audio, video, or image (T.38 fax). */
  media: string;
}

export interface CallRecord {
  id: string;
  version: number;
  state: CallState;
  calledNumber: string;
  callingNumber: string;
  inboundDialPeer: number;
  outboundDialPeer: number | null;
  aLeg: LegRecord;
  bLeg: LegRecord | null;
  startedAt: number;
  ringingAt: number | null;
  connectedAt: number | null;
  endedAt: number | null;
  /** Q.850 cause and text, and who released the call. */
  disconnectCause: number | null;
  disconnectText: string | null;
  releasedBy: 'caller' | 'callee' | 'sbc' | null;
  /** The final SIP status the caller got when the call failed. */
  finalStatus: number | null;
  /** Media of the call: null until SDP was exchanged, and for calls the SBC does not relay. */
  media?: CallMediaRecord | null;
  /** The codec negotiated by the last answer, whichever engine relays the media (or none, in flow-around). */
  codec?: NegotiatedCodec | null;
  /** What a node that restarts needs to end this call cleanly on both legs (see RecoverySnapshot). */
  recovery?: RecoverySnapshot;
}

/** Where a leg's far end is reached: transport, bare address, port. */
export interface SnapshotDestination {
  transport: 'udp' | 'tcp' | 'tls';
  address: string;
  port: number;
  /** TLS: the DNS name the server's certificate must name, when the leg was set up to one. */
  serverName?: string;
}

/** One leg's dialog, as in-dialog requests need it (RFC 3261 §12.2.1.1). */
export interface DialogSnapshot {
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  contact: string;
  transport: 'udp' | 'tcp' | 'tls';
  dest: SnapshotDestination;
}

export interface MediaSnapshot {
  streams: Array<{
    stream: number;
    clockRate: number;
    aPort: number;
    bPort: number;
    a: { address: string; port: number } | null;
    b: { address: string; port: number } | null;
  }>;
  /** Per leg: the o= session id and version the SBC wrote, and what it last sent (to tell a change). */
  origins: Record<'a' | 'b', { sessionId: string; version: string; last: string | null }>;
  offeredByUs: boolean;
  /** RFC 4733 payload types (see b2bua/telephone-events.ts); absent in snapshots written before they were kept. */
  telephoneEvents?: TelephoneEventSnapshot;
}

/** Per leg: the telephone-event stream and payload type it wants, was told, and (interworking) whose DTMF the relay turns into INFO. */
export interface TelephoneEventSnapshot {
  wanted: Record<'a' | 'b', { stream: number; pt: number } | null>;
  presented: Record<'a' | 'b', { stream: number; pt: number } | null>;
  detected: Record<'a' | 'b', { stream: number; pt: number } | null>;
}

/** A leg's INVITE before its dialog is confirmed: enough for a final response (A leg) or a CANCEL (B leg). */
export interface InviteSnapshot {
  uri: string;
  vias: string[];
  from: string;
  to: string;
  callId: string;
  cseq: number;
  dest: SnapshotDestination;
}

/**
 * Kept with the record so that a node restarted after a crash can end the calls it lost: confirmed
 * dialogs get BYE on both legs; a call not answered yet gets its final response (with our To tag) and its
 * outbound INVITE a CANCEL.
 */
export interface RecoverySnapshot {
  /** The relay of an answered flow-through call: its ports and far ends, and the SDP origins it wrote. */
  media?: MediaSnapshot;
  /** The rtpengine instance that holds the call's media (its ng address); rtpengine knows it by the call's id. */
  rtpengine?: { ng: string };
  a?: DialogSnapshot;
  b?: DialogSnapshot;
  aInvite?: InviteSnapshot;
  aToTag?: string;
  bInvite?: InviteSnapshot;
}

/** One relayed stream as `show voip rtp connections` lists it: the SBC's port facing a leg, and the far end. */
export interface MediaStreamRecord {
  leg: 'a' | 'b';
  /** m-line number in the SDP. */
  stream: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string | null;
  remotePort: number | null;
  /** The stream is SRTP on this leg (RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVP(F)). */
  srtp?: boolean;
}

export interface CallMediaRecord {
  mode: 'flow-through' | 'flow-around';
  streams: MediaStreamRecord[];
}

/** A call-detail record: the ended call's record plus its duration. */
export interface CallDetailRecord extends CallRecord {
  durationMs: number;
}

/** The messages of one call on both legs, for `show call flow`. */
export interface LadderEntry {
  /** ms since the call arrived. */
  t: number;
  leg: 'a' | 'b';
  /** `in`: toward the SBC; `out`: from it. */
  dir: 'in' | 'out';
  /** The method, or the status and reason. */
  label: string;
}

export interface Ladder {
  id: string;
  startedAt: number;
  caller: string;
  callee: string | null;
  calledNumber: string;
  callingNumber: string;
  state: string;
  disconnect: string | null;
  entries: LadderEntry[];
}

export interface CallStore {
  put(record: CallRecord): void;
  get(id: string): CallRecord | undefined;
  delete(id: string): void;
  list(): CallRecord[];
  readonly size: number;
  /** Append an ended call to the capped history (`show call history voice`). */
  addHistory(cdr: CallDetailRecord): void;
  /** The most recent ended calls, newest first. */
  history(limit?: number): CallDetailRecord[];
  /**
   * The calls the store still lists for this node that this process does not carry: left by a previous
   * run that crashed or was killed (none in memory, which does not outlive the process).
   */
  orphans(): Promise<CallRecord[]>;
  /** An orphan dealt with: its record goes, its call-detail record joins the history. */
  settleOrphan(cdr: CallDetailRecord): void;
  /** Stop background work (heartbeats, flushes) and let go of connections. */
  close(): Promise<void>;
}

/** How many ended calls the history keeps. */
export const HISTORY_LENGTH = 1000;

export class MemoryCallStore implements CallStore {
  private readonly calls = new Map<string, CallRecord>();
  private readonly ring: CallDetailRecord[] = [];

  put(record: CallRecord): void {
    this.calls.set(record.id, {
      ...record,
      version: record.version + 1,
      aLeg: { ...record.aLeg },
      bLeg: record.bLeg && { ...record.bLeg },
    });
    record.version++;
  }

  get(id: string): CallRecord | undefined {
    const r = this.calls.get(id);
    return r && { ...r };
  }

  delete(id: string): void {
    this.calls.delete(id);
  }

  list(): CallRecord[] {
    return [...this.calls.values()].map((r) => ({ ...r }));
  }

  get size(): number {
    return this.calls.size;
  }

  addHistory(cdr: CallDetailRecord): void {
    this.ring.push(cdr);
    if (this.ring.length > HISTORY_LENGTH) this.ring.shift();
  }

  history(limit = HISTORY_LENGTH): CallDetailRecord[] {
    return this.ring.slice(-limit).reverse();
  }

  orphans(): Promise<CallRecord[]> {
    return Promise.resolve([]);
  }

  settleOrphan(cdr: CallDetailRecord): void {
    this.addHistory(cdr);
  }

  async close(): Promise<void> {
    // nothing in the background
  }
}
