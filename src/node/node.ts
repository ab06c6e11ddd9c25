/** The one place that wires everything: transport -> transactions -> transaction user, plus admin HTTP. */
import { pino, type Logger } from 'pino';
import { B2bua } from '../b2bua/b2bua.js';
import { MEDIA_INACTIVITY } from '../b2bua/media/media-choice.js';
import { endOrphanedCalls } from '../b2bua/recovery/orphan-calls.js';
import type { LiveConfig } from '../b2bua/live-config.js';
import { LocalResponder } from '../b2bua/local-responder.js';
import type { Configuration } from './configuration.js';
import { KeepaliveManager } from '../keepalive/keepalive-manager.js';
import { Metrics } from '../observability/metrics.js';
import { SipTracer } from '../observability/sip-trace.js';
import { EdgeSecurity, loadTls } from './edge-security.js';
import { Drain } from './drain.js';
import { CaptureControl, metricSources, traceToBus } from './observability-wiring.js';
import type { EdgePipeline } from './edge-pipeline.js';
import { nodeEdge } from './edge-steps.js';
import { NO_REWRITE_CLASSES } from '../rewrite/rewrite-classes.js';
import type { DialPeer } from '../routing/dial-peer.js';
import { DialPlan } from '../routing/dial-plan.js';
import { formatSessionTarget, parseSessionTarget } from '../routing/session-target.js';
import type { CallStore } from '../state/call-store.js';
import type { NodeBus } from '../state/node-bus.js';
import { openSharedState } from '../state/shared-state.js';
import type { StatsStore } from '../state/stats-store.js';
import type { NodeConfig, NodeEdge } from '../state/node-reports.js';
import { systemClock } from '../transaction/clock.js';
import { globalCredentials, type Settings } from '../config/settings.js';
import { RegistrationSet } from '../uac/trunk-registrations.js';
import type { RegistrationStatus } from '../state/node-reports.js';
import { SbcError } from '../errors/sbc-error.js';
import { AdminServer } from './admin-api.js';
import { AdminAuth, adminTlsOf } from './admin-auth.js';
import { DEFAULT_SANITIZE } from '../b2bua/header-shield.js';
import { configSnapshot } from './config-snapshot.js';
import { prettyDestination } from '../observability/pretty-log.js';
import { adminRoutes } from './admin-routes.js';
import type { Clock } from '../transaction/clock.js';
import { TransactionLayer } from '../transaction/transaction-layer.js';
import { type ListenSpec, parseListenSpec } from '../transport/listen-spec.js';
import { TransportLayer } from '../transport/transport-layer.js';
import { newSipCounters } from '../transport/transport-stats.js';
import type { SipStatsSnapshot } from '../state/node-reports.js';
import { VERSION } from '../version.js';
import { chooseMediaAddress } from '../media/media-address.js';
import { PortPool } from '../media/port-pool.js';
import { BuiltinRelay } from '../media/builtin-relay.js';
import { RtpengineFleet } from '../media/rtpengine/fleet.js';
import { DEFAULT_SHED_AFTER_MS } from '../media/builtin-relay-options.js';
import { LoadShedding } from './load-shedding.js';
import { DtmfEventListener } from '../media/rtpengine/dtmf-events.js';
import type { MediaEngineInfo, MediaStatsByCall, RtpPoolInfo } from '../state/node-reports.js';
import type { StreamStatsReport } from '../media/relay-protocol.js';

export { VERSION } from '../version.js';

/** What routing needs of the configuration (loadConfiguration's result has it). */
export type RoutingConfig = Pick<Configuration, 'dialPlan' | 'rewrite' | 'profiles'> & {
  /** The dial-peers and classes as read (what `show` commands are served); none in some tests. */
  source?: Configuration['source'];
  settings?: Pick<
    Settings,
    | 'draining'
    | 'calls'
    | 'trustedList'
    | 'silentDiscardUntrusted'
    | 'pike'
    | 'scannerUserAgents'
    | 'callThreshold'
    | 'sipUa'
    | 'sanitize'
  >;
};

export interface NodeOptions {
  log?: Logger;
  clock?: Clock;
  /** The dial plan and classes calls are routed by; none means no dial-peers. */
  config?: RoutingConfig;
  /** Reads the configuration again (SIGHUP, `fosip reload`); throws SbcError when it is invalid. */
  reload?: () => RoutingConfig;
  /** A drain asked for over the admin API (`fosip drain`) is over: the process stops the node. */
  onDrained?: () => void;
}

