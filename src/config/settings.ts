/**
 * Global settings: defaults, then `<config-dir>/fosip.json`, then FOSIP_* environment variables, then
 * command-line flags. fosip.json is validated against a schema (settings-schema.ts); every problem is reported with the file
 * and JSON pointer, all at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { type ConfigProblem, SbcError } from '../errors/sbc-error.js';
import type { CredentialJson, SanitizeJson } from './dial-config.js';
import { LOG_LEVELS, SETTINGS_SCHEMA } from './settings-schema.js';

// the schema lives in its own file; callers keep reading it from here
export { LOG_LEVELS, SETTINGS_SCHEMA };

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface TransportSettings {
  maxMessageBytes?: number;
  maxConnections?: number;
  maxConnectionsPerSource?: number;
  idleTimeoutMs?: number;
  messageDeadlineMs?: number;
  connectTimeoutMs?: number;
  udpBufferBytes?: number;
}

export interface TimerSettings {
  T1?: number;
  T2?: number;
  T4?: number;
}

export interface MediaSettings {
  /** CUBE's default is flow-through (the SBC relays RTP); flow-around leaves media end to end. */
  mode?: 'flow-through' | 'flow-around';
  /** The IP the SBC binds its RTP ports on and writes into SDP; default: the first listen address. */
  address?: string;
  /** The RTP port range (CUBE: 8000-48198); RTP even, RTCP the next odd port. */
  portMin?: number;
  portMax?: number;
  /** Relay worker threads (default 1); streams go to the least loaded. */
  workers?: number;
  /** `native` (default): RTP through the native fast path where `npm install` built it; `dgram`: node:dgram. */
  forwarder?: 'native' | 'dgram';
  /** A packet that waited longer than this in the relay is dropped and counted, not relayed late (default 50). */
  shedAfterMs?: number;
  /** Streams' worth of ports each relay worker binds ahead of need (a call never waits for a busy worker). */
  warmStreams?: number;
  /** An answered flow-through call with no RTP from either leg for this long is ended (0: never). */
  inactivitySeconds?: number;
  /** The same while either leg holds the call (default 0: a held call is never ended for silence). */
  holdInactivitySeconds?: number;
  /** What relays flow-through media: the built-in relay (default) or rtpengine; a dial-peer's `mediaEngine` wins. */
  engine?: 'builtin' | 'rtpengine';
  /** The rtpengine instances (their ng control addresses, `udp:HOST:PORT`) and their weights for new calls. */
  rtpengine?: Array<{ ng: string; weight?: number }>;
  /**
   * Where this node takes rtpengine's DTMF events (`udp:HOST:PORT`, rtpengine's `dtmf-log-dest`): needed for
   * RFC 4733 -> SIP INFO interworking on rtpengine calls.
   */
  rtpengineEvents?: string;
}

export interface CallSettings {
  /** Outbound-leg statuses that hunt to the next dial-peer (timeouts and transport errors always do). */
  huntStatuses?: number[];
  /** 3xx responses from an outbound leg followed per call (CUBE Max Redirects); 0 relays them instead. */
  maxRedirects?: number;
  /** Relay failure statuses unchanged instead of CUBE's SIP-to-SIP mapping (400/406/.../488 -> 500, 401/407 -> 503). */
  errorPassThrough?: boolean;
  /** The status of a call whose every outbound dial-peer is busied out by keepalive (default 404). */
  errorCodeOverride?: number;
}

