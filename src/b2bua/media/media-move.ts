/**
 * A call taken back after a restart whose RTP ports could not all be had again (another process, or a
 * new call, holds one) relays on new ports instead; each leg is told with a re-INVITE offering the SDP it
 * last got from the SBC on the new port, with a new o= version (RFC 3264 §8: a changed offer in the same
 * session). Its answer updates where the relay sends. A leg that does not accept (an error, no answer,
 * a second 491) cannot get its media back: the call is ended.
 */
import type { SipResponse } from '../../sip/sip-message.js';
import { type Call, legDialog } from '../call.js';
import { credentialPool, sendAnswering } from '../../uac/digest-client.js';
import type { RelayDeps } from '../leg-relay.js';

type Leg = 'a' | 'b';

export type MoveDeps = Pick<RelayDeps, 'transactions' | 'transport' | 'calls' | 'log' | 'credentials' | 'clock'>;

/**
 * After a 491 (the far end's own re-INVITE crossed ours) the offer is sent again once, after 2.1-4 s on
 * the leg whose Call-ID the SBC made (B), 0-2 s on the other (RFC 3261 §14.1).
 */
function glareDelayMs(leg: Leg): number {
  return leg === 'b' ? 2100 + Math.random() * 1900 : Math.random() * 2000;
}

/** Re-offer both legs of a moved call; `failed` runs once if either leg does not take its new port. */
export function moveMedia(call: Call, d: MoveDeps, failed: () => void): void {
  let pending = 2;
  let gaveUp = false;
  const settled = (ok: boolean): void => {
    if (gaveUp || call.ended) return; // a call that ended meanwhile (a BYE crossed the re-INVITE) is not written back
    if (!ok) {
      gaveUp = true;
      failed();
      return;
    }
    if (--pending > 0 || call.media === null) return;
    call.record.media = call.media.record(); // the new ports: `show voip rtp connections` follows
    d.calls.put(call.record);
    d.log.info(
      { callId: call.id },
      'a call taken back after the restart relays on new RTP ports; both far ends took them',
    );
  };
  for (const leg of ['a', 'b'] as const) reoffer(call, leg, d, settled);
}

function reoffer(call: Call, leg: Leg, d: MoveDeps, settled: (ok: boolean) => void, again = true): void {
  const dialog = legDialog(call, leg);
  const offer = call.media?.reoffer(leg) ?? null;
  const dest = dialog?.destination();
  const via = dest === undefined ? undefined : d.transport.sentBy(dest);
  if (dialog === null || offer === null || dest === undefined || via === undefined) {
    settled(false);
    return;
  }
  const req = dialog.request('INVITE', via);
  req.setBody(offer, 'application/sdp');
  let answered = false;
  let seq = req.cseq().seq;
  const pool = credentialPool(leg === 'a' ? call.inbound : call.b?.peer, d.credentials());
  sendAnswering(
    d.transactions,
    req,
    dest,
    pool,
    {
      response: (res: SipResponse) => {
        if (res.status < 200) return;
        if (res.status === 491 && again) {
          d.clock.setTimer(glareDelayMs(leg), () => {
            if (!call.ended) reoffer(call, leg, d, settled, false);
          });
          return;
        }
        if (res.status >= 300) {
          d.log.warn(
            { callId: call.id, leg, status: res.status },
            'a leg refused the re-INVITE that moves its media to a new port',
          );
          settled(false);
          return;
        }
        // every 2xx (retransmissions too) is ACKed (RFC 3261 §13.2.2.4); the first one is the answer
        d.transport.send(dialog.request('ACK', via, { cseq: seq }), dest);
        if (answered) return;
        answered = true;
        const failure = res.body.length > 0 ? (call.media?.absorb(leg, res.body) ?? null) : null;
        settled(failure === null);
      },
      timeout: () => settled(false),
      transportError: () => settled(false),
    },
    (retry) => {
      seq = retry.cseq().seq; // answered with credentials: the ACK names the retry's CSeq
      dialog.localSeq = Math.max(dialog.localSeq, seq);
    },
  );
}
