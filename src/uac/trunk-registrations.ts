/**
 * Trunk registration (CUBE `sip-ua registrar` / `credentials`, RFC 3261 §10.2): every credential is
 * registered with every registrar, each pair a line with its own Call-ID and CSeq. A registration is
 * refreshed before it runs out (at half the granted time when short, 30 s ahead when long); a challenge is
 * answered with the line's credential (then the global ones); a failure or no answer is retried after a
 * backoff that doubles up to a ceiling, and the line shows as not registered meanwhile.
 */
import type { Logger } from 'pino';
import type { Credential } from '../routing/dial-peer.js';
import type { RegistrationStatus } from '../state/node-reports.js';
import { parseSessionTarget, type SessionTarget } from '../routing/session-target.js';
import { newCallId, newTag } from '../dialog/dialog.js';
import { SipHeader } from '../sip/sip-header.js';
import { EMPTY_BODY, SipRequest, type SipResponse } from '../sip/sip-message.js';
import { sipHost } from '../sip/host.js';
import { isSipUri } from '../sip/sip-uri.js';
import type { Clock, TimerHandle } from '../transaction/clock.js';
import { TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransactionTransport } from '../transaction/transaction-transport.js';
import { type Destination, transportParam } from '../transport/flow.js';
import { sendAnswering } from './digest-client.js';
import { resolveTarget } from './target-resolver.js';

export interface RegistrarConfig {
  target: string;
  expires?: number;
  transport?: 'udp' | 'tcp' | 'tls';
}

export interface RegistrationConfig {
  registrars: readonly RegistrarConfig[];
  /** The numbers (users) to register, each with its password. */
  credentials: readonly Credential[];
  /** Global credentials that may also answer a registrar's challenge. */
  authentication: readonly Credential[];
  /** The first retry after a failure, doubled per failure up to maxRetrySeconds (defaults 10 and 600). */
  retrySeconds?: number;
  maxRetrySeconds?: number;
}

interface Line {
  index: number;
  registrar: RegistrarConfig;
  target: SessionTarget;
  credential: Credential;
  callId: string;
  fromTag: string;
  cseq: number;
  registeredUntil: number;
  /** What the registrar asked for with 423 Interval Too Brief (Min-Expires), instead of the configured expires. */
  minExpires: number | null;
  lastResult: string;
  failures: number;
  timer: TimerHandle | null;
}

export interface RegistrationDeps {
  transactions: TransactionLayer;
  transport: TransactionTransport;
  clock: Clock;
  log: Logger;
}

export class TrunkRegistrations {
  private lines: Line[] = [];
  private stopped = false;

  constructor(
    private readonly d: RegistrationDeps,
    private readonly config: RegistrationConfig,
  ) {}

  start(): void {
    this.config.registrars.forEach((registrar, i) => {
      const target = parseSessionTarget(registrar.target);
      for (const credential of this.config.credentials) {
        const host = sipHost(target.host);
        this.lines.push({
          index: i + 1,
          registrar,
          target,
          credential,
          callId: newCallId(host),
          fromTag: newTag(),
          cseq: 0,
          registeredUntil: 0,
          minExpires: null,
          lastResult: 'not sent',
          failures: 0,
          timer: null,
        });
      }
    });
    for (const line of this.lines) this.register(line);
  }

  /** Stop refreshing; with `unregister`, each registered line sends REGISTER with Expires: 0 (no wait for the answer). */
  stop(unregister = false): void {
    this.stopped = true;
    for (const line of this.lines) {
      line.timer?.cancel();
      line.timer = null;
      if (unregister && line.registeredUntil > this.d.clock.now()) this.send(line, 0).catch(() => undefined);
    }
  }

  status(): RegistrationStatus[] {
    const now = this.d.clock.now();
    return this.lines.map((l) => ({
      line: l.credential.username,
      registrar: l.index,
      target: l.registrar.target,
      registered: l.registeredUntil > now,
      expiresSeconds: Math.max(0, Math.round((l.registeredUntil - now) / 1000)),
      lastResult: l.lastResult,
      failures: l.failures,
    }));
  }

  private register(line: Line): void {
    if (this.stopped) return;
    this.send(line, this.expiresOf(line)).then(
      (res) => this.answered(line, res),
      () => this.failed(line, 'transport error'),
    );
  }

  private expiresOf(line: Line): number {
    return Math.max(line.registrar.expires ?? 3600, line.minExpires ?? 0);
  }

  private answered(line: Line, res: SipResponse | 'timeout' | 'transport error'): void {
    if (this.stopped) return;
    const min = typeof res === 'string' || res.status !== 423 ? NaN : Number(res.header('min-expires') ?? NaN);
    if (Number.isInteger(min) && min > this.expiresOf(line) && line.minExpires === null) {
      // 423 Interval Too Brief: at once again with the registrar's Min-Expires (RFC 3261 §10.2.8), once
      line.minExpires = min;
      return this.register(line);
    }
    if (typeof res === 'string' || res.status >= 300)
      return this.failed(line, typeof res === 'string' ? res : `${res.status} ${res.reason}`);
    const granted = grantedSeconds(res, this.expiresOf(line), line.credential.username);
    line.lastResult = `${res.status} ${res.reason}`;
    line.failures = 0;
    line.registeredUntil = this.d.clock.now() + granted * 1000;
    const refreshIn = granted <= 60 ? granted / 2 : granted - 30;
    this.d.log.info({ line: line.credential.username, registrar: line.index, expires: granted }, 'registered');
    this.schedule(line, refreshIn);
  }

