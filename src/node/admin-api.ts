/**
 * The admin HTTP server (`--admin IP:PORT`): `/health` (the node's figures), `/healthz` (alive),
 * `/readyz` (ready for calls: 503 while not), `/metrics` (Prometheus), and the API the CLI uses.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { type TraceListener, formatTrace } from '../observability/sip-trace.js';
import type { AdminAuth, AdminScope, AdminTls } from './admin-auth.js';

export type HealthReport = () => Record<string, unknown>;

/** Whether the node should get calls, and if not why (for load balancers and Kubernetes readiness). */
export type ReadinessReport = () => { ready: boolean; reasons: string[] };

/** Read-only API of one node for `fosip show --admin`: /api/status, /api/calls, /api/history?limit=N. */
export interface AdminApi {
  status(): unknown;
  calls(): unknown;
  history(limit: number): unknown;
  /** End a call with a Q.850 cause; false when the call is unknown. */
  clear(id: string, cause: number): boolean;
  stats(): unknown;
  clearStats(): void;
  /** Live RTP statistics by call id (asked of the relay workers). */
  media(): Promise<unknown>;
  keepalive(): unknown;
  /** Listen to the SIP trace (all, or one call's); returns how to stop. */
  trace(listener: TraceListener, call: string | null): () => void;
  /** `monitor capture`: start (with options), stop, or the status. */
  capture(action: 'start' | 'stop' | 'status', options: unknown): unknown;
  /** `show ip address trusted list`. */
  trusted(): unknown;
  /** `show sip-ua register status`. */
  registrations(): unknown;
  /** The message ladder of a live or recent call, or undefined. */
  flow(id: string): unknown;
  /** Read the configuration again (dial-peers, profiles); throws when it is invalid. */
  reload(): unknown;
  /** `fosip drain`: stop taking calls, wait for those in progress (at most graceSeconds, default the node's), then stop. */
  drain(graceSeconds: number | null): unknown;
  /** The configuration the node runs with, passwords hidden. */
  config(): unknown;
  /** Prometheus text exposition. */
  metrics?(): Promise<string>;
}

type Reply = (status: number, body: unknown) => void;

/** One admin endpoint: the scope a caller's token must have, and what it answers. */
export interface AdminEndpoint {
  method: 'GET' | 'POST';
  path: string;
  scope: AdminScope;
  handle(ctx: { req: http.IncomingMessage; res: http.ServerResponse; url: URL; reply: Reply }, api: AdminApi): void;
}

const reloadEndpoint = (ctx: { reply: Reply }, api: AdminApi): void => {
  try {
    ctx.reply(200, api.reload());
  } catch (err) {
    ctx.reply(422, { error: (err as Error).message, problems: (err as { problems?: unknown }).problems ?? [] });
  }
};

/**
 * Every route of the API under /api, with its scope: `read` for what shows (the trace included: it
 * carries credentials), `operate` for what changes the node. Tests enumerate this table.
 */
export const API_ENDPOINTS: readonly AdminEndpoint[] = [
  { method: 'GET', path: '/api/status', scope: 'read', handle: (c, api) => c.reply(200, api.status()) },
  { method: 'GET', path: '/api/config', scope: 'read', handle: (c, api) => c.reply(200, api.config()) },
  { method: 'GET', path: '/api/calls', scope: 'read', handle: (c, api) => c.reply(200, api.calls()) },
  { method: 'GET', path: '/api/stats', scope: 'read', handle: (c, api) => c.reply(200, [api.stats()]) },
  { method: 'GET', path: '/api/keepalive', scope: 'read', handle: (c, api) => c.reply(200, api.keepalive()) },
  { method: 'GET', path: '/api/trusted', scope: 'read', handle: (c, api) => c.reply(200, [api.trusted()]) },
  { method: 'GET', path: '/api/registrations', scope: 'read', handle: (c, api) => c.reply(200, api.registrations()) },
  {
    method: 'GET',
    path: '/api/history',
    scope: 'read',
    handle: (c, api) =>
      c.reply(200, api.history(Math.min(1000, Number(c.url.searchParams.get('limit') ?? 100) || 100))),
  },
  {
    method: 'GET',
    path: '/api/flow',
    scope: 'read',
    handle: (c, api) => {
      const flow = api.flow(c.url.searchParams.get('id') ?? '');
      c.reply(flow === undefined ? 404 : 200, flow ?? { error: 'not found' });
    },
  },
  {
    method: 'GET',
    path: '/api/media',
    scope: 'read',
    handle: (c, api) =>
      void api.media().then(
        (m) => c.reply(200, m),
        (err: unknown) => c.reply(500, { error: String(err) }),
      ),
  },
  { method: 'GET', path: '/api/trace', scope: 'read', handle: (c, api) => traceStream(c.res, c.url, api) },
  { method: 'GET', path: '/api/capture', scope: 'read', handle: (c, api) => capture(c.req, c.reply, 'status', api) },
  {
    method: 'POST',
    path: '/api/capture/start',
    scope: 'operate',
    handle: (c, api) => capture(c.req, c.reply, 'start', api),
  },
  {
    method: 'POST',
    path: '/api/capture/stop',
    scope: 'operate',
    handle: (c, api) => capture(c.req, c.reply, 'stop', api),
  },
  { method: 'POST', path: '/api/clear', scope: 'operate', handle: (c, api) => clearCall(c.req, c.reply, api) },
  {
    method: 'POST',
    path: '/api/stats/clear',
    scope: 'operate',
    handle: (c, api) => {
      api.clearStats();
      c.reply(200, { cleared: true });
    },
  },
  {
    method: 'POST',
    path: '/api/drain',
    scope: 'operate',
    handle: (c, api) => {
      const grace = Number(c.url.searchParams.get('grace') ?? NaN);
      c.reply(200, api.drain(Number.isFinite(grace) && grace >= 0 ? grace : null));
    },
  },
  { method: 'POST', path: '/api/reload', scope: 'operate', handle: reloadEndpoint },
];

