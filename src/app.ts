/** The one place that wires everything: transport -> transactions -> transaction user, plus admin HTTP. */
import { pino, type Logger } from 'pino';
import { B2bua } from './b2bua/b2bua.js';
import type { GlobalProfiles } from './b2bua/leg-profiles.js';
import { LocalResponder } from './b2bua/local-responder.js';
import { DialPlan as EmptyPlan } from './routing/dial-plan.js';
import { type CallStore, MemoryCallStore } from './state/call-store.js';
import { RedisCallStore } from './state/redis-call-store.js';
import { MemoryStatsStore, type StatsStore } from './state/stats-store.js';
import { systemClock } from './transaction/clock.js';
import type { Settings } from './config/settings.js';
import type { DialPlan } from './routing/dial-plan.js';
import { SbcError } from './errors.js';
import { AdminServer } from './observability/admin-server.js';
import type { Clock } from './transaction/clock.js';
import { TransactionLayer } from './transaction/transaction-layer.js';
import { type ListenSpec, parseListenSpec } from './transport/listen-spec.js';
import { TransportLayer } from './transport/transport-layer.js';
import { newSipCounters } from './transport/transport-stats.js';
import type { SipStatsSnapshot } from './state/cluster-view.js';
import { VERSION } from './version.js';
import { chooseMediaAddress } from './media/media-address.js';
import { PortPool } from './media/port-pool.js';
import { MediaEngine } from './media/media-engine.js';
import type { RtpPoolInfo } from './state/cluster-view.js';

export { VERSION } from './version.js';

export interface AppOptions {
  log?: Logger;
  clock?: Clock;
  /** The dial plan calls are routed by (the B2BUA consumes it); none means no dial-peers. */
  dialPlan?: DialPlan;
  /** The global SIP profiles (fosip.json `sipProfiles`, `sipProfilesInbound`). */
  profiles?: GlobalProfiles;
}

export class App {
  readonly log: Logger;
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly responder: LocalResponder;
  readonly b2bua: B2bua;
  readonly callStore: CallStore;
  readonly statsStore: StatsStore;
  readonly portPool: PortPool;
  readonly mediaAddress: string;
  /** The RTP relay (idle when every call flows around it). */
  readonly media: MediaEngine;
  private admin: AdminServer | undefined;
  readonly startedAt = Date.now();
  readonly dialPlan: DialPlan | undefined;
  listening: ListenSpec[] = [];
  adminAddress: { address: string; port: number } | undefined;

