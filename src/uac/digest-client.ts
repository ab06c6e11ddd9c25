/**
 * Answering a carrier's 401/407 (RFC 3261 §22.2-22.3): the same request again, with a new branch and the
 * next CSeq, carrying credentials for each challenge we hold one for. Credentials are chosen as CUBE does:
 * one whose realm is the challenge's, else one without a realm; a challenge nobody has credentials for is
 * not answered. A request is retried at most once per challenge unless the server says the nonce was
 * stale, so a carrier that keeps challenging (wrong password) gets no loop. Passwords are never logged.
 */
import type { Logger } from 'pino';
import { SipHeader } from '../sip/sip-header.js';
import { authParams, digestAuthorization, type DigestChallenge, usableChallenges } from '../sip/digest.js';
import { SipRequest, type SipResponse } from '../sip/sip-message.js';
import type { ClientHandlers } from '../transaction/client-transaction.js';
import { TransactionLayer } from '../transaction/transaction-layer.js';
import type { Destination } from '../transport/flow.js';
import type { Credential } from '../routing/dial-peer.js';

/** What one chain of retries has used: realm -> requests answered with its nonce, and the retries made. */
export interface AuthMemory {
  retries: number;
  answered: Map<string, { nonce: string; count: number }>;
}

export function newAuthMemory(): AuthMemory {
  return { retries: 0, answered: new Map() };
}

/** Most retries of one request, whatever the challenges say (a stale nonce may come more than once). */
const MAX_RETRIES = 3;

/** The credentials that may answer a challenge on a leg of `peer`: its own first, then the global ones. */
export function credentialPool(
  peer: { authentication: Credential | null } | null | undefined,
  global: readonly Credential[] | undefined,
): Credential[] {
  return [...(peer?.authentication ? [peer.authentication] : []), ...(global ?? [])];
}

/** The credential for a realm: the first naming it, else the first naming none (dial-peer ones come first in `pool`). */
export function credentialFor(pool: readonly Credential[], realm: string): Credential | undefined {
  return pool.find((c) => c.realm === realm) ?? pool.find((c) => c.realm === undefined);
}

/**
 * For a 401/407 answering `req`: the request to send instead (new branch, CSeq + 1, credentials), or
 * null when it must not be retried (no credentials, or the same challenge again: the credentials are wrong).
 */
export function authenticatedRetry(
  req: SipRequest,
  res: SipResponse,
  pool: readonly Credential[],
  memory: AuthMemory,
): SipRequest | null {
  if ((res.status !== 401 && res.status !== 407) || memory.retries >= MAX_RETRIES) return null;
  const proxy = res.status === 407;
  // per realm, the strongest challenge we can answer
  const byRealm = new Map<string, DigestChallenge>();
  for (const ch of usableChallenges(res.headerValues(proxy ? 'proxy-authenticate' : 'www-authenticate'))) {
    if (!byRealm.has(ch.realm)) byRealm.set(ch.realm, ch);
  }
  const answers: string[] = [];
  for (const ch of byRealm.values()) {
    const cred = credentialFor(pool, ch.realm);
    if (cred === undefined) continue;
    const before = memory.answered.get(ch.realm);
    // a challenge again for a realm we answered: the credentials were refused, unless the nonce was stale
    if (before !== undefined && !ch.stale) return null;
    const count = before?.nonce === ch.nonce ? before.count : 0;
    answers.push(
      digestAuthorization(ch, {
        username: cred.username,
        password: cred.password,
        method: req.method,
        uri: req.requestUri,
        body: req.body,
        count,
      }),
    );
    memory.answered.set(ch.realm, { nonce: ch.nonce, count: count + 1 });
  }
  if (answers.length === 0) return null;
  memory.retries++;
  const name = proxy ? 'Proxy-Authorization' : 'Authorization';
  const drop = new Set(['via', 'cseq', 'authorization', 'proxy-authorization', 'content-length']);
  const headers: SipHeader[] = [];
  for (const h of req.headers) {
    if (h.key === 'via') {
      // one Via, ours, with a new branch: a new transaction (§8.1.3.5)
      if (headers.some((x) => x.key === 'via')) continue;
      headers.push(
        SipHeader.create('Via', h.value.replace(/;branch=[^;,\s]+/i, `;branch=${TransactionLayer.newBranch()}`)),
      );
      continue;
    }
    if (h.key === 'cseq') {
      headers.push(SipHeader.create('CSeq', `${req.cseq().seq + 1} ${req.method}`));
      continue;
    }
    if (!drop.has(h.key)) headers.push(SipHeader.create(h.name, h.value));
  }
  // credentials already sent for realms not challenged now stay (a proxy chain challenges one hop at a time)
  for (const h of [...req.getHeaders('authorization'), ...req.getHeaders('proxy-authorization')]) {
    const realm = authParams(h.value.replace(/^\s*\S+\s+/, '')).get('realm');
    if (h.key !== (proxy ? 'proxy-authorization' : 'authorization') || realm === undefined || !byRealm.has(realm))
      headers.push(SipHeader.create(h.name, h.value));
  }
  for (const a of answers) headers.push(SipHeader.create(name, a));
  headers.push(SipHeader.create('Content-Length', String(req.body.length)));
  return new SipRequest(req.method, req.requestUri, 'SIP/2.0', headers, req.body);
}

/** The outbound INVITE again with credentials for the 401/407 `res`, or null (logged: the caller gets the failure). */
export function inviteRetry(
  b: { invite: SipRequest; peer: { tag: number; authentication: Credential | null }; auth: AuthMemory },
  res: SipResponse,
  global: readonly Credential[] | undefined,
  log: Logger,
): SipRequest | null {
  const retry = authenticatedRetry(b.invite, res, credentialPool(b.peer, global), b.auth);
  if (retry === null)
    log.warn(
      { peer: b.peer.tag, status: res.status },
      'digest challenge not answered (no credentials for its realm, or they were refused)',
    );
  else log.debug({ peer: b.peer.tag, status: res.status }, 'answering a digest challenge');
  return retry;
}

/**
 * Send a request whose 401/407 is answered here, with credentials from `pool`, before `handlers` hear of
 * it; `retried` learns of each request sent instead (an in-dialog one moves its dialog's CSeq on).
 */
export function sendAnswering(
  transactions: TransactionLayer,
  req: SipRequest,
  dest: Destination,
  pool: readonly Credential[],
  handlers: ClientHandlers,
  retried: (retry: SipRequest) => void = () => undefined,
  memory = newAuthMemory(),
): void {
  transactions.sendRequest(req, dest, {
    ...handlers,
    response: (res, tx) => {
      const retry = pool.length === 0 ? null : authenticatedRetry(req, res, pool, memory);
      if (retry === null) return handlers.response(res, tx);
      retried(retry);
      sendAnswering(transactions, retry, dest, pool, handlers, retried, memory);
    },
  });
}