export class AdminServer {
  private server: http.Server | undefined;

  constructor(
    private readonly log: Logger,
    private readonly health: HealthReport,
    private readonly auth: AdminAuth,
    private readonly api?: AdminApi,
    private readonly readiness?: ReadinessReport,
  ) {}

  /** With `tls`, HTTPS that takes only clients whose certificate verifies (mutual TLS). */
  async listen(address: string, tls?: AdminTls): Promise<{ address: string; port: number }> {
    const m = /^\[?([^\]]+)\]?:([0-9]+)$/.exec(address);
    const host = m?.[1] ?? '127.0.0.1';
    const port = Number(m?.[2] ?? 9090);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.route(req, res);
    const server =
      tls === undefined
        ? http.createServer(handler)
        : https.createServer(
            { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true },
            handler,
          );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const a = server.address();
    return { address: host, port: typeof a === 'object' && a !== null ? a.port : port };
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const reply: Reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://admin');
      if (req.method === 'GET' && url.pathname === '/healthz') return reply(200, { status: 'alive' });
      if (req.method === 'GET' && url.pathname === '/readyz') {
        const r = this.readiness?.() ?? { ready: true, reasons: [] };
        return reply(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', reasons: r.reasons });
      }
      if (!this.allowed(req, res, url.pathname === '/metrics' ? 'metrics' : 'read', reply)) return;
      if (req.method === 'GET' && url.pathname === '/health') return reply(200, { status: 'ok', ...this.health() });
      if (req.method === 'GET' && url.pathname === '/metrics' && this.api?.metrics !== undefined)
        return this.metrics(res, this.api.metrics.bind(this.api));
      const endpoint = API_ENDPOINTS.find((e) => e.method === req.method && e.path === url.pathname);
      if (endpoint === undefined || this.api === undefined) return reply(404, { error: 'not found' });
      if (endpoint.scope === 'operate' && !this.allowed(req, res, 'operate', reply)) return;
      endpoint.handle({ req, res, url, reply }, this.api);
    } catch (err) {
      this.log.error({ err }, 'admin request failed');
      reply(500, { error: 'internal error' });
    }
  }

  /**
   * Everything but /healthz and /readyz (and /metrics unless adminMetricsToken) needs a token, unknown paths
   * included, so that a caller without one learns nothing of the API (RFC 6750 §3: the challenge).
   */
  private allowed(req: http.IncomingMessage, res: http.ServerResponse, scope: AdminScope, reply: Reply): boolean {
    const verdict = this.auth.check(scope, req.headers.authorization);
    if (verdict === 200) return true;
    if (verdict === 401) {
      res.setHeader('www-authenticate', 'Bearer realm="fosip"');
      reply(401, { error: 'a valid bearer token is needed (the CLI: FOSIP_ADMIN_TOKEN or --token-file)' });
    } else reply(403, { error: 'this token may only read' });
    return false;
  }

  private metrics(res: http.ServerResponse, render: () => Promise<string>): void {
    render().then(
      (text) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(text);
      },
      (err: unknown) => {
        this.log.error({ err }, 'metrics failed');
        res.writeHead(500);
        res.end();
      },
    );
  }

  async close(): Promise<void> {
    const s = this.server;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** A request's body, at most 64 KiB (the connection is cut beyond: no caller fills the node's memory). */
function readBody(req: http.IncomingMessage, then: (body: string) => void): void {
  let body = '';
  req.on('data', (d: Buffer) => {
    body += d.toString();
    if (body.length > 65536) req.destroy();
  });
  req.on('end', () => then(body));
}

/** GET /api/capture (status), POST /api/capture/start (JSON options), POST /api/capture/stop. */
function capture(req: http.IncomingMessage, reply: Reply, action: 'start' | 'stop' | 'status', api: AdminApi): void {
  readBody(req, (body) => {
    try {
      reply(200, api.capture(action, body === '' ? null : JSON.parse(body)));
    } catch (err) {
      reply(400, { error: (err as Error).message });
    }
  });
}

function clearCall(req: http.IncomingMessage, reply: Reply, api: AdminApi): void {
  readBody(req, (body) => {
    let ok = false;
    try {
      const cmd = JSON.parse(body) as { id?: unknown; cause?: unknown };
      ok = typeof cmd.id === 'string' && Number.isInteger(cmd.cause) && api.clear(cmd.id, cmd.cause as number);
    } catch {
      ok = false;
    }
    reply(ok ? 200 : 404, { cleared: ok });
  });
}

/**
 * A stream of formatted messages until the client goes away (?format=json: one event per line, for the
 * CLI; else as CUBE prints them, for curl).
 */
function traceStream(res: http.ServerResponse, url: URL, api: AdminApi): void {
  const json = url.searchParams.get('format') === 'json';
  res.writeHead(200, {
    'content-type': json ? 'application/x-ndjson' : 'text/plain; charset=utf-8',
    'cache-control': 'no-cache',
  });
  res.write(json ? '\n' : '# tracing SIP messages on this node\n');
  const stop = api.trace(
    (ev) => void res.write(json ? `${JSON.stringify(ev)}\n` : `${formatTrace(ev)}\n`),
    url.searchParams.get('call') || null,
  );
  res.on('close', stop);
}