  private constructor(
    readonly settings: Settings,
    opts: AppOptions,
  ) {
    this.log = opts.log ?? pino({ level: settings.logLevel, redact: ['*.authorization', '*.Authorization'] });
    this.dialPlan = opts.dialPlan;
    this.portPool = new PortPool(settings.media.portMin ?? 8000, settings.media.portMax ?? 48198);
    this.mediaAddress = chooseMediaAddress(settings.media.address, settings.listen.map((l) => parseListenSpec(l).address));
    this.media = new MediaEngine({
      pool: this.portPool, address: this.mediaAddress, workers: settings.media.workers ?? 1, warmStreams: settings.media.warmStreams ?? 8,
      inactivityMs: (settings.media.inactivitySeconds ?? 0) * 1000,
      onInactive: (id) => this.b2bua.mediaInactive(id),
      onDtmf: (id, side, event, durationMs) => this.b2bua.mediaDtmf(id, side, event, durationMs),
      onError: (err) => this.log.error({ err }, 'RTP relay worker failed'),
    });
    this.callStore = settings.redis === null
      ? new MemoryCallStore()
      : new RedisCallStore({
        url: settings.redis, passThrough: settings.redisOptions, node: settings.hostname, log: this.log.child({ component: 'state' }),
        describe: () => ({ rtp: this.rtpPool() }),
      });
    this.transport = new TransportLayer({ log: this.log.child({ component: 'transport' }), limits: settings.transport });
    this.transactions = new TransactionLayer({
      transport: this.transport,
      log: this.log.child({ component: 'transaction' }),
      timers: settings.timers,
      agent: settings.hostname,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.responder = new LocalResponder((req) => this.transactions.tagFor(req), `FoSIP/${VERSION}`);
    this.b2bua = new B2bua({
      transactions: this.transactions,
      transport: this.transport,
      responder: this.responder,
      dialPlan: this.dialPlan ?? new EmptyPlan([]),
      calls: this.callStore,
      clock: opts.clock ?? systemClock,
      log: this.log.child({ component: 'b2bua' }),
      agent: settings.hostname,
      ...(settings.calls.huntStatuses ? { huntStatuses: new Set(settings.calls.huntStatuses) } : {}),
      ...(settings.calls.maxRedirects !== undefined ? { maxRedirects: settings.calls.maxRedirects } : {}),
      ...(settings.calls.errorPassThrough !== undefined ? { errorPassThrough: settings.calls.errorPassThrough } : {}),
      media: { engine: this.media, address: this.mediaAddress, mode: settings.media.mode ?? 'flow-through' },
      ...(opts.profiles ? { profiles: opts.profiles } : {}),
    });
    this.transactions.setUser(this.b2bua);
    if (this.callStore instanceof RedisCallStore) {
      this.callStore.onCommand((cmd) => (cmd.op === 'clear' ? this.b2bua.clear(cmd.id, cmd.cause) : this.clearSipStats()));
      this.statsStore = this.callStore.statsStore();
    } else {
      this.statsStore = new MemoryStatsStore();
    }
    this.statsStore.track(() => this.sipStats());
    this.statsStore.trackMedia(() => this.media.stats());
    const profiles = this.b2bua.profiles;
    if (profiles.active) {
      // SIP profiles: the first step after a message arrives and the last before one leaves
      this.transport.onMessage((msg, flow) => {
        profiles.arrived(msg);
        this.transactions.receive(msg, flow);
      });
      this.transport.onSend((msg) => profiles.leaving(msg));
    } else {
      this.transport.onMessage((msg, flow) => this.transactions.receive(msg, flow));
    }
  }

  static async start(settings: Settings, opts: AppOptions = {}): Promise<App> {
    const specs = settings.listen.map(parseListenSpec);
    const app = new App(settings, opts);
    try {
      app.listening = await app.transport.listen(specs);
      if (settings.admin !== null) {
        app.admin = new AdminServer(app.log.child({ component: 'admin' }), () => app.health(), {
          status: () => [{ node: settings.hostname, alive: true, startedAt: app.startedAt, heartbeatAt: Date.now(), calls: app.callStore.size, rtp: app.rtpPool() }],
          calls: () => app.callStore.list().map((c) => ({ ...c, node: settings.hostname, nodeAlive: true })),
          history: (limit) => app.callStore.history(limit).map((c) => ({ ...c, node: settings.hostname })),
          clear: (id, cause) => app.b2bua.clear(id, cause),
          stats: () => app.sipStats(),
          media: () => app.media.stats(),
          clearStats: () => app.clearSipStats(),
        });
        app.adminAddress = await app.admin.listen(settings.admin);
      }
    } catch (err) {
      await app.stop();
      throw new SbcError('SBC_ERR_LISTEN_BIND', `cannot listen: ${(err as Error).message}`);
    }
    app.log.info({ listen: app.listening, admin: app.adminAddress, hostname: settings.hostname, redis: settings.redis !== null }, 'fosip started');
    return app;
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
      dialPeers: this.dialPlan?.peers.length ?? 0,
      calls: this.callStore.size,
      transactions: this.transactions.openTransactions,
      tcpConnections: this.transport.tcpConnections,
      rtp: { ...this.rtpPool(), sessions: this.media.activeSessions, exhausted: this.media.exhausted },
      sipProfiles: { ...this.b2bua.profiles.counters },
    };
  }

  async stop(): Promise<void> {
    this.transactions.close();
    await Promise.all([this.transport.close(), this.admin?.close(), this.statsStore.close(), this.callStore.close(), this.media.stop()]);
    this.log.info('fosip stopped');
  }
}