export interface Settings {
  configDir: string;
  /** `udp:IP:PORT` / `tcp:IP:PORT` / `udp:[IPv6]:PORT`, parsed by the transport layer. */
  listen: string[];
  /** `IP:PORT` of the admin HTTP server, or null for none. */
  admin: string | null;
  /**
   * A file (relative: to the config folder) holding the bearer token every `/api/*` request must carry;
   * required when `admin` is not a loopback address. Env FOSIP_ADMIN_TOKEN_FILE.
   */
  adminTokenFile?: string;
  /** A second token that may only read (show, trace, capture status), never clear, drain, reload or capture. */
  adminReadTokenFile?: string;
  /** `/metrics` asks for a token too (either one); default false (Prometheus scrapes it open). */
  adminMetricsToken?: boolean;
  /** The admin listener speaks HTTPS with the `tls` certificate and takes only clients whose certificate chains to `tls.caFile`. */
  adminTls?: boolean;
  hostname: string;
  logLevel: LogLevel;
  /** `json` (default): one JSON object per line, for machines; `pretty`: one readable line per event, for people. */
  logFormat?: 'json' | 'pretty';
  /**
   * Share call state through Redis (redis://host:port/db, rediss://, redis-sentinel://h:p,h:p/<master>[/db],
   * redis-cluster://h:p,h:p); null keeps it in memory.
   */
  redis: string | null;
  /** fosip.json only: options handed to ioredis as they are (TLS, timeouts, natMap...). */
  redisOptions: Record<string, unknown>;
  transport: TransportSettings;
  timers: TimerSettings;
  calls: CallSettings;
  media: MediaSettings;
  /** Tags of the global SIP profiles: for what leaves on legs whose dial-peer has none, and for everything that arrives. */
  sipProfiles?: number;
  sipProfilesInbound?: number;
  /** Answer OPTIONS to the SBC with 503 (maintenance); taken again on a reload. */
  draining?: boolean;
  /** How long a drain (`fosip drain`, SIGTERM) waits for the calls in progress before ending them (default 60 s). */
  drainGraceSeconds?: number;
  /** Prometheus metrics on /metrics (default true); false counts nothing (for measuring what they cost). */
  metrics?: boolean;
  /**
   * `monitor capture`: the folder its files are written in (relative: to the config folder; default
   * `captures` there). A capture names a file in it, never a path: the admin API cannot write elsewhere.
   */
  capture?: { directory?: string };
  /** The downstream shield: what the B2BUA copies into the other leg's messages (a dial-peer's `sanitize` wins). */
  sanitize?: SanitizeJson;
  /** Address blocks trusted besides the session targets of the dial-peers that are up (`ip address trusted list`). */
  trustedList?: string[];
  /** Drop requests from untrusted sources without an answer (default true), else answer 403. */
  silentDiscardUntrusted?: boolean;
  /** Flood protection of trusted sources other than dial-peer targets (off unless given). */
  pike?: { windowSeconds: number; maxRequests: number; banSeconds: number };
  /** Requests whose User-Agent contains one of these are dropped (default: the common scanners). */
  scannerUserAgents?: string[];
  /** Admission control: new calls beyond these get 503 with Retry-After. */
  callThreshold?: {
    totalCalls?: number;
    callsPerSecond?: number;
    eventLoopLagHighMs?: number;
    eventLoopLagLowMs?: number;
    cpuHighPercent?: number;
    cpuLowPercent?: number;
  };
  /** TLS listeners (`tls:IP:PORT`) and connections (sessionTransport `tls`): PEM files, relative to the config folder. */
  tls?: TlsSettings;
  /** The Server header of the SBC's own answers (OPTIONS); none unless given, so that no product or version leaks. */
  serverHeader?: string;
  /** CUBE's `sip-ua`: global digest credentials and trunk registration. */
  sipUa?: SipUaSettings;
}

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  /** CAs that peers' certificates must chain to; default: Node's bundled roots. */
  caFile?: string;
  /** Ask clients for a certificate and refuse those that do not verify (default false). */
  verifyClient?: boolean;
  /** Refuse servers whose certificate does not verify (default true). */
  verifyServer?: boolean;
  /** Refuse servers whose certificate does not name the dial-peer's DNS name or the address (default false, as CUBE). */
  validateServerName?: boolean;
  /** Clients (verifyClient) whose certificate names one of these are trusted from any address. */
  trustedClientNames?: string[];
}

export interface RegistrarJson {
  /** `ipv4:A.B.C.D[:port]`, `ipv6:[addr]:port` or `dns:name[:port]`, as a dial-peer's session target. */
  target: string;
  /** Seconds asked for in REGISTER (default 3600); refreshed before they run out. */
  expires?: number;
  transport?: 'udp' | 'tcp' | 'tls';
}

/** Every global credential that may answer a challenge: `authentication` first, then the registered `credentials`. */
export function globalCredentials(ua: SipUaSettings | undefined): CredentialJson[] {
  return [...(ua?.authentication ?? []), ...(ua?.credentials ?? [])];
}

