/** What this SIP stack understands: the basis of 501/405/420 answers and of the OPTIONS reply. */

/** Every method the stack can parse and route (RFC 3261, 3262, 3265, 3311, 3428, 3515, 3903, 6086). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'UPDATE',
  'INFO',
  'REFER',
  'NOTIFY',
  'SUBSCRIBE',
  'MESSAGE',
  'PUBLISH',
]);

/** Option tags accepted in Require (RFC 3262 100rel, RFC 4028 timer, RFC 3891 replaces, RFC 5626 outbound). */
export const SUPPORTED_OPTION_TAGS: ReadonlySet<string> = new Set(['100rel', 'timer', 'replaces', 'outbound']);

export const ACCEPTED_TYPES = ['application/sdp'];

/** Requests answered by the SBC itself (never relayed), so Max-Forwards 0 does not make them a 483. */
export function answeredLocally(method: string): boolean {
  return method === 'OPTIONS' || method === 'CANCEL' || method === 'ACK';
}
