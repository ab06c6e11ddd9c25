/** Where a show command reads from: the cluster (`--redis URL`) or one node (`--admin http://ip:port`). */
import { SbcError } from '../errors/sbc-error.js';
import type { TraceEvent } from '../observability/sip-trace.js';
import type { Ladder } from '../state/call-store.js';
import type { MediaStatsByCall, NodeKeepalive } from '../state/node-reports.js';
import { RedisClusterView } from '../state/cluster-view.js';
import type {
  NodeInfo,
  RegistrationReport,
  TrustedReport,
  SipStatsSnapshot,
  ViewCall,
  ViewCdr,
} from '../state/node-reports.js';
import type { StateView } from '../node/state-view.js';

class AdminView implements StateView {
  constructor(private readonly base: string) {}

  /** fetch, with an error that names the node that could not be reached */
  private async call(path: string, init?: RequestInit): Promise<Response> {
    try {
      return await fetch(new URL(path, this.base), init);
    } catch (err) {
      const inner = (err as { cause?: { code?: string; message?: string } }).cause;
      const cause = inner?.code ?? inner?.message ?? (err as Error).message;
      throw new SbcError('SBC_ERR_ADMIN_API', `cannot reach the node's admin API at ${this.base} (${cause})`);
    }
  }

  private async get<T>(path: string): Promise<T> {
    const res = await this.call(path);
    if (!res.ok) throw new SbcError('SBC_ERR_ADMIN_API', `${this.base}${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  nodes(): Promise<NodeInfo[]> {
    return this.get('/api/status');
  }

  calls(): Promise<ViewCall[]> {
    return this.get('/api/calls');
  }

  history(limit: number): Promise<ViewCdr[]> {
    return this.get(`/api/history?limit=${limit}`);
  }

  async clear(id: string, cause: number): Promise<boolean> {
    const res = await this.call('/api/clear', {
      method: 'POST',
      body: JSON.stringify({ id, cause }),
      headers: { 'content-type': 'application/json' },
    });
    return res.ok;
  }

  stats(): Promise<SipStatsSnapshot[]> {
    return this.get('/api/stats');
  }

  media(): Promise<MediaStatsByCall> {
    return this.get('/api/media');
  }

  keepalive(): Promise<NodeKeepalive[]> {
    return this.get('/api/keepalive');
  }

  trusted(): Promise<TrustedReport[]> {
    return this.get('/api/trusted');
  }

  registrations(): Promise<RegistrationReport[]> {
    return this.get('/api/registrations');
  }

  /** The node's trace stream (NDJSON), one event per line, until stopped. */
  async trace(call: string | null, onEvent: (ev: TraceEvent) => void): Promise<() => Promise<void>> {
    const stop = new AbortController();
    const res = await this.call(`/api/trace?format=json${call === null ? '' : `&call=${encodeURIComponent(call)}`}`, {
      signal: stop.signal,
    });
    if (!res.ok || res.body === null)
      throw new SbcError('SBC_ERR_ADMIN_API', `${this.base}/api/trace: HTTP ${res.status}`);
    const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const pump = (async (): Promise<void> => {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        const value: Uint8Array = chunk.value;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('{')) onEvent(JSON.parse(line) as TraceEvent);
        }
      }
    })().catch(() => undefined);
    return async () => {
      stop.abort();
      await pump;
    };
  }

  async flow(id: string): Promise<Ladder | null> {
    const res = await this.call(`/api/flow?id=${encodeURIComponent(id)}`);
    if (res.status === 404) return null;
    if (!res.ok) throw new SbcError('SBC_ERR_ADMIN_API', `${this.base}/api/flow: HTTP ${res.status}`);
    return (await res.json()) as Ladder;
  }

  async clearStats(): Promise<number> {
    const res = await this.call('/api/stats/clear', { method: 'POST' });
    return res.ok ? 1 : 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface SourceFlags {
  redis?: string;
  admin?: string;
}

export function openSource(flags: SourceFlags, env: NodeJS.ProcessEnv): StateView {
  const redis = flags.redis ?? env['FOSIP_REDIS_URL'];
  if (redis !== undefined && redis !== '') return new RedisClusterView(redis);
  const admin = flags.admin ?? env['FOSIP_ADMIN_URL'] ?? 'http://127.0.0.1:9090';
  return new AdminView(admin.startsWith('http') ? admin : `http://${admin}`);
}
