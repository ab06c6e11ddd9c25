/**
 * The admin HTTP server (`--admin IP:PORT`): `/health` (the node's figures), `/healthz` (alive),
 * `/readyz` (ready for calls: 503 while not), `/metrics` (Prometheus), and the API the CLI uses.
 */
import http from 'node:http';
import type { Logger } from 'pino';
import { type TraceListener, formatTrace } from '../observability/sip-trace.js';

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
  /** Prometheus text exposition. */
  metrics?(): Promise<string>;
}

export class AdminServer {
  private server: http.Server | undefined;

  constructor(
    private readonly log: Logger,
    private readonly health: HealthReport,
    private readonly api?: AdminApi,
    private readonly readiness?: ReadinessReport,
  ) {}

  async listen(address: string): Promise<{ address: string; port: number }> {
    const m = /^\[?([^\]]+)\]?:([0-9]+)$/.exec(address);
    const host = m?.[1] ?? '127.0.0.1';
    const port = Number(m?.[2] ?? 9090);
    const server = http.createServer((req, res) => this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const a = server.address();
    return { address: host, port: typeof a === 'object' && a !== null ? a.port : port };
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    try {
      const url = new URL(req.url ?? '/', 'http://admin');
      const json = (body: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && url.pathname === '/health') {
        json({ status: 'ok', ...this.health() });
        return;
      }
      if (req.method === 'GET' && url.pathname === '/healthz') return json({ status: 'alive' });
      if (req.method === 'GET' && url.pathname === '/readyz') {
        const r = this.readiness?.() ?? { ready: true, reasons: [] };
        res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: r.ready ? 'ready' : 'not ready', reasons: r.reasons }));
        return;
      }
      if (req.method === 'POST' && url.pathname === '/api/stats/clear' && this.api !== undefined) {
        this.api.clearStats();
        return json({ cleared: true });
      }
      if (req.method === 'POST' && url.pathname === '/api/drain' && this.api !== undefined) {
        const grace = Number(url.searchParams.get('grace') ?? NaN);
        return json(this.api.drain(Number.isFinite(grace) && grace >= 0 ? grace : null));
      }
      if (req.method === 'POST' && url.pathname === '/api/reload' && this.api !== undefined) {
        try {
          return json(this.api.reload());
        } catch (err) {
          res.writeHead(422, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ error: (err as Error).message, problems: (err as { problems?: unknown }).problems ?? [] }),
          );
          return;
        }
      }
      if (req.method === 'GET' && url.pathname === '/api/trace' && this.api !== undefined) {
        // a stream of formatted messages until the client goes away
        // (?format=json: one event per line, for the CLI; else as CUBE prints them, for curl)
        const json = url.searchParams.get('format') === 'json';
        res.writeHead(200, {
          'content-type': json ? 'application/x-ndjson' : 'text/plain; charset=utf-8',
          'cache-control': 'no-cache',
        });
        res.write(json ? '\n' : '# tracing SIP messages on this node\n');
        const stop = this.api.trace(
          (ev) => void res.write(json ? `${JSON.stringify(ev)}\n` : `${formatTrace(ev)}\n`),
          url.searchParams.get('call') || null,
        );
        res.on('close', stop);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/metrics' && this.api?.metrics !== undefined) {
        this.api.metrics().then(
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
        return;
      }
      if (url.pathname.startsWith('/api/capture') && this.api !== undefined) {
        this.captureRequest(req, res, url.pathname.slice('/api/capture'.length).replace(/^\//, ''), this.api);
        return;
      }
      if (req.method === 'POST' && url.pathname === '/api/clear' && this.api !== undefined) {
        this.clear(req, res, this.api);
        return;
      }
      if (req.method === 'GET' && this.api !== undefined) {
        if (url.pathname === '/api/status') return json(this.api.status());
        if (url.pathname === '/api/calls') return json(this.api.calls());
        if (url.pathname === '/api/stats') return json([this.api.stats()]);
        if (url.pathname === '/api/keepalive') return json(this.api.keepalive());
        if (url.pathname === '/api/trusted') return json([this.api.trusted()]);
        if (url.pathname === '/api/registrations') return json(this.api.registrations());
        if (url.pathname === '/api/flow') {
          const flow = this.api.flow(url.searchParams.get('id') ?? '');
          if (flow !== undefined) return json(flow);
        }
        if (url.pathname === '/api/media') {
          this.api.media().then(json, (err: unknown) => {
            this.log.error({ err }, 'admin request failed');
            res.writeHead(500);
            res.end();
          });
          return;
        }
        if (url.pathname === '/api/history')
          return json(this.api.history(Math.min(1000, Number(url.searchParams.get('limit') ?? 100) || 100)));
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
    } catch (err) {
      this.log.error({ err }, 'admin request failed');
      res.writeHead(500);
      res.end();
    }
  }

  /** GET /api/capture (status), POST /api/capture/start (JSON options), POST /api/capture/stop. */
  private captureRequest(req: http.IncomingMessage, res: http.ServerResponse, action: string, api: AdminApi): void {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const reply = (status: number, data: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      try {
        const what = action === '' ? 'status' : action;
        if (what !== 'start' && what !== 'stop' && what !== 'status') return reply(404, { error: 'not found' });
        reply(200, api.capture(what, body === '' ? null : JSON.parse(body)));
      } catch (err) {
        reply(400, { error: (err as Error).message });
      }
    });
  }

  private clear(req: http.IncomingMessage, res: http.ServerResponse, api: AdminApi): void {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
      if (body.length > 4096) req.destroy();
    });
    req.on('end', () => {
      let ok = false;
      try {
        const cmd = JSON.parse(body) as { id?: unknown; cause?: unknown };
        ok = typeof cmd.id === 'string' && Number.isInteger(cmd.cause) && api.clear(cmd.id, cmd.cause as number);
      } catch {
        ok = false;
      }
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ cleared: ok }));
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
