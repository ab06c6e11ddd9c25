import { SbcError } from '../errors/sbc-error.js';
/**
 * The one error the SIP codec throws. Every malformed input ends here, never in a plain exception:
 * `reason` is a stable machine-readable code, `message` is the human text that goes into a Warning header.
 */
export type SipParseReason =
  'incomplete' | 'start-line' | 'version' | 'header-line' | 'header-value' | 'uri' | 'content-length' | 'too-large';

export class SipParseError extends SbcError {
  override readonly name = 'SipParseError';
  constructor(
    readonly reason: SipParseReason,
    message: string,
  ) {
    super('SBC_ERR_SIP_PARSE', message);
  }
}

export function fail(reason: SipParseReason, message: string): never {
  throw new SipParseError(reason, message);
}
