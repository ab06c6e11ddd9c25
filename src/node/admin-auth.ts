/**
 * Who may use the admin API: bearer tokens read from files in the config folder (`adminTokenFile` may do
 * everything, `adminReadTokenFile` only read), compared in constant time.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { SbcError } from '../errors/sbc-error.js';
import { loadTls } from './edge-security.js';

/** The admin listener's TLS (adminTls): its certificate, and the CAs a client's certificate must chain to. */
export interface AdminTls {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

/** What a route needs: nothing, a token only if `adminMetricsToken` says so, any token, or the operate token. */
export type AdminScope = 'open' | 'metrics' | 'read' | 'operate';

/** 200: go on; 401: no token or a wrong one; 403: a read token where operate is needed. */
export type AdminVerdict = 200 | 401 | 403;

/** Shorter tokens are refused at start: a token is the only thing between the API and whoever reaches the port. */
const MIN_TOKEN_LENGTH = 16;

export class AdminAuth {
  private constructor(
    private readonly operate: Buffer | null,
    private readonly read: Buffer | null,
    private readonly metricsNeedToken: boolean,
  ) {}

  /** Reads the token files the settings name; a missing, empty or short one is a configuration error. */
  static fromSettings(settings: Settings): AdminAuth {
    const operate = readToken(settings, 'adminTokenFile', settings.adminTokenFile ?? null);
    const read = readToken(settings, 'adminReadTokenFile', settings.adminReadTokenFile ?? null);
    if (read !== null && operate === null)
      throw new SbcError('SBC_ERR_CONFIG_INVALID', 'adminReadTokenFile is given without adminTokenFile', [
        {
          file: path.join(settings.configDir, 'fosip.json'),
          pointer: '/adminReadTokenFile',
          message: 'a read-only token needs an operate token beside it (adminTokenFile)',
        },
      ]);
    return new AdminAuth(operate, read, settings.adminMetricsToken === true);
  }

  /** Whether any token is asked for at all (without one, the API is open: loopback only, checked at start). */
  get enabled(): boolean {
    return this.operate !== null;
  }

  check(scope: AdminScope, authorization: string | undefined): AdminVerdict {
    if (this.operate === null || scope === 'open' || (scope === 'metrics' && !this.metricsNeedToken)) return 200;
    const given = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (given === undefined) return 401;
    if (sameToken(given, this.operate)) return 200;
    if (this.read !== null && sameToken(given, this.read)) return scope === 'operate' ? 403 : 200;
    return 401;
  }
}

/**
 * Constant time whatever the given token's length: both sides are hashed to 32 bytes first, so neither a
 * byte's position nor the length of the right token shows in the time the answer takes.
 */
function sameToken(given: string, expected: Buffer): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

function readToken(settings: Settings, field: string, file: string | null): Buffer | null {
  if (file === null) return null;
  const where = path.resolve(settings.configDir, file);
  const problem = (message: string): SbcError =>
    new SbcError('SBC_ERR_CONFIG_INVALID', `${field} cannot be used`, [{ file: where, pointer: `/${field}`, message }]);
  let text: string;
  try {
    text = fs.readFileSync(where, 'utf8').trim();
  } catch (err) {
    throw problem(`cannot read the token file: ${(err as Error).message}`);
  }
  if (text.length < MIN_TOKEN_LENGTH || /\s/.test(text))
    throw problem(`the token must be one word of at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`);
  return Buffer.from(text);
}

/** adminTls: the `tls` certificate and key, and `tls.caFile` as the only CAs a client's certificate may chain to. */
export function adminTlsOf(settings: Settings): AdminTls {
  const tls = loadTls(settings);
  if (tls?.ca === undefined)
    throw new SbcError('SBC_ERR_CONFIG_INVALID', 'adminTls needs tls.certFile, tls.keyFile and tls.caFile', [
      {
        file: path.join(settings.configDir, 'fosip.json'),
        pointer: '/adminTls',
        message:
          "mutual TLS on the admin API needs the node's certificate and key and the CA of its clients' certificates",
      },
    ]);
  return { cert: tls.cert, key: tls.key, ca: tls.ca };
}
