/**
 * A call a previous run of this node carried, rebuilt from its record after a restart: both dialogs come
 * back (Call-IDs, tags, URIs, route sets, CSeqs moved on), so in-dialog requests from either side are
 * relayed as before and the call ends normally; a relayed call gets its RTP ports back (the same numbers,
 * which its far ends keep sending to) with the far ends and SDP origins it had. A call one of whose ports
 * was taken meanwhile is moved to new ones, and both far ends are told with a re-INVITE (media-move.ts).
 */
import { SipHeader } from '../../sip/sip-header.js';
import { EMPTY_BODY, SipRequest } from '../../sip/sip-message.js';
import { DIAL_PEER_0, type DialPeer } from '../../routing/dial-peer.js';
import type { CallRecord, CallStore, DialogSnapshot, RecoverySnapshot } from '../../state/call-store.js';
import type { ClientTransaction } from '../../transaction/client-transaction.js';
import type { ServerTransaction } from '../../transaction/server-transaction.js';
import type { TransactionTransport } from '../../transaction/transaction-transport.js';
import type { Flow } from '../../transport/flow.js';
import { type Call, freshState, legDialog } from '../call.js';
import { dialogFrom, keepRecoverable } from './call-snapshot.js';
import { newAuthMemory } from '../../uac/digest-client.js';
import { CallMedia } from '../media/call-media.js';
import { type MediaChoices, applyDialPeers, rtpengineHooks } from '../media/media-choice.js';
import { RtpengineCallMedia } from '../media/rtpengine-call-media.js';
import type { CallWire } from '../call-wire.js';
import type { CallRegistry } from '../call-registry.js';

/** Whether the record is an answered call whose dialogs were kept and whose media did not go through us. */
export function adoptable(r: CallRecord): boolean {
  const media = r.media ?? null;
  const relayed = media !== null && media.mode === 'flow-through';
  return (
    r.state === 'connected' &&
    r.recovery?.a !== undefined &&
    r.recovery.b !== undefined &&
    (!relayed || r.recovery.media !== undefined || r.recovery.rtpengine !== undefined)
  );
}

/**
 * The relay of an adopted flow-through call: on its old ports ('same'), or on new ones when another process
 * (or a new call) has one of them ('moved': both legs get a re-offer, media-move.ts); false when there is
 * no relay or no port at all. A call whose media flows around the SBC has nothing to restore ('same').
 */
export async function restoreMedia(
  call: Call,
  r: CallRecord,
  media: MediaChoices | undefined,
): Promise<'same' | 'moved' | false> {
  const held = r.recovery?.rtpengine;
  if (held !== undefined) {
    // rtpengine still relays the call: it is taken back as it is, and nothing is sent to rtpengine
    if (!media?.rtpengine) return false;
    call.media = new RtpengineCallMedia({
      fleet: media.rtpengine,
      ng: held.ng,
      id: call.id,
      adopted: true,
      ...rtpengineHooks(media, call.id),
    });
    call.media.watchInactivity();
    applyDialPeers(call.media, call.inbound, call.b?.peer ?? null);
    return 'same';
  }
  const snap = r.recovery?.media;
  if (snap === undefined) return 'same'; // its media flows around the SBC
  if (media === undefined) return false;
  const m = new CallMedia(media.engine, media.address, call.id);
  applyDialPeers(m, call.inbound, call.b?.peer ?? null);
  const restored = await m.restore(snap);
  if (restored === false) return false;
  call.media = m;
  m.watchInactivity();
  return restored;
}