export interface SipUaSettings {
  /** Answer 401/407 for any leg whose dial-peer has no matching credential (`sip-ua authentication`). */
  authentication?: CredentialJson[];
  /** The numbers registered with every registrar (`sip-ua credentials`); also answer challenges. */
  credentials?: CredentialJson[];
  /** Registrars (`sip-ua registrar N`): every credential is registered with each. */
  registrar?: RegistrarJson[];
  /** After a failed registration the next try waits this long (default 10 s), doubling per failure up to maxRetrySeconds (600). */
  retrySeconds?: number;
  maxRetrySeconds?: number;
}

/** What flags or the environment may set; undefined means "not given". */
export interface SettingsOverrides {
  configDir?: string | undefined;
  listen?: string[] | undefined;
  admin?: string | undefined;
  adminTokenFile?: string | undefined;
  hostname?: string | undefined;
  logLevel?: string | undefined;
  logFormat?: string | undefined;
  redis?: string | undefined;
}

const ajv = new Ajv({ allErrors: true });
const validateFile = ajv.compile(SETTINGS_SCHEMA);

/** The package root (where the example dialpeers/, profiles/ and fosip.json live): dist/src/config/../../.. */
export function defaultConfigDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

function problemsOf(file: string, errors: ErrorObject[] | null | undefined): ConfigProblem[] {
  // an if/then failure is said by the errors under it; its own 'must match "then" schema' adds nothing
  return (errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => ({
      file,
      pointer: e.instancePath,
      message:
        e.keyword === 'additionalProperties'
          ? `unknown setting "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
          : e.keyword === 'const'
            ? `must be ${JSON.stringify((e.params as { allowedValue?: unknown }).allowedValue)}`
            : (e.message ?? 'invalid'),
    }));
}

/** Read and validate fosip.json (absent is fine); throws SbcError listing every problem. */
export function readSettingsFile(configDir: string): Partial<Settings> {
  const file = path.join(configDir, 'fosip.json');
  if (!fs.existsSync(file)) return {};
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const problem = { file, pointer: '', message: `not valid JSON: ${(err as Error).message}` };
    throw new SbcError('SBC_ERR_CONFIG_INVALID', 'fosip.json is not valid JSON', [problem]);
  }
  if (!validateFile(data)) {
    throw new SbcError('SBC_ERR_CONFIG_INVALID', 'fosip.json is invalid', problemsOf(file, validateFile.errors));
  }
  return data as Partial<Settings>;
}

/**
 * Environment overrides: FOSIP_CONFIG_DIR, FOSIP_LISTEN (comma-separated), FOSIP_ADMIN, FOSIP_ADMIN_TOKEN_FILE,
 * FOSIP_HOSTNAME, FOSIP_LOG_LEVEL, FOSIP_LOG_FORMAT, FOSIP_REDIS_URL.
 */
export function envOverrides(env: NodeJS.ProcessEnv): SettingsOverrides {
  const listen = env['FOSIP_LISTEN'];
  return {
    configDir: env['FOSIP_CONFIG_DIR'],
    listen:
      listen === undefined
        ? undefined
        : listen
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
    admin: env['FOSIP_ADMIN'],
    adminTokenFile: env['FOSIP_ADMIN_TOKEN_FILE'],
    hostname: env['FOSIP_HOSTNAME'],
    logLevel: env['FOSIP_LOG_LEVEL'],
    logFormat: env['FOSIP_LOG_FORMAT'],
    redis: env['FOSIP_REDIS_URL'],
  };
}

/** `IP:PORT` on 127.0.0.0/8, ::1 or localhost: reachable from this machine only. */
export function isLoopbackAddress(address: string): boolean {
  const host = /^\[?([^\]]*)\]?:[0-9]+$/.exec(address)?.[1] ?? address;
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function pick<T>(...values: Array<T | undefined>): T | undefined {
  return values.find((v) => v !== undefined);
}

/** Resolve the settings; flags win over the environment, which wins over fosip.json. */
export function resolveSettings(flags: SettingsOverrides, env: NodeJS.ProcessEnv): Settings {
  const fromEnv = envOverrides(env);
  const configDir = path.resolve(pick(flags.configDir, fromEnv.configDir) ?? defaultConfigDir());
  const file = readSettingsFile(configDir);
  const given = {
    listen: pick(flags.listen?.length ? flags.listen : undefined, fromEnv.listen, file.listen),
    admin: pick(flags.admin, fromEnv.admin, file.admin ?? undefined),
    adminTokenFile: pick(flags.adminTokenFile, fromEnv.adminTokenFile, file.adminTokenFile ?? undefined),
    hostname: pick(flags.hostname, fromEnv.hostname, file.hostname),
    logLevel: pick(flags.logLevel, fromEnv.logLevel, file.logLevel),
    logFormat: pick(flags.logFormat, fromEnv.logFormat, file.logFormat),
    redis: pick(flags.redis, fromEnv.redis, file.redis ?? undefined),
  };
  const problems: ConfigProblem[] = [];
  const check = (value: unknown, schema: object, field: string): void => {
    if (value !== undefined && !ajv.validate(schema, value)) {
      problems.push({
        file: '(command line or environment)',
        pointer: `/${field}`,
        message: ajv.errorsText(ajv.errors, { dataVar: field }),
      });
    }
  };
  const props = SETTINGS_SCHEMA.properties;
  check(given.listen, props.listen, 'listen');
  check(given.admin, props.admin, 'admin');
  const admin = given.admin === '' ? null : (given.admin ?? null);
  const adminTokenFile = given.adminTokenFile === '' ? null : (given.adminTokenFile ?? null);
  if (admin !== null && adminTokenFile === null && file.adminTls !== true && !isLoopbackAddress(admin))
    problems.push({
      file: path.join(configDir, 'fosip.json'),
      pointer: '/adminTokenFile',
      message:
        `the admin API would listen on ${admin}, which is not a loopback address, with no token: anyone who ` +
        'reaches it could end calls, drain the node and read the SIP trace. Set adminTokenFile (or ' +
        'FOSIP_ADMIN_TOKEN_FILE, or adminTls with client certificates), or listen on 127.0.0.1',
    });
  check(given.hostname, props.hostname, 'hostname');
  check(given.logLevel, props.logLevel, 'logLevel');
  check(given.logFormat, props.logFormat, 'logFormat');
  check(given.redis, props.redis, 'redis');
  if (problems.length > 0) throw new SbcError('SBC_ERR_CONFIG_INVALID', 'invalid settings', problems);
  return {
    configDir,
    listen: given.listen ?? ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'],
    admin,
    ...(adminTokenFile !== null ? { adminTokenFile } : {}),
    hostname: given.hostname ?? (os.hostname().split('.')[0] || 'fosip'),
    logLevel: (given.logLevel as LogLevel | undefined) ?? 'info',
    ...(given.logFormat !== undefined ? { logFormat: given.logFormat as 'json' | 'pretty' } : {}),
    redis: given.redis === '' ? null : (given.redis ?? null),
    redisOptions: file.redisOptions ?? {},
    transport: file.transport ?? {},
    timers: file.timers ?? {},
    calls: file.calls ?? {},
    media: file.media ?? {},
    ...(file.sipProfiles !== undefined ? { sipProfiles: file.sipProfiles } : {}),
    ...(file.sipProfilesInbound !== undefined ? { sipProfilesInbound: file.sipProfilesInbound } : {}),
    ...(file.draining !== undefined ? { draining: file.draining } : {}),
    ...(file.drainGraceSeconds !== undefined ? { drainGraceSeconds: file.drainGraceSeconds } : {}),
    ...(file.metrics !== undefined ? { metrics: file.metrics } : {}),
    ...(file.trustedList !== undefined ? { trustedList: file.trustedList } : {}),
    ...(file.silentDiscardUntrusted !== undefined ? { silentDiscardUntrusted: file.silentDiscardUntrusted } : {}),
    ...(file.pike !== undefined ? { pike: file.pike } : {}),
    ...(file.scannerUserAgents !== undefined ? { scannerUserAgents: file.scannerUserAgents } : {}),
    ...(file.callThreshold !== undefined ? { callThreshold: file.callThreshold } : {}),
    ...(file.sipUa !== undefined ? { sipUa: file.sipUa } : {}),
    ...(file.serverHeader !== undefined ? { serverHeader: file.serverHeader } : {}),
    ...(file.tls !== undefined ? { tls: file.tls } : {}),
    ...(file.capture !== undefined ? { capture: file.capture } : {}),
    ...(file.sanitize !== undefined ? { sanitize: file.sanitize } : {}),
    ...(file.adminReadTokenFile !== undefined ? { adminReadTokenFile: file.adminReadTokenFile } : {}),
    ...(file.adminMetricsToken !== undefined ? { adminMetricsToken: file.adminMetricsToken } : {}),
    ...(file.adminTls !== undefined ? { adminTls: file.adminTls } : {}),
  };
}
