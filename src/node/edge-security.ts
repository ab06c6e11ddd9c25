/**
 * A node's edge security, as the app wires it: the source guard runs before anything else is done with a
 * request; admission control hears the event loop's delay and the machine's CPU twice a second; the
 * session targets of the dial-peers that are up are the trusted sources besides the configured blocks.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import { SbcError } from '../errors/sbc-error.js';
import type { TlsContext } from '../transport/tcp-transport.js';
import type { DialPeer } from '../routing/dial-peer.js';
import type { SessionTarget } from '../routing/session-target.js';
import { Admission } from '../security/admission.js';
import { DEFAULT_SCANNERS, type GuardSettings, SourceGuard } from '../security/source-guard.js';
import { buildResponse } from '../sip/response-builder.js';
import type { SipRequest, SipResponse } from '../sip/sip-message.js';
import type { Flow } from '../transport/flow.js';

export type SecuritySettings = Pick<
  Settings,
  'trustedList' | 'silentDiscardUntrusted' | 'pike' | 'scannerUserAgents' | 'callThreshold'
>;

/** The source guard's settings from fosip.json, with the defaults (no blocks, silent discard, no pike, the common scanners). */
function guardSettings(s: SecuritySettings): GuardSettings {
  return {
    trustedList: s.trustedList ?? [],
    silentDiscardUntrusted: s.silentDiscardUntrusted ?? true,
    pike: s.pike ?? null,
    scannerUserAgents: s.scannerUserAgents ?? DEFAULT_SCANNERS,
  };
}

/** The TLS certificate, key and CAs read from their files (relative to the config folder); a file that cannot be read is a config error naming it. */
export function loadTls(settings: Pick<Settings, 'tls' | 'configDir'>): TlsContext | undefined {
  const t = settings.tls;
  if (t === undefined) return undefined;
  const read = (field: 'certFile' | 'keyFile' | 'caFile', name: string): Buffer => {
    const file = path.resolve(settings.configDir, name);
    try {
      return fs.readFileSync(file);
    } catch (err) {
      const problem = {
        file: path.join(settings.configDir, 'fosip.json'),
        pointer: `/tls/${field}`,
        message: `cannot read ${file}: ${(err as Error).message}`,
      };
      throw new SbcError('SBC_ERR_CONFIG_INVALID', 'a TLS file cannot be read', [problem]);
    }
  };
  return {
    cert: read('certFile', t.certFile),
    key: read('keyFile', t.keyFile),
    ...(t.caFile !== undefined ? { ca: read('caFile', t.caFile) } : {}),
    verifyClient: t.verifyClient ?? false,
    verifyServer: t.verifyServer ?? true,
    validateServerName: t.validateServerName ?? false,
    trustedClientNames: t.trustedClientNames ?? [],
  };
}

/** Busy and total CPU time of all cores since boot (ms). */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

export class EdgeSecurity {
  /** Trusted sources, scanners and floods: checked before anything else is done with a request. */
  readonly guard: SourceGuard;
  /** Call threshold: total calls, calls per second, overload (event loop delay, CPU). */
  readonly admission: Admission;
  private readonly lag = monitorEventLoopDelay({ resolution: 20 });
  private readonly timer: NodeJS.Timeout;
  private cpu = cpuTimes();

  constructor(
    settings: SecuritySettings,
    private readonly log: Logger,
  ) {
    this.guard = new SourceGuard(guardSettings(settings));
    this.admission = new Admission(settings.callThreshold ?? {});
    this.lag.enable();
    this.timer = setInterval(() => this.measure(), 500);
    this.timer.unref();
  }

  reconfigure(settings: SecuritySettings): void {
    this.guard.reconfigure(guardSettings(settings));
    this.admission.reconfigure(settings.callThreshold ?? {});
  }

  /** The event loop's delay (p99) and the CPU busy since the last check, held against the overload watermarks. */
  private measure(): void {
    const p99 = this.lag.percentile(99) / 1e6;
    this.lag.reset();
    const now = cpuTimes();
    const total = now.total - this.cpu.total;
    const cpuPercent = total > 0 ? (100 * (now.busy - this.cpu.busy)) / total : 0;
    this.cpu = now;
    const was = this.admission.isOverloaded;
    const lagMs = Number.isFinite(p99) ? p99 : 0;
    if (this.admission.observe({ lagMs, cpuPercent }) !== was) {
      this.log.warn(
        { lagMs, cpuPercent: Math.round(cpuPercent) },
        was ? 'overload over: taking new calls again' : 'overloaded: new calls get 503',
      );
    }
  }

  /** Whether a request goes on; one from an untrusted source, a scanner or a flooding source does not (or gets 403 through `reject`). */
  admitted(req: SipRequest, flow: Flow, tag: () => string, reject: (res: SipResponse, flow: Flow) => void): boolean {
    const v = this.guard.check(flow.remoteAddress, req.header('user-agent'), {
      byCertificate: flow.trustedByCertificate === true,
      ack: req.method === 'ACK',
    });
    if (v.kind === 'pass') return true;
    if (v.kind === 'reject') reject(buildResponse(req, 403, { toTag: tag() }), flow);
    return false;
  }

  /**
   * The session targets of the dial-peers that are up (not shut down, not busied out) are trusted, and the
   * registrars (a registered trunk's calls come from its registrar).
   */
  trustTargets(
    peers: readonly DialPeer[],
    isUp: (tag: number) => boolean,
    registrars: readonly SessionTarget[] = [],
  ): void {
    const addresses: string[] = [];
    const names: string[] = [];
    const targets = [
      ...peers.filter((dp) => !dp.shutdown && isUp(dp.tag)).map((dp) => dp.sessionTarget),
      ...registrars,
    ];
    for (const t of targets) {
      if (t === null) continue;
      if (t.kind === 'dns') names.push(t.host);
      else addresses.push(t.host);
    }
    this.guard.setTargets(addresses);
    if (names.length === 0) return;
    // a dns: target is trusted at the addresses it resolves to now
    void Promise.all(names.map((n) => dnsLookup(n, { all: true }).catch(() => []))).then((found) => {
      this.guard.setTargets([...addresses, ...found.flat().map((a) => a.address)]);
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.lag.disable();
  }
}
