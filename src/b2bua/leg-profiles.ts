/**
 * Where SIP profiles run: on every message that arrives (the global inbound profile, then the inbound
 * profile of the dial-peer whose leg it arrived on) and on every message that leaves (the dial-peer's
 * outbound profile, else the global one), as the first and the last step. The call wire says which leg a
 * message belongs to (by its Call-ID), so the transport can call this for everything it sends and receives,
 * including the ACKs, CANCELs and retransmissions the transaction layer makes; each message object is
 * rewritten once.
 */
import type { Logger } from 'pino';
import type { DialPeer } from '../routing/dial-peer.js';
import type { SipProfile } from '../rewrite/sip-profile.js';
import type { SipMessage } from '../sip/sip-message.js';
import type { Call } from './call.js';
import type { LegEntry } from './call-wire.js';
import { applyProfile, headerOf } from './message-edit.js';

interface CallState {
  /** u01..u99, shared by every profile of the call (CUBE: inbound and outbound share them). */
  vars: Map<string, string>;
  /** The last message that arrived on each leg: what peer-header rules read on the other leg. */
  lastIn: { a?: SipMessage; b?: SipMessage };
}

export interface ProfileCounters {
  /** Messages a profile changed. */
  rewritten: number;
  /** Rules not applied because their result would not parse (or read an unset variable, or a too long text). */
  skipped: number;
}

export interface GlobalProfiles {
  /** Applied to what leaves on a leg whose dial-peer has no profile of its own (fosip.json `sipProfiles`). */
  outbound: SipProfile | null;
  /** Applied first to everything that arrives, before any dial-peer is matched (fosip.json `sipProfilesInbound`). */
  inbound: SipProfile | null;
}

export class LegProfiles {
  private readonly states = new WeakMap<Call, CallState>();
  private readonly done = new WeakSet<SipMessage>();
  readonly counters: ProfileCounters = { rewritten: 0, skipped: 0 };

  private global: GlobalProfiles;
  /** Whether any dial-peer has a profile: without any (and no global one), nothing is looked at. */
  private anyPeer = false;

  constructor(
    global: GlobalProfiles,
    peers: readonly DialPeer[],
    private readonly log: Logger,
  ) {
    this.global = global;
    this.reconfigure(global, peers);
  }

  /** A reload: calls in progress keep the dial-peers (and so the profiles) they were matched to. */
  reconfigure(global: GlobalProfiles, peers: readonly DialPeer[]): void {
    this.global = global;
    this.anyPeer = peers.some((p) => p.sipProfiles !== null || p.sipProfilesInbound !== null);
  }

  get active(): boolean {
    return this.anyPeer || this.global.inbound !== null || this.global.outbound !== null;
  }

  private stateOf(call: Call): CallState {
    let state = this.states.get(call);
    if (state === undefined) this.states.set(call, (state = { vars: new Map(), lastIn: {} }));
    return state;
  }

  /** Everything that arrives (`entry`: its call and leg, when it has one): the global inbound profile, then that of the leg's dial-peer. */
  arrived(msg: SipMessage, entry: LegEntry | undefined): void {
    if (!this.active) return;
    if (this.global.inbound !== null) this.run(this.global.inbound, msg, entry, 'in');
    if (entry === undefined) return;
    this.stateOf(entry.call).lastIn[entry.leg] = msg;
    if (entry.peer.sipProfilesInbound !== null) this.run(entry.peer.sipProfilesInbound, msg, entry, 'in');
  }

  /** A new call's INVITE, once its inbound dial-peer is known: that dial-peer's inbound profile. */
  arrivedInitial(call: Call): void {
    if (!this.active) return;
    const entry: LegEntry = { call, leg: 'a', peer: call.inbound };
    this.stateOf(call).lastIn.a = call.a.invite;
    if (call.inbound.sipProfilesInbound !== null) this.run(call.inbound.sipProfilesInbound, call.a.invite, entry, 'in');
  }

  /** Everything that leaves, once per message object (retransmissions are sent as they were). */
  leaving(msg: SipMessage, entry: LegEntry | undefined): void {
    if (!this.active || this.done.has(msg)) return;
    this.done.add(msg);
    const profile = entry?.peer.sipProfiles ?? this.global.outbound;
    if (profile !== null) this.run(profile, msg, entry, 'out');
  }

  /** A message of the SBC's own (a keepalive OPTIONS) through its own profile instead of the global one. */
  rewriteOnce(msg: SipMessage, profile: SipProfile): void {
    this.done.add(msg);
    this.run(profile, msg, undefined, 'out');
  }

  private run(profile: SipProfile, msg: SipMessage, entry: LegEntry | undefined, direction: 'in' | 'out'): void {
    try {
      const state = entry === undefined ? undefined : this.stateOf(entry.call);
      const peerMsg = state?.lastIn[entry?.leg === 'a' ? 'b' : 'a'];
      const vars = state?.vars ?? new Map<string, string>();
      const peerHeader = headerOf(peerMsg);
      const result = applyProfile(
        profile,
        msg,
        this.inDialog(msg, entry),
        peerHeader === undefined ? { vars } : { vars, peerHeader },
      );
      if (result.changed) this.counters.rewritten++;
      for (const s of result.skipped) {
        // the first skip of a kind is worth a warning; a rule that never applies must not flood the log
        if (this.counters.skipped++ % 1000 === 0)
          this.log.warn(
            { callId: entry?.call.id, profile: profile.tag, rule: s.rule, direction, reason: s.reason },
            'sip-profile rule not applied',
          );
      }
    } catch (err) {
      this.log.debug({ callId: entry?.call.id, err, profile: profile.tag }, 'message not rewritten: it does not parse');
    }
  }

  /** An INVITE (or its answer) other than the call's first on that leg is a re-INVITE. */
  private inDialog(msg: SipMessage, entry: LegEntry | undefined): boolean {
    if (msg.isRequest()) return msg.to().params.get('tag') !== undefined;
    if (entry === undefined) return false;
    const first = entry.leg === 'a' ? entry.call.a.invite : entry.call.b?.invite;
    return first !== undefined && msg.cseq().method === 'INVITE' && msg.cseq().seq !== first.cseq().seq;
  }
}
