/**
 * A call's legs as the record keeps them for a restart (RecoverySnapshot), and back: a confirmed leg's
 * dialog, or the INVITE of a leg not answered yet.
 */
import { Dialog } from '../../dialog/dialog.js';
import { SipHeader } from '../../sip/sip-header.js';
import { EMPTY_BODY, SipRequest } from '../../sip/sip-message.js';
import type { DialogSnapshot, InviteSnapshot, RecoverySnapshot, SnapshotDestination } from '../../state/call-store.js';
import type { Call } from '../call.js';
import type { Destination } from '../../transport/flow.js';

/**
 * The call's record carries its recovery snapshot from now on: computed each time the record is written
 * (JSON.stringify calls toJSON), so always the call's latest legs without every change to a dialog having
 * to update the record.
 */
export function keepRecoverable(call: Call): void {
  call.record.recovery = { toJSON: () => recoverySnapshot(call) } as unknown as RecoverySnapshot;
}

/** The call's legs now: both dialogs once answered, else the INVITEs (and the To tag the caller gets). */
export function recoverySnapshot(call: Call): RecoverySnapshot {
  try {
    const ng = call.media?.instance ?? null;
    const engine = ng === null ? {} : { rtpengine: { ng } };
    if (call.a.dialog !== null && call.b?.dialog) {
      const media = call.media?.snapshot() ?? null;
      return {
        a: dialogSnapshot(call.a.dialog),
        b: dialogSnapshot(call.b.dialog),
        ...(media === null ? {} : { media }),
        ...engine,
      };
    }
    const a = call.a.flow;
    return {
      aInvite: inviteSnapshot(call.a.invite, { transport: a.transport, address: a.remoteAddress, port: a.remotePort }),
      aToTag: call.a.toTag,
      ...(call.b === null ? {} : { bInvite: inviteSnapshot(call.b.invite, call.b.dest) }),
      ...engine,
    };
  } catch {
    return {}; // it is written inside the store's JSON: a leg it cannot describe must not stop the write
  }
}

export function dialogSnapshot(d: Dialog): DialogSnapshot {
  return {
    callId: d.callId,
    localTag: d.localTag,
    remoteTag: d.remoteTag,
    localUri: d.localUri,
    remoteUri: d.remoteUri,
    remoteTarget: d.remoteTarget,
    routeSet: [...d.routeSet],
    localSeq: d.localSeq,
    contact: d.contact,
    transport: d.transport,
    dest: destinationOf(d.destination()),
  };
}

/** The dialog again; its CSeq moves well past any request sent after the snapshot (CSeq must only grow, §12.2.1.1). */
export function dialogFrom(s: DialogSnapshot): Dialog {
  return new Dialog({
    callId: s.callId,
    localTag: s.localTag,
    remoteTag: s.remoteTag,
    localUri: s.localUri,
    remoteUri: s.remoteUri,
    remoteTarget: s.remoteTarget,
    routeSet: s.routeSet,
    localSeq: s.localSeq + 1000,
    remoteSeq: 0,
    contact: s.contact,
    transport: s.transport,
    flow: undefined,
    fallback: s.dest,
  });
}

export function inviteSnapshot(req: SipRequest, dest: Destination): InviteSnapshot {
  return {
    uri: req.requestUri,
    vias: req.getHeaders('via').map((h) => h.value),
    from: req.header('from') ?? '',
    to: req.header('to') ?? '',
    callId: req.callId(),
    cseq: req.cseq().seq,
    dest: destinationOf(dest),
  };
}

/** The INVITE again, with the headers a response or a CANCEL is built from (§8.2.6, §9.1). */
export function inviteFrom(s: InviteSnapshot): SipRequest {
  const headers = [
    ...s.vias.map((v) => SipHeader.create('Via', v)),
    SipHeader.create('Max-Forwards', '70'),
    SipHeader.create('From', s.from),
    SipHeader.create('To', s.to),
    SipHeader.create('Call-ID', s.callId),
    SipHeader.create('CSeq', `${s.cseq} INVITE`),
    SipHeader.create('Content-Length', '0'),
  ];
  return new SipRequest('INVITE', s.uri, 'SIP/2.0', headers, EMPTY_BODY);
}

function destinationOf(d: Destination): SnapshotDestination {
  return {
    transport: d.transport,
    address: d.address,
    port: d.port,
    ...(d.serverName !== undefined ? { serverName: d.serverName } : {}),
  };
}
