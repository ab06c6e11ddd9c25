/**
 * OPTIONS keepalive for every dial-peer that names a keepalive profile: one PeerHealth each, pinged on its
 * own jittered schedule (never all at once, never two pings of one dial-peer in flight), a status line and a
 * callback on every change. Sending the OPTIONS is handed in (the B2BUA owns the SIP stack); a reload keeps
 * the state of every dial-peer whose target and profile did not change.
 */
import type { Logger } from 'pino';
import type { KeepaliveProfileJson } from '../config/keepalive-config.js';
import { type HealthState, PeerHealth, type PingResult, describeResult } from './peer-health.js';

export interface KeepaliveTimer {
  cancel(): void;
}

/** The clock the pings run on (the transaction layer's clock fits). */
export interface KeepaliveClock {
  now(): number;
  setTimer(ms: number, fn: () => void): KeepaliveTimer;
}

export interface KeepaliveProfile {
  tag: number;
  description: string;
  upIntervalMs: number;
  downIntervalMs: number;
  retry: number;
  transport: 'udp' | 'tcp' | 'tls' | 'system';
  /** The SIP profile tag applied to the OPTIONS (null: none). */
  sipProfiles: number | null;
  shutdown: boolean;
}

/** One pinged dial-peer: its tag, where it is pinged (for show), and whatever the pinger needs. */
export interface KeepaliveEntry<T> {
  tag: number;
  target: string;
  transport: 'udp' | 'tcp' | 'tls';
  profile: KeepaliveProfile;
  subject: T;
}

export interface KeepaliveStatus {
  tag: number;
  profile: number;
  target: string;
  transport: 'udp' | 'tcp' | 'tls';
  state: HealthState;
  /** `200 OK`, `404 Not Found`, `timeout`...; null before the first answer. */
  lastResponse: string | null;
  rttMs: number | null;
  failures: number;
  /** When the state last changed (ms since the epoch), or when pinging started. */
  since: number;
  lastPingAt: number | null;
}

/** Longest a ping is waited for (RFC 3261 Timer F with the default T1). */
const MAX_WAIT_MS = 32_000;
/** The first ping of a dial-peer comes within this (or its interval, if shorter), at random. */
const FIRST_PING_SPREAD_MS = 5_000;

interface Pinged<T> {
  entry: KeepaliveEntry<T>;
  health: PeerHealth;
  since: number;
  lastPingAt: number | null;
  timer: KeepaliveTimer | null;
  /** Bumped when the entry stops: a ping still in flight then changes nothing. */
  live: boolean;
}

export interface KeepaliveOptions<T> {
  clock: KeepaliveClock;
  ping: (entry: KeepaliveEntry<T>) => Promise<PingResult>;
  /** A dial-peer went busyout or came back. */
  changed?: (status: KeepaliveStatus, from: HealthState) => void;
  log: Logger;
  random?: () => number;
}

const sameTarget = <T>(a: KeepaliveEntry<T>, b: KeepaliveEntry<T>): boolean =>
  a.target === b.target && a.transport === b.transport && JSON.stringify(a.profile) === JSON.stringify(b.profile);

export class KeepaliveManager<T> {
  private readonly peers = new Map<number, Pinged<T>>();
  private readonly random: () => number;

  constructor(private readonly o: KeepaliveOptions<T>) {
    this.random = o.random ?? Math.random;
  }

  /**
   * The dial-peers to ping now (at start, and after every reload): unchanged ones keep their state and
   * schedule, changed and new ones start active, removed ones stop.
   */
  configure(entries: ReadonlyArray<KeepaliveEntry<T>>): void {
    const next = new Set(entries.map((e) => e.tag));
    for (const [tag, p] of this.peers) {
      if (!next.has(tag)) this.drop(tag, p);
    }
    for (const entry of entries) {
      const known = this.peers.get(entry.tag);
      if (known !== undefined && sameTarget(known.entry, entry)) {
        known.entry = entry; // the new dial-peer object, same target and profile
        continue;
      }
      if (known !== undefined) this.drop(entry.tag, known);
      if (entry.profile.shutdown) continue;
      const settings = {
        upIntervalMs: entry.profile.upIntervalMs,
        downIntervalMs: entry.profile.downIntervalMs,
        retry: entry.profile.retry,
      };
      const p: Pinged<T> = {
        entry,
        health: new PeerHealth(settings),
        since: this.o.clock.now(),
        lastPingAt: null,
        timer: null,
        live: true,
      };
      this.peers.set(entry.tag, p);
      this.schedule(p, Math.round(this.random() * Math.min(FIRST_PING_SPREAD_MS, settings.upIntervalMs)));
    }
  }