const NO_CONFIG: RoutingConfig = {
  dialPlan: new DialPlan([]),
  rewrite: NO_REWRITE_CLASSES,
  profiles: { inbound: null, outbound: null },
};

export class SbcNode {
  readonly log: Logger;
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly responder: LocalResponder;
  readonly b2bua: B2bua;
  readonly callStore: CallStore;
  /** What the node says to and hears from the cluster (nobody, without Redis). */
  readonly bus: NodeBus;
  readonly statsStore: StatsStore;
  readonly portPool: PortPool;
  readonly mediaAddress: string;
  /** The RTP relay (idle when every call flows around it). */
  readonly media: BuiltinRelay;
  /** Packets of the calls rtpengine relayed that have ended (the built-in relay counts its own). */
  private readonly engineClosed = { packets: 0, forwarded: 0, lost: 0 };
  /** The rtpengine instances (null: none configured). */
  readonly rtpengine: RtpengineFleet | null;
  /** rtpengine's DTMF events (media.rtpengineEvents), for RFC 4733 -> INFO interworking. */
  private dtmfEvents: DtmfEventListener | null = null;
  private admin: AdminServer | undefined;
  readonly startedAt = Date.now();
  /** OPTIONS keepalive of the dial-peers that name a profile. */
  readonly keepalive: KeepaliveManager<DialPeer>;
  readonly metrics: Metrics;
  /** `debug ccsip messages`: nobody listening costs one check per message. */
  readonly tracer = new SipTracer();
  private traceTimer: NodeJS.Timeout | undefined;
  /** What every message goes through on its way in and out (edge-pipeline.ts). */
  readonly edge: EdgePipeline;
  /** Trusted sources, scanners, floods and admission control. */
  readonly security: EdgeSecurity;
  /** `monitor capture`: the capture running, if any. */
  readonly capture: CaptureControl;
  private config: RoutingConfig;
  private readonly reloadConfig: (() => RoutingConfig) | undefined;
  /** `sip-ua registrar`: the trunk registrations. */
  private readonly registrations: RegistrationSet;
  private readonly clock: Clock;
  /** How many calls a previous run of this node (with Redis) left, once they are ended. */
  orphansEnded: Promise<number> = Promise.resolve(0);
  /** `fosip drain` and SIGTERM: no new calls, the calls in progress end (or the grace time runs out). */
  readonly drain: Drain;
  /** The relay falling behind, logged once per episode. */
  private readonly shedding: LoadShedding;
  listening: ListenSpec[] = [];
  adminAddress: { address: string; port: number } | undefined;

