/** Why the media could not be set up: the caller gets this status (503: no ports or no engine; 488: the SDP). */
import { SbcError } from '../../errors/sbc-error.js';

export class MediaFailure extends SbcError {
  constructor(
    readonly status: 488 | 503,
    message: string,
  ) {
    super('SBC_ERR_MEDIA_SETUP', message);
  }
}
