/** Where a show command reads from: the cluster (`--redis URL`) or one node (`--admin http://ip:port`). */
import { type AdminFlags, AdminClient } from './admin-client.js';
import type { TraceEvent } from '../observability/sip-trace.js';
import type { Ladder } from '../state/call-store.js';
import type { MediaStatsByCall, NodeKeepalive } from '../state/node-reports.js';
import { RedisClusterView } from '../state/cluster-view.js';
import type {
  NodeConfig,
  NodeInfo,
  RegistrationReport,
  TrustedReport,
  SipStatsSnapshot,
  ViewCall,
  ViewCdr,
} from '../state/node-reports.js';
import type { StateView } from '../node/state-view.js';

class AdminView implements StateView {
  constructor(private readonly client: AdminClient) {}

  private get<T>(path: string): Promise<T> {
    return this.client.json<T>(path);
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
    const reply = await this.client.request('/api/clear', 'POST', JSON.stringify({ id, cause }));
    if (reply.status === 401 || reply.status === 403) throw this.client.failure('/api/clear', reply);
    return reply.status === 200;
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

  configuration(): Promise<NodeConfig> {
    return this.get('/api/config');
  }

  /** The node's trace stream (NDJSON), one event per line, until stopped. */
  trace(call: string | null, onEvent: (ev: TraceEvent) => void): Promise<() => Promise<void>> {
    let buffer = '';
    return this.client.stream(
      `/api/trace?format=json${call === null ? '' : `&call=${encodeURIComponent(call)}`}`,
      (chunk) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('{')) onEvent(JSON.parse(line) as TraceEvent);
        }
      },
    );
  }

  async flow(id: string): Promise<Ladder | null> {
    const path = `/api/flow?id=${encodeURIComponent(id)}`;
    const reply = await this.client.request(path);
    if (reply.status === 404) return null;
    if (reply.status !== 200) throw this.client.failure(path, reply);
    return JSON.parse(reply.body) as Ladder;
  }

  async clearStats(): Promise<number> {
    const reply = await this.client.request('/api/stats/clear', 'POST');
    if (reply.status !== 200) throw this.client.failure('/api/stats/clear', reply);
    return 1;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface SourceFlags extends AdminFlags {
  redis?: string;
}

export function openSource(flags: SourceFlags, env: NodeJS.ProcessEnv): StateView {
  const redis = flags.redis ?? env['FOSIP_REDIS_URL'];
  if (redis !== undefined && redis !== '') return new RedisClusterView(redis);
  return new AdminView(new AdminClient(flags, env));
}
