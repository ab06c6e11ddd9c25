/**
 * The catalogue of coded errors (SBC_ERR_<AREA>_<WHAT>), after fastify's lib/errors.js: every error the
 * code raises has a code from here and is an SbcError (or a class of one area that extends it), so a log
 * line, a CLI message or a test can tell what went wrong by its code, not by its words. SIP outcomes (a
 * 486 from the callee, a CANCEL) are values, never these.
 */
export const ERRORS = {
  SBC_ERR_CONFIG_INVALID: 'configuration is invalid',
  SBC_ERR_CONFIG_UNREADABLE: 'configuration file cannot be read',
  SBC_ERR_LISTEN_BIND: 'cannot listen on an address',
  SBC_ERR_USAGE: 'a command was given something it cannot use',
  SBC_ERR_SIP_PARSE: 'a SIP message does not parse',
  SBC_ERR_TRANSPORT_LISTEN_SPEC: 'a listen address is invalid',
  SBC_ERR_TRANSPORT_SEND: 'a message cannot be sent',
  SBC_ERR_TRANSACTION_RELEASED: "a transaction's request was used after it was released",
  SBC_ERR_DIALOG_NO_ROUTE: 'a dialog has nowhere to send a request',
  SBC_ERR_ROUTING_PATTERN: 'a number pattern is invalid',
  SBC_ERR_ROUTING_URI_CLASS: 'a voice class uri is invalid',
  SBC_ERR_ROUTING_SESSION_TARGET: 'a session target is invalid',
  SBC_ERR_REWRITE_REGEX: 'a rewrite expression is invalid or unsafe',
  SBC_ERR_REWRITE_VALUE: 'a rewritten header value is invalid',
  SBC_ERR_MEDIA_SETUP: 'the media of a call cannot be set up',
  SBC_ERR_MEDIA_SDP: 'SDP cannot be read',
  SBC_ERR_MEDIA_BIND: 'RTP ports cannot be bound',
  SBC_ERR_MEDIA_SESSION: 'a relay session failed',
  SBC_ERR_MEDIA_ENGINE: 'a media engine (rtpengine) failed or refused a command',
  SBC_ERR_SECURITY_CIDR: 'an address block is invalid',
  SBC_ERR_STATE_REDIS_URL: 'a Redis URL is invalid',
  SBC_ERR_NODE_RELOAD: 'the node cannot reload its configuration',
  SBC_ERR_CAPTURE_OPTIONS: 'packet capture options are invalid',
  SBC_ERR_CAPTURE_FILE: 'a packet capture file cannot be written',
  SBC_ERR_IMPORT: 'an IOS configuration cannot be imported',
  SBC_ERR_CLI_COMMAND: 'a show or clear command cannot be carried out',
  SBC_ERR_ADMIN_API: 'the admin API cannot be reached or answered an error',
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ConfigProblem {
  file: string;
  /** JSON pointer into the file ('' for the whole file). */
  pointer: string;
  message: string;
}

export class SbcError extends Error {
  override readonly name: string = 'SbcError';
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code],
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
  }
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `${p.file}${p.pointer === '' ? '' : `#${p.pointer}`}: ${p.message}`).join('\n');
}
