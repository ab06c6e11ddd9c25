/**
 * The read contract of `show` and `clear` commands: what the CLI asks of the cluster (through Redis:
 * state/cluster-view.ts) or of one node (its admin API: cli/state-source.ts), whichever it reads.
 */
import type { TraceEvent } from '../observability/sip-trace.js';
import type { Ladder } from '../state/call-store.js';
import type {
  MediaStatsByCall,
  NodeConfig,
  NodeInfo,
  NodeKeepalive,
  RegistrationReport,
  SipStatsSnapshot,
  TrustedReport,
  ViewCall,
  ViewCdr,
} from '../state/node-reports.js';

export interface StateView {
  nodes(): Promise<NodeInfo[]>;
  calls(): Promise<ViewCall[]>;
  history(limit: number): Promise<ViewCdr[]>;
  /** Ask the node that holds call `id` to end it with a Q.850 cause; false when no node took it. */
  clear(id: string, cause: number): Promise<boolean>;
  stats(): Promise<SipStatsSnapshot[]>;
  /** Reset every node's SIP counters; how many nodes took the command. */
  clearStats(): Promise<number>;
  /** Live RTP statistics by call id (empty for calls that are not relayed). */
  media(): Promise<MediaStatsByCall>;
  /** The message ladder of a call: live or recent on the node (admin API), ended (Redis); null if unknown. */
  flow(id: string): Promise<Ladder | null>;
  /** Receive every node's SIP trace (or one call's) until the returned stop is called. */
  trace(call: string | null, onEvent: (ev: TraceEvent) => void): Promise<() => Promise<void>>;
  /** `show ip address trusted list`: each node's blocks, trusted targets, bans and drop counts. */
  trusted(): Promise<TrustedReport[]>;
  /** The OPTIONS keepalive state of every pinged dial-peer, per node. */
  keepalive(): Promise<NodeKeepalive[]>;
  /** `show sip-ua register status`: each node's registration lines. */
  registrations(): Promise<RegistrationReport[]>;
  /** The configuration a node runs with (through Redis: the first live node's, by name). */
  configuration(): Promise<NodeConfig>;
  close(): Promise<void>;
}