  private failed(line: Line, why: string): void {
    if (this.stopped) return;
    line.lastResult = why;
    line.failures++;
    // a failed refresh leaves the registration standing until it runs out; a new one is tried meanwhile
    const base = this.config.retrySeconds ?? 10;
    const wait = Math.min(base * 2 ** (line.failures - 1), this.config.maxRetrySeconds ?? 600);
    this.d.log.warn(
      { line: line.credential.username, registrar: line.index, result: why, retryIn: wait },
      'registration failed',
    );
    this.schedule(line, wait);
  }

  private schedule(line: Line, seconds: number): void {
    line.timer?.cancel();
    line.timer = this.d.clock.setTimer(Math.max(0.1, seconds) * 1000, () => this.register(line));
  }

  /** One REGISTER (and its answers to challenges); resolves with the final answer. */
  private async send(line: Line, expires: number): Promise<SipResponse | 'timeout' | 'transport error'> {
    const transport = line.registrar.transport ?? 'udp';
    const usable = (dest: Destination): boolean => this.d.transport.sentBy(dest) !== undefined;
    const [dest] = await resolveTarget(line.target, transport, usable).catch(() => []);
    const via = dest === undefined ? undefined : this.d.transport.sentBy(dest);
    if (dest === undefined || via === undefined) return 'transport error';
    const host = sipHost(line.target.host);
    const port = line.target.port === null ? '' : `:${line.target.port}`;
    const tp = transportParam(transport);
    const aor = `sip:${line.credential.username}@${host}`;
    const headers = [
      SipHeader.create(
        'Via',
        `SIP/2.0/${transport.toUpperCase()} ${via.host}:${via.port};branch=${TransactionLayer.newBranch()};rport`,
      ),
      SipHeader.create('Max-Forwards', '70'),
      SipHeader.create('From', `<${aor}>;tag=${line.fromTag}`),
      SipHeader.create('To', `<${aor}>`),
      SipHeader.create('Call-ID', line.callId),
      SipHeader.create('CSeq', `${++line.cseq} REGISTER`),
      SipHeader.create('Contact', `<sip:${line.credential.username}@${sipHost(via.host)}:${via.port}${tp}>`),
      SipHeader.create('Expires', String(expires)),
      SipHeader.create('Content-Length', '0'),
    ];
    const request = new SipRequest('REGISTER', `sip:${host}${port}${tp}`, 'SIP/2.0', headers, EMPTY_BODY);
    const pool = [line.credential, ...this.config.authentication];
    return new Promise((resolve) => {
      sendAnswering(
        this.d.transactions,
        request,
        dest,
        pool,
        {
          response: (res) => {
            if (res.status >= 200) resolve(res);
          },
          timeout: () => resolve('timeout'),
          transportError: () => resolve('transport error'),
        },
        (retry) => {
          line.cseq = retry.cseq().seq;
        },
      );
    });
  }
}

/**
 * The time the registrar granted (§10.2.4): the expires parameter of our Contact among those it lists
 * (other devices may share the address of record), else Expires, else what we asked.
 */
function grantedSeconds(res: SipResponse, asked: number, user: string): number {
  const contacts = res.contacts();
  if (contacts !== '*') {
    for (const c of contacts) {
      if (!isSipUri(c.uri) || c.uri.user !== user) continue;
      const e = c.params.get('expires');
      if (e !== undefined && e !== null && /^\d+$/.test(e)) return Math.max(1, Number(e));
    }
  }
  const header = res.header('expires');
  return header !== undefined && /^\d+$/.test(header.trim()) ? Math.max(1, Number(header.trim())) : asked;
}

/** The sip-ua settings registration needs (fosip.json `sipUa`). */
export interface SipUaRegistration {
  registrar?: readonly RegistrarConfig[];
  credentials?: readonly Credential[];
  authentication?: readonly Credential[];
  retrySeconds?: number;
  maxRetrySeconds?: number;
}

/** The registrations of the sip-ua settings in force: a reload that changes them starts them anew. */
export class RegistrationSet {
  private key = '{}';
  private lines: TrunkRegistrations | null = null;

  constructor(private readonly d: RegistrationDeps) {}

  configure(ua: SipUaRegistration | undefined): void {
    const key = JSON.stringify(ua ?? {});
    if (key === this.key) return;
    this.key = key;
    this.lines?.stop();
    const { registrar = [], credentials = [], authentication = [] } = ua ?? {};
    this.lines =
      registrar.length === 0 || credentials.length === 0
        ? null
        : new TrunkRegistrations(this.d, {
            registrars: registrar,
            credentials,
            authentication,
            ...(ua?.retrySeconds ? { retrySeconds: ua.retrySeconds } : {}),
            ...(ua?.maxRetrySeconds ? { maxRetrySeconds: ua.maxRetrySeconds } : {}),
          });
    this.lines?.start();
  }

  status(): RegistrationStatus[] {
    return this.lines?.status() ?? [];
  }

  /** With `unregister`, registered lines send REGISTER with Expires: 0 (a node that stops). */
  stop(unregister = false): void {
    this.lines?.stop(unregister);
  }
}
