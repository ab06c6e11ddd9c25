/**
 * What nodes report of themselves and the show commands read back: the data shapes a node writes to the
 * store (Redis, or its memory behind the admin API) and a reader gets, whichever source it asks. The read
 * contract itself (StateView) is node/state-view.ts.
 */
import type { KeepaliveStatus } from '../keepalive/keepalive-manager.js';
import type { StreamStatsReport } from '../media/relay-protocol.js';
import type { CallDetailRecord, CallRecord } from './call-store.js';
import type { Settings } from '../config/settings.js';
import type { DialConfig } from '../config/dial-config.js';

export interface NodeInfo {
  node: string;
  /** The FoSIP version the node runs (absent from the reports of older nodes). */
  version?: string;
  alive: boolean;
  startedAt: number | null;
  heartbeatAt: number | null;
  calls: number;
  /** The node's RTP port pool (`show voip rtp connections`); absent from nodes that do not report it. */
  rtp?: RtpPoolInfo;
  /** The rtpengine instances the node drives (`show voip rtp engines`); absent without any. */
  mediaEngines?: MediaEngineInfo[];
}

/** One rtpengine instance as a node sees it. */
export interface MediaEngineInfo {
  /** Its ng control address, as configured. */
  ng: string;
  weight: number;
  /** Whether it answers (out of the fleet when not). */
  up: boolean;
  /** The node's calls on it. */
  sessions: number;
  /** When it last answered (ms since the epoch), or null. */
  lastAnswerAt: number | null;
  /** Times it was taken out of the fleet. */
  downs: number;
}

export interface RtpPoolInfo {
  address: string;
  minPort: number;
  maxPort: number;
  available: number;
  reserved: number;
  inUse: number;
}

export interface ViewCall extends CallRecord {
  node: string;
  nodeAlive: boolean;
}

export interface ViewCdr extends CallDetailRecord {
  node: string;
}

/** One node's SIP counters (`show sip-ua statistics`). */
export interface SipStatsSnapshot {
  node: string;
  at: number;
  requestsIn: Record<string, number>;
  requestsOut: Record<string, number>;
  responsesIn: Record<string, number>;
  responsesOut: Record<string, number>;
  retransmissionsIn: number;
  retransmissionsOut: number;
  timeouts: number;
}

/** A node's trusted list, trusted targets, bans and drops (`show ip address trusted list`). */
export interface TrustedReport {
  node: string;
  trustedList: string[];
  sessionTargets: string[];
  /** TLS clients whose verified certificate names one of these are trusted from any address. */
  tlsClientNames?: string[];
  silentDiscard: boolean;
  banned: Array<{ address: string; secondsLeft: number }>;
  dropped: { scanner: number; untrusted: number; flood: number; rejected: number };
}

/** One trunk registration line (`show sip-ua register status`). */
export interface RegistrationStatus {
  /** The registered user (number). */
  line: string;
  /** The registrar's index (1-6) and session target. */
  registrar: number;
  target: string;
  registered: boolean;
  /** Seconds the registration has left (0 when not registered). */
  expiresSeconds: number;
  /** The last final status the registrar gave, or `timeout` / `transport error` / `not sent`. */
  lastResult: string;
  failures: number;
}

/** A registration line as a node reports it. */
export type RegistrationReport = RegistrationStatus & { node: string };

/** A dial-peer's keepalive state as one node sees it. */
export type NodeKeepalive = KeepaliveStatus & { node: string };

/** A node's edge: its trusted list and drops, and its trunk registrations (`sbc:edge:<node>`). */
export interface NodeEdge {
  trusted: TrustedReport;
  registrations: Array<RegistrationReport>;
}

/** Live RTP statistics by call id (the relay's streams of each call). */
export type MediaStatsByCall = Record<string, StreamStatsReport[]>;

/**
 * What a node runs with (`show dial-peer`, `show dialplan`, `show running-config`): its settings as resolved
 * (fosip.json, environment, flags, reloads) and its dial-peers and classes as loaded, passwords redacted.
 */
export interface NodeConfig {
  node: string;
  settings: Settings;
  dialConfig: DialConfig;
}