  /** Whether a dial-peer may take calls: not pinged, or pinged and active. */
  isUp(tag: number): boolean {
    return this.peers.get(tag)?.health.state !== 'busyout';
  }

  status(): KeepaliveStatus[] {
    return [...this.peers.values()].sort((a, b) => a.entry.tag - b.entry.tag).map((p) => this.statusOf(p));
  }

  stop(): void {
    for (const [tag, p] of this.peers) this.drop(tag, p);
  }

  private drop(tag: number, p: Pinged<T>): void {
    p.live = false;
    p.timer?.cancel();
    this.peers.delete(tag);
  }

  private statusOf(p: Pinged<T>): KeepaliveStatus {
    const last = p.health.last;
    return {
      tag: p.entry.tag,
      profile: p.entry.profile.tag,
      target: p.entry.target,
      transport: p.entry.transport,
      state: p.health.state,
      lastResponse: last === null ? null : describeResult(last),
      rttMs: last?.kind === 'answer' ? last.rttMs : null,
      failures: p.health.failures,
      since: p.since,
      lastPingAt: p.lastPingAt,
    };
  }

  private schedule(p: Pinged<T>, delayMs: number): void {
    p.timer = this.o.clock.setTimer(delayMs, () => this.pingNow(p));
  }

  private pingNow(p: Pinged<T>): void {
    if (!p.live) return;
    p.timer = null;
    p.lastPingAt = this.o.clock.now();
    const settings = p.health.settings;
    const waitMs = Math.min(MAX_WAIT_MS, p.health.state === 'active' ? settings.upIntervalMs : settings.downIntervalMs);
    let done = false;
    const finish = (r: PingResult): void => {
      if (done || !p.live) return;
      done = true;
      waiting.cancel();
      this.take(p, r);
    };
    const waiting = this.o.clock.setTimer(waitMs, () => finish({ kind: 'no-answer', why: 'timeout' }));
    this.o.ping(p.entry).then(finish, () => finish({ kind: 'no-answer', why: 'transport error' }));
  }

  private take(p: Pinged<T>, r: PingResult): void {
    const from = p.health.state;
    const to = p.health.record(r);
    if (to !== null) {
      p.since = this.o.clock.now();
      const status = this.statusOf(p);
      this.o.log.warn(
        {
          dialPeer: p.entry.tag,
          target: p.entry.target,
          from,
          to,
          lastResponse: status.lastResponse,
          failures: p.health.failures,
        },
        `dial-peer ${p.entry.tag} keepalive ${to === 'busyout' ? 'busied out' : 'active again'}`,
      );
      this.o.changed?.(status, from);
    }
    // pings keep their rhythm from one start to the next: a ping that timed out after a whole interval is followed at once
    const elapsed = p.lastPingAt === null ? 0 : this.o.clock.now() - p.lastPingAt;
    this.schedule(p, Math.max(0, p.health.nextDelay(this.random) - elapsed));
  }
}

/** A keepalive profile from its JSON, with CUBE's defaults (up 60 s, down 30 s, retry 5, transport system). */
export function keepaliveProfile(json: KeepaliveProfileJson): KeepaliveProfile {
  return {
    tag: json.tag,
    description: json.description ?? '',
    upIntervalMs: Math.round((json.upInterval ?? 60) * 1000),
    downIntervalMs: Math.round((json.downInterval ?? 30) * 1000),
    retry: json.retry ?? 5,
    transport: json.transport ?? 'system',
    sipProfiles: json.sipProfiles ?? null,
    shutdown: json.shutdown ?? false,
  };
}
