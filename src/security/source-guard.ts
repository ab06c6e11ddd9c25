/**
 * Who may send the SBC requests (cube-reference §7): scanners are dropped by their User-Agent; only
 * trusted sources are served (the session targets of dial-peers that are up, and the configured blocks)
 * and the others are dropped without an answer (or answered 403); a trusted source that floods (more than
 * `maxRequests` in `windowSeconds`, pike-like) is dropped for `banSeconds`, without touching any other
 * source. Dial-peer targets (the trunks) are never banned. Every drop is counted by its reason.
 */
import { type Cidr, parseCidr } from './cidr.js';

export interface GuardSettings {
  trustedList: string[];
  silentDiscardUntrusted: boolean;
  pike: { windowSeconds: number; maxRequests: number; banSeconds: number } | null;
  scannerUserAgents: string[];
}

export const DEFAULT_SCANNERS = [
  'friendly-scanner',
  'sipvicious',
  'sipcli',
  'sip-scan',
  'iwar',
  'vaxsipuseragent',
  'pplsip',
  'sundayddr',
];

export type DropReason = 'scanner' | 'untrusted' | 'flood';
export type Verdict = { kind: 'pass' } | { kind: 'drop'; reason: DropReason } | { kind: 'reject'; reason: 'untrusted' };

const PASS: Verdict = { kind: 'pass' };
/** Sources remembered for flood counting at most (a spoofed flood must not grow the map without bound). */
const MAX_SOURCES = 100_000;

interface Source {
  windowStart: number;
  count: number;
  bannedUntil: number;
}

export class SourceGuard {
  private cidrs: Cidr[] = [];
  private targets = new Set<string>();
  private settings!: GuardSettings;
  private scanners: string[] = [];
  private readonly sources = new Map<string, Source>();
  readonly counters: Record<DropReason, number> & { rejected: number } = {
    scanner: 0,
    untrusted: 0,
    flood: 0,
    rejected: 0,
  };

  constructor(
    settings: GuardSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.reconfigure(settings);
  }

  /** New settings (a reload); bans in force stay. Throws CidrError on a bad block. */
  reconfigure(settings: GuardSettings): void {
    this.cidrs = settings.trustedList.map(parseCidr);
    this.settings = settings;
    this.scanners = settings.scannerUserAgents.map((s) => s.toLowerCase());
  }

  /** The addresses of the session targets of the dial-peers that are up: trusted, and never banned. */
  setTargets(addresses: Iterable<string>): void {
    this.targets = new Set([...addresses].map((a) => a.replace(/^\[|\]$/g, '')));
  }

  trusted(address: string): boolean {
    return this.targets.has(address) || this.cidrs.some((c) => c.matches(address));
  }

  /**
   * What to do with a request from `address` carrying this User-Agent. `byCertificate`: it came from a
   * trusted TLS client; `ack`: it is an ACK, which is never answered, so an untrusted one is dropped.
   */
  check(
    address: string,
    userAgent: string | undefined,
    from: { byCertificate?: boolean; ack?: boolean } = {},
  ): Verdict {
    if (userAgent !== undefined && this.scanners.length > 0) {
      const ua = userAgent.toLowerCase();
      if (this.scanners.some((s) => ua.includes(s))) return this.drop('scanner');
    }
    if (from.byCertificate !== true && !this.trusted(address)) {
      if (this.settings.silentDiscardUntrusted || from.ack === true) return this.drop('untrusted');
      this.counters.rejected++;
      return { kind: 'reject', reason: 'untrusted' };
    }
    const pike = this.settings.pike;
    if (pike === null || this.targets.has(address)) return PASS;
    const now = this.now();
    let s = this.sources.get(address);
    if (s === undefined) {
      if (this.sources.size >= MAX_SOURCES) this.forgetQuiet(now);
      this.sources.set(address, (s = { windowStart: now, count: 0, bannedUntil: 0 }));
    }
    if (now - s.windowStart >= pike.windowSeconds * 1000) {
      s.windowStart = now;
      s.count = 0;
    }
    // still flooding keeps the ban going; once the rate falls, it ends banSeconds after the last flood window
    if (++s.count > pike.maxRequests) s.bannedUntil = now + pike.banSeconds * 1000;
    return now < s.bannedUntil ? this.drop('flood') : PASS;
  }

  private drop(reason: DropReason): Verdict {
    this.counters[reason]++;
    return { kind: 'drop', reason };
  }

  /** Let go of sources that are neither banned nor in a current window. */
  private forgetQuiet(now: number): void {
    const windowMs = (this.settings.pike?.windowSeconds ?? 0) * 1000;
    for (const [address, s] of this.sources)
      if (now >= s.bannedUntil && now - s.windowStart >= windowMs) this.sources.delete(address);
    if (this.sources.size >= MAX_SOURCES) this.sources.clear();
  }

  /** `show ip address trusted list`. */
  report(): {
    trustedList: string[];
    sessionTargets: string[];
    silentDiscard: boolean;
    banned: Array<{ address: string; secondsLeft: number }>;
    dropped: SourceGuard['counters'];
  } {
    const now = this.now();
    return {
      trustedList: this.cidrs.map((c) => c.text),
      sessionTargets: [...this.targets].sort(),
      silentDiscard: this.settings.silentDiscardUntrusted,
      banned: [...this.sources]
        .filter(([, s]) => s.bannedUntil > now)
        .map(([address, s]) => ({ address, secondsLeft: Math.ceil((s.bannedUntil - now) / 1000) })),
      dropped: { ...this.counters },
    };
  }
}
