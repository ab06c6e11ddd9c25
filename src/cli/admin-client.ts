/**
 * How the CLI talks to a node's admin API: the base URL (`--admin`, FOSIP_ADMIN_URL), the bearer token
 * (`--token-file`, else FOSIP_ADMIN_TOKEN) and, for an HTTPS listener with mutual TLS, the client's
 * certificate (FOSIP_ADMIN_CERT, FOSIP_ADMIN_KEY, FOSIP_ADMIN_CA: PEM files).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { SbcError } from '../errors/sbc-error.js';

export interface AdminFlags {
  admin?: string;
  tokenFile?: string;
}

export interface AdminReply {
  status: number;
  body: string;
}

export class AdminClient {
  readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly tls: https.RequestOptions;

  constructor(flags: AdminFlags, env: NodeJS.ProcessEnv) {
    const admin = flags.admin ?? env['FOSIP_ADMIN_URL'] ?? 'http://127.0.0.1:9090';
    this.base = admin.startsWith('http') ? admin : `http://${admin}`;
    const token = flags.tokenFile !== undefined ? readFile(flags.tokenFile, '--token-file') : env['FOSIP_ADMIN_TOKEN'];
    this.headers = token !== undefined && token.trim() !== '' ? { authorization: `Bearer ${token.trim()}` } : {};
    const pem = (name: string): Buffer | undefined => {
      const file = env[name];
      return file === undefined || file === '' ? undefined : Buffer.from(readFile(file, name));
    };
    const cert = pem('FOSIP_ADMIN_CERT');
    const key = pem('FOSIP_ADMIN_KEY');
    const ca = pem('FOSIP_ADMIN_CA');
    this.tls = { ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(ca ? { ca } : {}) };
  }

  /** One request, its whole answer; an unreachable node or a refused token is an error that says so. */
  async request(path: string, method: 'GET' | 'POST' = 'GET', body?: string): Promise<AdminReply> {
    let text = '';
    const status = await this.open(path, method, body, (chunk) => (text += chunk));
    await status.ended;
    return { status: status.code, body: text };
  }

  async json<T>(path: string, method: 'GET' | 'POST' = 'GET', body?: string): Promise<T> {
    const reply = await this.request(path, method, body);
    if (reply.status < 200 || reply.status > 299) throw this.failure(path, reply);
    return JSON.parse(reply.body) as T;
  }

  /** A streamed answer (the trace), chunk by chunk until `stop()` or the node closes it. */
  async stream(path: string, onChunk: (text: string) => void): Promise<() => Promise<void>> {
    const opened = await this.open(path, 'GET', undefined, onChunk);
    if (opened.code !== 200) {
      opened.abort();
      throw this.failure(path, { status: opened.code, body: '' });
    }
    return async () => {
      opened.abort();
      await opened.ended;
    };
  }

  /** The error for an answer that is not 2xx, with the hint a refused token needs. */
  failure(path: string, reply: AdminReply): SbcError {
    let error = '';
    try {
      error = (JSON.parse(reply.body) as { error?: string }).error ?? '';
    } catch {
      error = '';
    }
    const hint =
      reply.status === 401
        ? ': the node wants its admin token (FOSIP_ADMIN_TOKEN or --token-file)'
        : reply.status === 403
          ? ': this token may only read'
          : error !== ''
            ? `: ${error}`
            : '';
    return new SbcError('SBC_ERR_ADMIN_API', `${this.base}${path}: HTTP ${reply.status}${hint}`);
  }

  private open(
    path: string,
    method: string,
    body: string | undefined,
    onChunk: (text: string) => void,
  ): Promise<{ code: number; ended: Promise<void>; abort: () => void }> {
    const url = new URL(path, this.base);
    const headers: Record<string, string> = { ...this.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'https:' ? https.request : http.request;
      const req = send(url, { method, headers, ...(url.protocol === 'https:' ? this.tls : {}) }, (res) => {
        res.setEncoding('utf8');
        res.on('data', onChunk);
        const ended = new Promise<void>((done) => {
          res.on('end', done);
          res.on('close', done);
          res.on('error', () => done());
        });
        resolve({ code: res.statusCode ?? 0, ended, abort: () => req.destroy() });
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          new SbcError(
            'SBC_ERR_ADMIN_API',
            `cannot reach the node's admin API at ${this.base} (${err.code ?? err.message})`,
          ),
        ),
      );
      req.end(body);
    });
  }
}

function readFile(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SbcError('SBC_ERR_USAGE', `${what}: cannot read ${file} (${(err as Error).message})`);
  }
}