/** The INVITE that made a leg's dialog, as far as the dialog tells (nothing answers it again: the call is up). */
function inviteOf(d: DialogSnapshot, fromUs: boolean): SipRequest {
  const us = `${d.localUri};tag=${d.localTag}`;
  const them = `${d.remoteUri};tag=${d.remoteTag}`;
  return new SipRequest(
    'INVITE',
    d.remoteTarget,
    'SIP/2.0',
    [
      SipHeader.create(
        'Via',
        `SIP/2.0/${d.transport.toUpperCase()} ${d.dest.address}:${d.dest.port};branch=z9hG4bKadopted`,
      ),
      SipHeader.create('From', fromUs ? us : them),
      SipHeader.create('To', fromUs ? them : us),
      SipHeader.create('Call-ID', d.callId),
      SipHeader.create('CSeq', '1 INVITE'),
      SipHeader.create('Content-Length', '0'),
    ],
    EMPTY_BODY,
  );
}

/** The call of an adoptable record, with the dial-peers of the running configuration (dial-peer 0 for one gone since). */
export function adoptedCall(r: CallRecord, peers: readonly DialPeer[]): Call {
  const snap = r.recovery as Required<Pick<RecoverySnapshot, 'a' | 'b'>>;
  const a = dialogFrom(snap.a);
  const b = dialogFrom(snap.b);
  const peer = (tag: number | null): DialPeer => peers.find((p) => p.tag === tag) ?? DIAL_PEER_0;
  const flow: Flow = {
    transport: snap.a.dest.transport,
    localAddress: '',
    localPort: 0,
    remoteAddress: snap.a.dest.address,
    remotePort: snap.a.dest.port,
  };
  // the transactions that set the call up are long over: these stand in for them and do nothing
  const answered = { finalStatus: 200, flow, respond: () => undefined } as unknown as ServerTransaction;
  const over = { state: 'terminated', cancel: () => undefined } as unknown as ClientTransaction;
  const record: CallRecord = { ...r };
  const call: Call = {
    id: r.id,
    record,
    a: {
      tx: answered,
      invite: inviteOf(snap.a, false),
      flow,
      toTag: snap.a.localTag,
      dialog: a,
      ok: null,
      okTimer: null,
    },
    b: {
      peer: peer(r.outboundDialPeer),
      invite: inviteOf(snap.b, true),
      tx: over,
      dest: snap.b.dest,
      dialog: b,
      ack: null,
      auth: newAuthMemory(),
    },
    inbound: peer(r.inboundDialPeer),
    ...freshState(),
  };
  keepRecoverable(call);
  return call;
}

/** The call of `record` rebuilt with its relay back (`moved`: on new ports), or null when it cannot come back (see adoptable, restoreMedia). */
export async function takeBack(
  record: CallRecord,
  peers: readonly DialPeer[],
  media: MediaChoices | undefined,
): Promise<{ call: Call; moved: boolean } | null> {
  if (!adoptable(record)) return null;
  const call = adoptedCall(record, peers);
  const restored = await restoreMedia(call, record, media);
  return restored === false ? null : { call, moved: restored === 'moved' };
}

/**
 * The adopted call's dialogs answer in-dialog requests again, its messages are its own (ladder, profiles), and
 * it is live in the store. Its B leg has the ACK of its INVITE ready: a run killed between the callee's 200
 * and the caller's ACK never sent it, and the callee's 200 retransmissions get it (RFC 3261 §13.2.2.4).
 */
export function carryAgain(
  call: Call,
  registry: Pick<CallRegistry, 'add' | 'addDialog'>,
  wire: Pick<CallWire, 'track'>,
  calls: Pick<CallStore, 'put'>,
  transport: Pick<TransactionTransport, 'sentBy'>,
): void {
  registry.add(call);
  for (const leg of ['a', 'b'] as const) {
    const d = legDialog(call, leg);
    if (d === null) continue;
    registry.addDialog(call, leg, d);
    wire.track(call, leg, d.callId, leg === 'a' ? call.inbound : (call.b?.peer ?? call.inbound));
  }
  const b = call.b;
  const via = b?.dialog ? transport.sentBy(b.dialog.destination()) : undefined;
  if (b?.dialog && via !== undefined) b.ack = b.dialog.request('ACK', via, { cseq: b.invite.cseq().seq });
  calls.put(call.record);
}
