/**
 * Calls a previous run of this node left behind (it crashed or was killed, and Redis still lists them):
 * nothing carries them any more, so the restarted node ends each on both legs rather than leave the
 * phones and the carrier holding a dead call until their session timers notice. An answered call gets BYE
 * on both dialogs; a call not answered yet gets 503 toward the caller (with the To tag it may already have
 * seen) and a CANCEL toward the callee. Its call-detail record says cause 41, released by the SBC.
 */
import type { Logger } from 'pino';
import { buildResponse, warningValue } from '../../sip/response-builder.js';
import type { SipResponse } from '../../sip/sip-message.js';
import { Dialog } from '../../dialog/dialog.js';
import type { CallDetailRecord, CallRecord, DialogSnapshot, InviteSnapshot } from '../../state/call-store.js';
import type { Clock } from '../../transaction/clock.js';
import type { ClientHandlers } from '../../transaction/client-transaction.js';
import type { TransactionLayer } from '../../transaction/transaction-layer.js';
import type { TransactionTransport } from '../../transaction/transaction-transport.js';
import { dialogFrom, inviteFrom } from './call-snapshot.js';

export interface OrphanDeps {
  transactions: TransactionLayer;
  transport: TransactionTransport;
  clock: Clock;
  log: Logger;
  /** The Warning agent (the SBC's hostname). */
  agent: string;
  /** rtpengine lets go of a call it holds for one that ends here (its ng address and the call's id). */
  releaseMedia?: (ng: string, callId: string) => void;
}

const RESTARTED = { cause: 41, text: 'SBC restarted' };
const IGNORE: ClientHandlers = { response: () => undefined, timeout: () => undefined, transportError: () => undefined };

/** End one orphaned call on both legs; its call-detail record. */
export function endOrphan(r: CallRecord, d: OrphanDeps): CallDetailRecord {
  const snap = r.recovery;
  if (snap?.a !== undefined && snap.b !== undefined) {
    bye(snap.a, d);
    bye(snap.b, d);
  } else {
    if (snap?.aInvite !== undefined) {
      const res = buildResponse(inviteFrom(snap.aInvite), 503, {
        ...(snap.aToTag !== undefined ? { toTag: snap.aToTag } : {}),
        headers: [
          ['Warning', warningValue(d.agent, 'the SBC restarted')],
          ['Reason', `Q.850;cause=${RESTARTED.cause};text="${RESTARTED.text}"`],
        ],
      });
      finalResponse(res, d);
    }
    if (snap?.bInvite !== undefined) cancelOutbound(snap.bInvite, d);
  }
  if (snap?.rtpengine !== undefined) d.releaseMedia?.(snap.rtpengine.ng, r.id);
  const now = d.clock.now();
  const { recovery: _left, ...rest } = r;
  d.log.info({ callId: r.id, answered: snap?.a !== undefined }, 'ended a call the previous run of this node left');
  return {
    ...rest,
    state: 'ended',
    endedAt: now,
    disconnectCause: RESTARTED.cause,
    disconnectText: RESTARTED.text,
    releasedBy: 'sbc',
    finalStatus: r.connectedAt === null ? 503 : r.finalStatus,
    durationMs: r.connectedAt === null ? 0 : now - r.connectedAt,
  };
}

/**
 * CANCEL the outbound INVITE through a transaction that adopts it, so that its 487 is ACKed; should the
 * callee answer anyway, its 2xx gets ACK and BYE.
 */
function cancelOutbound(s: InviteSnapshot, d: OrphanDeps): void {
  const invite = inviteFrom(s);
  const tx = d.transactions.adoptInvite(invite, s.dest, {
    ...IGNORE,
    response: (res) => {
      if (res.status < 200 || res.status >= 300) return;
      const contacts = res.contacts();
      const target = contacts === '*' || contacts[0] === undefined ? s.uri : contacts[0].uri.raw;
      const dialog = new Dialog({
        callId: s.callId,
        localTag: invite.from().params.get('tag') ?? '',
        remoteTag: res.to().params.get('tag') ?? '',
        localUri: `<${invite.from().uri.raw}>`,
        remoteUri: `<${invite.to().uri.raw}>`,
        remoteTarget: target,
        routeSet: res
          .recordRoutes()
          .map((r) => r.uri.raw)
          .reverse(),
        localSeq: s.cseq,
        remoteSeq: 0,
        contact: '',
        transport: s.dest.transport,
        flow: undefined,
        fallback: s.dest,
      });
      const via = d.transport.sentBy(dialog.destination());
      if (via === undefined) return;
      d.transport.send(dialog.request('ACK', via, { cseq: s.cseq }), dialog.destination());
      d.transactions.sendRequest(dialog.request('BYE', via), dialog.destination(), IGNORE);
    },
  });
  tx.cancel(`Q.850;cause=${RESTARTED.cause};text="${RESTARTED.text}"`);
}

function bye(s: DialogSnapshot, d: OrphanDeps): void {
  const dialog = dialogFrom(s);
  const dest = dialog.destination();
  const via = d.transport.sentBy(dest);
  if (via === undefined) {
    d.log.warn({ callId: s.callId, transport: dest.transport }, 'no listener to send BYE on');
    return;
  }
  const req = dialog.request('BYE', via);
  req.addHeader('Reason', `Q.850;cause=${RESTARTED.cause};text="${RESTARTED.text}"`);
  d.transactions.sendRequest(req, dest, IGNORE);
}

/** The INVITE transaction died with the old process: the 503 is sent on its own, three times over UDP (Timer G's first steps). */
function finalResponse(res: SipResponse, d: OrphanDeps): void {
  d.transport.sendResponse(res, undefined);
  const t1 = d.transactions.timers.T1;
  d.clock.setTimer(t1, () => d.transport.sendResponse(res, undefined));
  d.clock.setTimer(3 * t1, () => d.transport.sendResponse(res, undefined));
}

/**
 * Find this node's orphaned calls (in the background: the node serves meanwhile): those `adopt` takes
 * back go on, the others are ended. Resolves with how many were ended.
 */
export function endOrphanedCalls(
  store: { orphans(): Promise<CallRecord[]>; settleOrphan(cdr: CallDetailRecord): void },
  d: OrphanDeps,
  adopt: (r: CallRecord) => Promise<boolean> = () => Promise.resolve(false),
): Promise<number> {
  return store.orphans().then(
    async (records) => {
      const ended: CallRecord[] = [];
      for (const r of records) if (!(await adopt(r).catch(() => false))) ended.push(r);
      for (const r of ended) store.settleOrphan(endOrphan(r, d));
      if (records.length > 0)
        d.log.warn(
          {
            calls: records.length,
            resumed: records.length - ended.length,
            ended: ended.length,
            endedCalls: ended.slice(0, 20).map((r) => r.id),
          },
          'the previous run of this node left calls: those it can carry go on, the others were ended on both legs',
        );
      return ended.length;
    },
    (err: unknown) => {
      d.log.warn({ err }, 'could not read the calls a previous run left');
      return 0;
    },
  );
}
