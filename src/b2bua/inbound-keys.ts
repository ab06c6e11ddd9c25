/** What inbound dial-peer matching reads of an INVITE: the numbers, and the URIs of Via, Request-URI, To, From. */
import type { InboundKeys } from '../routing/dial-plan.js';
import { bareHost } from '../sip/host.js';
import type { SipRequest } from '../sip/sip-message.js';
import { type Uri, isSipUri, uriUser } from '../sip/sip-uri.js';

export function inboundKeys(invite: SipRequest): InboundKeys {
  const ruri = invite.uri();
  const from = invite.from();
  const parts = (u: Uri) => ({ uri: u.raw, host: isSipUri(u) ? bareHost(u.host) : '', user: uriUser(u) });
  const via = invite.topVia();
  return {
    calledNumber: uriUser(ruri) ?? '',
    callingNumber: uriUser(from.uri) ?? '',
    uris: {
      via: { uri: `sip:${via.host}`, host: bareHost(via.host), user: null },
      request: parts(ruri),
      to: parts(invite.to().uri),
      from: parts(from.uri),
    },
  };
}
