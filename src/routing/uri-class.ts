/**
 * `voice class uri` (cube-reference §1.1): a list of hosts, or one host regex, or a user-id regex, or a
 * regex over the whole URI. Regexes are case-sensitive, as CUBE's are. A host match is the strongest, a
 * whole-URI pattern the weakest.
 */
import { SbcError } from '../errors/sbc-error.js';
import type { UriClassJson } from '../config/dial-config.js';

/** The parts of a URI a class looks at; the B2BUA fills them from the message. */
export interface UriParts {
  /** The URI as written (for `pattern`). */
  uri: string;
  /** Host without IPv6 brackets. */
  host: string;
  user: string | null;
}

export type UriClassStrength = 3 | 2 | 1;

export class UriClass {
  readonly id: string;
  readonly strength: UriClassStrength;
  private readonly hosts: string[] | null = null;
  private readonly regex: RegExp | null = null;
  private readonly on: 'host' | 'user' | 'uri';

  /** Throws (with the field) when a regex does not compile. */
  constructor(json: UriClassJson) {
    this.id = json.id;
    if (json.host !== undefined) {
      this.on = 'host';
      this.strength = 3;
      if (Array.isArray(json.host))
        this.hosts = json.host.map((h) =>
          h
            .replace(/^(ipv4|ipv6|dns):/, '')
            .replace(/^\[(.*)\]$/, '$1')
            .toLowerCase(),
        );
      else this.regex = compile(json.host, 'host');
    } else if (json.user !== undefined) {
      this.on = 'user';
      this.strength = 2;
      this.regex = compile(json.user, 'user');
    } else {
      this.on = 'uri';
      this.strength = 1;
      this.regex = compile(json.pattern ?? '', 'pattern');
    }
  }

  matches(parts: UriParts): boolean {
    if (this.on === 'host') {
      return this.hosts !== null
        ? this.hosts.includes(parts.host.toLowerCase())
        : (this.regex?.test(parts.host) ?? false);
    }
    if (this.on === 'user') return parts.user !== null && (this.regex?.test(parts.user) ?? false);
    return this.regex?.test(parts.uri) ?? false;
  }
}

class UriClassError extends SbcError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('SBC_ERR_ROUTING_URI_CLASS', message);
  }
}

function compile(source: string, field: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UriClassError(field, `invalid regular expression: ${(err as Error).message}`);
  }
}

export function uriClassErrorField(err: unknown): string | null {
  return err instanceof UriClassError ? err.field : null;
}
