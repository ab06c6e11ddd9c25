/**
 * The schema fosip.json is checked against at start (ajv; every problem reported at once with its JSON
 * pointer). The settings' types and how they are resolved are in settings.ts.
 */
import { CREDENTIAL_SCHEMA, SANITIZE_SCHEMA } from './dial-config.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const LISTEN_PATTERN = '^(udp|tcp|tls):(\\[[0-9a-fA-F:.]+\\]|[0-9.]+):[0-9]{1,5}$';
const positive = { type: 'integer', minimum: 1 };

export const SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    listen: { type: 'array', items: { type: 'string', pattern: LISTEN_PATTERN }, minItems: 1 },
    admin: { type: ['string', 'null'], pattern: '^(\\[[0-9a-fA-F:.]+\\]|[0-9.]+|localhost):[0-9]{1,5}$' },
    adminTokenFile: { type: ['string', 'null'], maxLength: 4096 },
    adminReadTokenFile: { type: 'string', minLength: 1, maxLength: 4096 },
    adminMetricsToken: { type: 'boolean' },
    adminTls: { type: 'boolean' },
    hostname: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$' },
    logLevel: { enum: LOG_LEVELS },
    logFormat: { enum: ['json', 'pretty'] },
    redis: { type: ['string', 'null'], pattern: '^(rediss?|redis-sentinel|redis-cluster)://' },
    redisOptions: { type: 'object' },
    transport: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxMessageBytes: { type: 'integer', minimum: 1024, maximum: 65536 },
        maxConnections: positive,
        maxConnectionsPerSource: positive,
        idleTimeoutMs: positive,
        messageDeadlineMs: positive,
        connectTimeoutMs: positive,
        udpBufferBytes: { type: 'integer', minimum: 65536, maximum: 268435456 },
      },
    },
    timers: {
      type: 'object',
      additionalProperties: false,
      properties: { T1: positive, T2: positive, T4: positive },
    },
    media: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['flow-through', 'flow-around'] },
        address: { type: 'string', pattern: '^([0-9.]+|[0-9a-fA-F:.]+)$' },
        portMin: { type: 'integer', minimum: 1024, maximum: 65534 },
        portMax: { type: 'integer', minimum: 1025, maximum: 65535 },
        workers: { type: 'integer', minimum: 1, maximum: 16 },
        forwarder: { enum: ['native', 'dgram'] },
        shedAfterMs: { type: 'integer', minimum: 0, maximum: 10000 },
        warmStreams: { type: 'integer', minimum: 0, maximum: 1000 },
        inactivitySeconds: { type: 'number', minimum: 0 },
        holdInactivitySeconds: { type: 'number', minimum: 0 },
        engine: { enum: ['builtin', 'rtpengine'] },
        rtpengine: {
          type: 'array',
          minItems: 1,
          maxItems: 64,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['ng'],
            properties: {
              ng: { type: 'string', pattern: '^udp:(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$' },
              weight: { type: 'integer', minimum: 0, maximum: 1000 },
            },
          },
        },
        rtpengineEvents: { type: 'string', pattern: '^udp:(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$' },
      },
    },
    sipProfiles: { type: 'integer', minimum: 1, maximum: 10000 },
    sipProfilesInbound: { type: 'integer', minimum: 1, maximum: 10000 },
    draining: { type: 'boolean' },
    drainGraceSeconds: { type: 'number', minimum: 0, maximum: 86400 },
    metrics: { type: 'boolean' },
    capture: {
      type: 'object',
      additionalProperties: false,
      properties: { directory: { type: 'string', minLength: 1, maxLength: 4096 } },
    },
    sanitize: SANITIZE_SCHEMA,
    trustedList: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 64 } },
    silentDiscardUntrusted: { type: 'boolean' },
    pike: {
      type: 'object',
      additionalProperties: false,
      required: ['windowSeconds', 'maxRequests', 'banSeconds'],
      properties: {
        windowSeconds: { type: 'number', minimum: 0.1 },
        maxRequests: { type: 'integer', minimum: 1 },
        banSeconds: { type: 'number', minimum: 0 },
      },
    },
    scannerUserAgents: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } },
    callThreshold: {
      type: 'object',
      additionalProperties: false,
      properties: {
        totalCalls: { type: 'integer', minimum: 1 },
        callsPerSecond: { type: 'number', minimum: 0.1 },
        eventLoopLagHighMs: { type: 'number', minimum: 1 },
        eventLoopLagLowMs: { type: 'number', minimum: 0 },
        cpuHighPercent: { type: 'number', minimum: 1, maximum: 100 },
        cpuLowPercent: { type: 'number', minimum: 0, maximum: 100 },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['certFile', 'keyFile'],
      properties: {
        certFile: { type: 'string', minLength: 1 },
        keyFile: { type: 'string', minLength: 1 },
        caFile: { type: 'string', minLength: 1 },
        verifyClient: { type: 'boolean' },
        verifyServer: { type: 'boolean' },
        validateServerName: { type: 'boolean' },
        trustedClientNames: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 253 } },
      },
      // a client's certificate is only asked for, and so only named, with verifyClient: true
      if: { required: ['trustedClientNames'] },
      then: { required: ['verifyClient'], properties: { verifyClient: { const: true } } },
    },
    serverHeader: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x20-\\x7e]+$' },
    sipUa: {
      type: 'object',
      additionalProperties: false,
      properties: {
        authentication: { type: 'array', maxItems: 64, items: CREDENTIAL_SCHEMA },
        credentials: { type: 'array', maxItems: 64, items: CREDENTIAL_SCHEMA },
        retrySeconds: { type: 'number', minimum: 0.1, maximum: 3600 },
        maxRetrySeconds: { type: 'number', minimum: 0.1, maximum: 86400 },
        registrar: {
          type: 'array',
          maxItems: 6,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['target'],
            properties: {
              target: {
                type: 'string',
                pattern:
                  '^(ipv4:[0-9.]+(:[0-9]{1,5})?|ipv6:\\[[0-9a-fA-F:.]+\\](:[0-9]{1,5})?|dns:[A-Za-z0-9.-]+(:[0-9]{1,5})?)$',
              },
              expires: { type: 'integer', minimum: 10, maximum: 86400 },
              transport: { enum: ['udp', 'tcp', 'tls'] },
            },
          },
        },
      },
    },
    calls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        huntStatuses: { type: 'array', items: { type: 'integer', minimum: 300, maximum: 699 }, uniqueItems: true },
        maxRedirects: { type: 'integer', minimum: 0, maximum: 10 },
        errorPassThrough: { type: 'boolean' },
        errorCodeOverride: { type: 'integer', minimum: 400, maximum: 699 },
      },
    },
  },
} as const;