  private constructor(
    readonly settings: Settings,
    opts: NodeOptions,
  ) {
    const logOptions = { level: settings.logLevel, redact: ['*.authorization', '*.Authorization'] };
    this.log = opts.log ?? (settings.logFormat === 'pretty' ? pino(logOptions, prettyDestination()) : pino(logOptions));
    this.clock = opts.clock ?? systemClock;
    this.metrics = new Metrics(
      metricSources(() => this),
      settings.metrics ?? true,
    );
    this.config = opts.config ?? NO_CONFIG;
    this.security = new EdgeSecurity(this.config.settings ?? settings, this.log.child({ component: 'security' }));
    this.reloadConfig = opts.reload;
    this.portPool = new PortPool(settings.media.portMin ?? 8000, settings.media.portMax ?? 48198);
    this.mediaAddress = chooseMediaAddress(
      settings.media.address,
      settings.listen.map((l) => parseListenSpec(l).address),
    );
    const fleet = settings.media.rtpengine ?? [];
    this.rtpengine =
      fleet.length === 0
        ? null
        : new RtpengineFleet({
            members: fleet.map((m) => ({ ng: m.ng, weight: m.weight ?? 1 })),
            changed: (st) =>
              st.up
                ? this.log.info({ rtpengine: st.ng }, 'rtpengine answers again: back in the fleet')
                : this.log.warn({ rtpengine: st.ng }, 'rtpengine does not answer: no new calls go to it'),
          });
    this.shedding = new LoadShedding(
      this.log.child({ component: 'media' }),
      settings.media.shedAfterMs ?? DEFAULT_SHED_AFTER_MS,
    );
    this.media = new BuiltinRelay({
      pool: this.portPool,
      address: this.mediaAddress,
      workers: settings.media.workers ?? 1,
      forwarder: settings.media.forwarder ?? 'native',
      shedAfterMs: settings.media.shedAfterMs ?? DEFAULT_SHED_AFTER_MS,
      onShed: (packets) => this.shedding.note(packets),
      warmStreams: settings.media.warmStreams ?? 8,
      inactivityMs: (settings.media.inactivitySeconds ?? 0) * 1000,
      holdInactivityMs: (settings.media.holdInactivitySeconds ?? 0) * 1000,
      onInactive: (id) => this.endSilent(id),
      onDtmf: (id, side, event, durationMs) => this.b2bua.mediaDtmf(id, side, event, durationMs),
      onError: (err) => this.log.error({ err }, 'RTP relay worker failed'),
      onCaptured: (packets) => {
        for (const p of packets) {
          if (this.capture.wants(p.id, true))
            this.capture.write({ at: p.at, transport: 'udp', src: p.src, dst: p.dst, payload: Buffer.from(p.bytes) });
        }
      },
      onClosed: (report) => this.streamsEnded(report),
    });
    this.capture = new CaptureControl(this.media, this.log);
    ({ calls: this.callStore, bus: this.bus } = openSharedState({
      redis: settings.redis,
      redisOptions: settings.redisOptions,
      node: settings.hostname,
      log: this.log.child({ component: 'state' }),
      describe: () => ({ version: VERSION, rtp: this.rtpPool(), ...this.mediaEngines() }),
    }));
    this.statsStore = this.bus.stats;
    const tls = loadTls(settings);
    this.transport = new TransportLayer({
      log: this.log.child({ component: 'transport' }),
      limits: settings.transport,
      ...(tls ? { tls } : {}),
    });
    this.transactions = new TransactionLayer({
      transport: this.transport,
      log: this.log.child({ component: 'transaction' }),
      timers: settings.timers,
      agent: settings.hostname,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.responder = new LocalResponder((req) => this.transactions.tagFor(req), settings.serverHeader ?? null);
    this.keepalive = new KeepaliveManager<DialPeer>({
      clock: this.clock,
      log: this.log.child({ component: 'keepalive' }),
      ping: (e) => this.b2bua.pinger.ping(e.subject, e.profile),
      changed: () => {
        this.trustTargets(); // a busied-out dial-peer's target is no longer trusted (cube-reference §5)
        this.statsStore.refresh();
      },
    });
    this.b2bua = new B2bua({
      transactions: this.transactions,
      transport: this.transport,
      responder: this.responder,
      config: this.liveConfig(this.config),
      health: this.keepalive,
      admission: this.security.admission,
      calls: this.callStore,
      clock: this.clock,
      log: this.log.child({ component: 'b2bua' }),
      agent: settings.hostname,
      ...(settings.calls.huntStatuses ? { huntStatuses: new Set(settings.calls.huntStatuses) } : {}),
      ...(settings.calls.maxRedirects !== undefined ? { maxRedirects: settings.calls.maxRedirects } : {}),
      ...(settings.calls.errorPassThrough !== undefined ? { errorPassThrough: settings.calls.errorPassThrough } : {}),
      media: {
        engine: this.media,
        address: this.mediaAddress,
        mode: settings.media.mode ?? 'flow-through',
        defaultEngine: settings.media.engine ?? 'builtin',
        rtpengine: this.rtpengine,
        warn: (what, err, callId) => this.log.warn({ err, callId }, what),
        note: (what, callId) => this.log.info({ callId }, what),
        closed: (report) => {
          for (const st of report) {
            for (const side of [st.a, st.b]) {
              this.engineClosed.packets += side.packets;
              this.engineClosed.forwarded += side.forwarded;
              this.engineClosed.lost += Math.max(0, side.lost);
            }
          }
          this.streamsEnded(report);
        },
        inactivityMs: (settings.media.inactivitySeconds ?? 0) * 1000,
        holdInactivityMs: (settings.media.holdInactivitySeconds ?? 0) * 1000,
        inactive: (id) => this.endSilent(id),
      },
      observer: {
        callEnded: (cdr) => {
          this.metrics.callEnded({ ...cdr, left: cdr.bLeg !== null });
          const ladder = this.b2bua.wire.ladder(cdr.id);
          if (ladder !== undefined) this.bus.keepFlow(ladder);
        },
        headerHeldBack: (reason) => this.metrics.headerHeldBack(reason),
        callAnswered: (setupMs) => this.metrics.callAnswered(setupMs),
      },
    });
    this.responder.draining = this.config.settings?.draining ?? settings.draining ?? false;
    this.registrations = new RegistrationSet({
      transactions: this.transactions,
      transport: this.transport,
      clock: this.clock,
      log: this.log.child({ component: 'registrar' }),
    });
    this.drain = new Drain({
      refuseNew: () => {
        this.security.admission.draining = true;
        this.responder.draining = true;
      },
      activeCalls: () => this.callStore.list().map((c) => c.id),
      clear: (id) => this.b2bua.clear(id, 16),
      log: this.log.child({ component: 'drain' }),
    });
    this.transactions.setUser(this.b2bua);
    this.bus.onCommand((cmd) => (cmd.op === 'clear' ? this.b2bua.clear(cmd.id, cmd.cause) : this.clearSipStats()));
    this.statsStore.track(() => this.sipStats());
    this.statsStore.trackMedia(() => this.mediaStats());
    this.statsStore.trackKeepalive(() => this.keepalive.status());
    this.statsStore.trackEdge(() => this.edgeReport());
    this.statsStore.trackConfig(() => this.configSnapshot());
    this.traceTimer = traceToBus(this.bus, this.tracer);
    this.configureKeepalive();
    this.edge = nodeEdge({
      node: settings.hostname,
      security: this.security,
      transport: this.transport,
      transactions: this.transactions,
      wire: this.b2bua.wire,
      profiles: this.b2bua.profiles,
      tracer: this.tracer,
      capture: this.capture,
    });
    this.transport.onMessage((msg, flow) => this.edge.receive(msg, flow));
    this.transport.onSend((msg, dest) => this.edge.send(msg, dest));
  }

  static async start(settings: Settings, opts: NodeOptions = {}): Promise<SbcNode> {
    const specs = settings.listen.map(parseListenSpec);
    // the admin API's tokens and certificate first: a bad one stops the start before anything is opened
    const adminAuth = settings.admin === null ? undefined : AdminAuth.fromSettings(settings);
    const adminTls = settings.admin !== null && settings.adminTls === true ? adminTlsOf(settings) : undefined;
    const app = new SbcNode(settings, opts);
    try {
      app.listening = await app.transport.listen(specs);
      const events = settings.media.rtpengineEvents;
      if (events !== undefined)
        app.dtmfEvents = await DtmfEventListener.open(events, (e) =>
          app.b2bua.engineDtmf(e.callId, e.sourceTag, e.event, e.durationMs),
        );
      app.registrations.configure(app.config.settings?.sipUa ?? settings.sipUa);
      const orphanDeps = {
        transactions: app.transactions,
        transport: app.transport,
        clock: app.clock,
        log: app.log.child({ component: 'b2bua' }),
        agent: settings.hostname,
        releaseMedia: (ng: string, callId: string) => void app.releaseRtpengineCall(ng, callId),
      };
      app.orphansEnded = endOrphanedCalls(app.callStore, orphanDeps, (r) => app.b2bua.adopt(r));
      if (settings.admin !== null && adminAuth !== undefined) {
        app.admin = new AdminServer(
          app.log.child({ component: 'admin' }),
          () => app.health(),
          adminAuth,
          adminRoutes(app, opts.onDrained),
          () => app.readiness(),
        );
        app.adminAddress = await app.admin.listen(settings.admin, adminTls);
      }
    } catch (err) {
      await app.stop();
      throw new SbcError('SBC_ERR_LISTEN_BIND', `cannot listen: ${(err as Error).message}`);
    }
    app.log.info(
      { listen: app.listening, admin: app.adminAddress, hostname: settings.hostname, redis: settings.redis !== null },
      'fosip started',
    );
    return app;
  }

  /**
   * rtpengine lets go of a call a previous run left and this one ended (the instance may no longer be in
   * the configuration: it is reached all the same). A failure is logged; rtpengine's own timeout ends it.
   */
  private async releaseRtpengineCall(ng: string, callId: string): Promise<void> {
    const fleet = this.rtpengine ?? new RtpengineFleet({ members: [], pingMs: 0 });
    try {
      await fleet.command(ng, 'delete', { 'call-id': callId });
    } catch (err) {
      this.log.warn({ err, callId, rtpengine: ng }, 'rtpengine did not let go of a call the previous run left');
    } finally {
      if (fleet !== this.rtpengine) fleet.stop();
    }
  }

  /** Ready for calls: listening, configuration loaded (it is, or the node would not run), Redis reachable when used, not draining. */
  readiness(): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (this.listening.length === 0) reasons.push('not listening');
    if (!this.bus.connected) reasons.push('Redis unreachable');
    if (this.responder.draining) reasons.push('draining');
    return { ready: reasons.length === 0, reasons };
  }

  /** The configuration this node runs with, passwords hidden (`show dial-peer`, `show running-config`). */
  configSnapshot(): NodeConfig {
    return configSnapshot(this.settings.hostname, { ...this.settings, ...this.config.settings }, this.config.source);
  }

  get dialPlan(): DialPlan {
    return this.config.dialPlan;
  }

  private liveConfig(c: RoutingConfig): LiveConfig {
    return {
      dialPlan: c.dialPlan,
      profiles: c.profiles,
      sipProfiles: c.rewrite.sipProfiles,
      errorCodeOverride: (c.settings?.calls ?? this.settings.calls).errorCodeOverride ?? null,
      credentials: globalCredentials((c.settings ?? this.settings).sipUa),
      sanitize: { ...DEFAULT_SANITIZE, ...(c.settings ?? this.settings).sanitize },
    };
  }

  /** The session targets of the dial-peers that are up are trusted (a busied-out one's no longer is). */
  private trustTargets(): void {
    const registrars = (this.config.settings ?? this.settings).sipUa?.registrar ?? [];
    this.security.trustTargets(
      this.config.dialPlan.peers,
      (tag) => this.keepalive.isUp(tag),
      registrars.map((r) => parseSessionTarget(r.target)),
    );
  }

  /** Every dial-peer with a keepalive profile and a session target is pinged; a shut-down one is not. */
  private configureKeepalive(): void {
    this.keepalive.configure(
      this.config.dialPlan.peers.flatMap((dp) => {
        if (dp.keepalive === null || dp.sessionTarget === null || dp.shutdown) return [];
        const transport = dp.keepalive.transport === 'system' ? dp.sessionTransport : dp.keepalive.transport;
        return [
          { tag: dp.tag, target: formatSessionTarget(dp.sessionTarget), transport, profile: dp.keepalive, subject: dp },
        ];
      }),
    );
    this.metrics.knowDialPeers(this.config.dialPlan.peers.map((dp) => dp.tag).filter((tag) => tag !== 0));
    this.trustTargets();
  }

  /**
   * Read the configuration again (SIGHUP, `fosip reload`): new calls use the new dial-peers and profiles,
   * calls in progress keep theirs, keepalive state of unchanged dial-peers is kept. Throws when the
   * configuration is invalid (the old one stays).
   */
  reload(): { dialPeers: number } {
    if (this.reloadConfig === undefined)
      throw new SbcError('SBC_ERR_NODE_RELOAD', 'this node was started without a configuration to reload');
    const next = this.reloadConfig();
    this.config = next;
    this.b2bua.reconfigure(this.liveConfig(next));
    this.responder.draining = this.drain.active || (next.settings?.draining ?? false);
    if (next.settings !== undefined) {
      this.security.reconfigure(next.settings);
    }
    this.configureKeepalive();
    this.registrations.configure(next.settings?.sipUa);
    this.statsStore.refresh();
    this.log.info(
      { dialPeers: next.dialPlan.peers.length, draining: this.responder.draining },
      'configuration reloaded',
    );
    return { dialPeers: next.dialPlan.peers.length };
  }

  /** The trunk registration lines and their state (`show sip-ua register status`, metrics). */
  registrationStatus(): RegistrationStatus[] {
    return this.registrations.status();
  }

  /** `show ip address trusted list` and `show sip-ua register status` of this node (admin API, and Redis with each heartbeat). */
  edgeReport(): NodeEdge {
    const node = this.settings.hostname;
    const tlsClientNames = this.settings.tls?.trustedClientNames ?? [];
    return {
      trusted: { node, ...this.security.guard.report(), tlsClientNames },
      registrations: this.registrationStatus().map((r) => ({ ...r, node })),
    };
  }

  /** No RTP for the configured time on an answered call, whichever engine relays it: both legs get BYE. */
  private endSilent(id: string): void {
    if (this.b2bua.clear(id, MEDIA_INACTIVITY.cause, MEDIA_INACTIVITY.text))
      this.log.info({ callId: id }, 'no media: the call was ended');
  }

  /** The jitter of every stream of an ended call that carried media, whichever engine relayed it. */
  private streamsEnded(report: StreamStatsReport[]): void {
    for (const st of report)
      for (const side of [st.a, st.b]) if (side.packets > 1) this.metrics.streamEnded(side.jitterMs);
  }

  /** Live counters of the calls' streams (one call's, or every call's), whichever engine relays them. */
  async mediaStats(id: string | null = null): Promise<MediaStatsByCall> {
    const [own, engine] = await Promise.all([this.media.stats(id), this.b2bua.engineStats(id)]);
    return { ...own, ...engine };
  }

  /** Packets of the calls that have ended (live ones are in mediaStats()), both engines together. */
  closedMediaTotals(): { packets: number; forwarded: number; lost: number } {
    const own = this.media.closedTotals;
    return {
      packets: own.packets + this.engineClosed.packets,
      forwarded: own.forwarded + this.engineClosed.forwarded,
      lost: own.lost + this.engineClosed.lost,
    };
  }

  /** The rtpengine instances this node drives (`show voip rtp engines`), as a NodeInfo field. */
  mediaEngines(): { mediaEngines?: MediaEngineInfo[] } {
    return this.rtpengine === null ? {} : { mediaEngines: this.rtpengine.status() };
  }

  /** This node's RTP port pool (`show voip rtp connections`). */
  rtpPool(): RtpPoolInfo {
    const { minPort, maxPort, available, reserved, inUse } = this.portPool.status();
    return { address: this.mediaAddress, minPort, maxPort, available, reserved, inUse };
  }

  /** This node's SIP counters (`show sip-ua statistics`). */
  sipStats(): SipStatsSnapshot {
    const t = this.transactions.stats;
    return {
      node: this.settings.hostname,
      at: Date.now(),
      ...this.transport.stats.sip,
      retransmissionsIn: t.retransmissionsIn,
      retransmissionsOut: t.retransmissionsOut,
      timeouts: t.timeouts,
    };
  }

  /** `clear sip-ua statistics`. */
  clearSipStats(): void {
    this.transport.stats.sip = newSipCounters();
    this.transactions.stats.retransmissionsIn = 0;
    this.transactions.stats.retransmissionsOut = 0;
    this.transactions.stats.timeouts = 0;
    this.statsStore.refresh();
  }

  health(): Record<string, unknown> {
    return {
      hostname: this.settings.hostname,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      listening: this.listening,
      ...(this.rtpengine === null ? {} : { rtpengine: this.rtpengine.status() }),
      dialPeers: this.dialPlan.peers.length,
      calls: this.callStore.size,
      transactions: this.transactions.openTransactions,
      tcpConnections: this.transport.tcpConnections,
      rtp: { ...this.rtpPool(), sessions: this.media.activeSessions, exhausted: this.media.exhausted },
      sipProfiles: { ...this.b2bua.profiles.counters },
      admission: { overloaded: this.security.admission.isOverloaded, refused: { ...this.security.admission.refused } },
      security: { ...this.security.guard.counters },
    };
  }

  async stop(): Promise<void> {
    this.keepalive.stop();
    this.registrations.stop(true);
    this.metrics.stop();
    this.shedding.stop();
    clearInterval(this.traceTimer);
    this.security.stop();
    this.capture.stop();
    this.transactions.close();
    this.rtpengine?.stop();
    this.dtmfEvents?.close();
    await Promise.all([
      this.transport.close(),
      this.admin?.close(),
      this.bus.close(),
      this.callStore.close(),
      this.media.stop(),
    ]);
    this.log.info('fosip stopped');
  }
}
