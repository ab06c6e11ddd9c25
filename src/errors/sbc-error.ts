/** The catalogue of coded errors (SBC_ERR_<AREA>_<WHAT>). SIP outcomes are values, never these. */
export const ERRORS = {
  SBC_ERR_CONFIG_INVALID: 'configuration is invalid',
  SBC_ERR_CONFIG_UNREADABLE: 'configuration file cannot be read',
  SBC_ERR_LISTEN_BIND: 'cannot listen on an address',
  SBC_ERR_USAGE: 'a command was given something it cannot use',
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ConfigProblem {
  file: string;
  /** JSON pointer into the file ('' for the whole file). */
  pointer: string;
  message: string;
}

export class SbcError extends Error {
  override readonly name = 'SbcError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
  }
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems.map((p) => `${p.file}${p.pointer === '' ? '' : `#${p.pointer}`}: ${p.message}`).join('\n');
}
