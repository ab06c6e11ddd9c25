/**
 * The SBC's Prometheus metrics (prom-client, one registry per node, served on the admin server's
 * `/metrics`). Counters the stack keeps anyway (SIP messages, timeouts, parse errors, RTP totals) are read
 * when Prometheus scrapes, so the hot paths pay nothing; calls are counted as they end. Labels stay
 * bounded: an outcome, a dial-peer tag, a direction, a method or status class; never a call, number or URI.
 */
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * prom-client's default Node metrics (process CPU, memory, file descriptors, handles, heap, event loop
 * lag, version), except `nodejs_gc_duration_seconds`: its GC observer made every garbage collection dearer
 * and cost the SBC about 6 % CPU per call in bench:cps (35 % in an allocation-heavy loop), all for a
 * histogram the heap metrics mostly tell already.
 */
const DEFAULT_METRICS = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
];
/** Every outcome of outcomeOf(), so that each series exists (at 0) before the first call. */
const OUTCOMES = ['answered', 'cancelled', 'rejected', 'failed_4xx', 'failed_5xx', 'failed_6xx'];
/** The status classes sbc_sip_messages_total has from the start, with the counted methods (MetricSources). */
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', '6xx'];
/** Why the downstream shield kept a header back (b2bua/header-shield.ts ShieldDrop). */
const SHIELD_REASONS = ['too-long', 'too-many', 'malformed', 'inside-address'];

const load = createRequire(import.meta.url);

function collectNodeMetrics(register: Registry): void {
  for (const name of DEFAULT_METRICS) {
    if (
      name === 'processResources' &&
      typeof (process as { getActiveResourcesInfo?: unknown }).getActiveResourcesInfo !== 'function'
    )
      continue;
    const metric = load(`prom-client/lib/metrics/${name}`) as (
      r: Registry,
      config: { eventLoopMonitoringPrecision: number },
    ) => void;
    metric(register, { eventLoopMonitoringPrecision: 20 });
  }
}

/** What the metrics read at scrape time (the app hands these in: this leaf knows no stack layer). */
export interface MetricSources {
  callsActive(): number;
  /** The methods SIP messages are counted by (others count as OTHER): their series exist from the start. */
  readonly sipMethods: readonly string[];
  /** SIP messages by direction: requests by method, responses by status class (`2xx`). */
  sipMessages(): {
    requestsIn: Record<string, number>;
    requestsOut: Record<string, number>;
    responsesIn: Record<string, number>;
    responsesOut: Record<string, number>;
  };
  transactionTimeouts(): number;
  parseErrors(): number;
  /** Live calls per dial-peer tag and direction (inbound dial-peer: `in`, outbound: `out`). */
  activeCallsByDialPeer(): Array<{ tag: number; direction: 'in' | 'out'; calls: number }>;
  rtpPorts(): { total: number; inUse: number };
  /** New calls refused by admission control, by reason (`callThreshold`, draining). */
  admissionRefused(): Record<string, number>;
  /** The trunk registration lines (`sipUa.registrar`): how many are registered and how many not. */
  registrations(): { registered: number; failed: number };
  /** Every configured dial-peer: whether it may take calls (not shut down, not busied out by keepalive). */
  dialPeers(): Array<{ tag: number; up: boolean }>;
  /** RTP packets received from and sent to the legs, and lost, since start (closed and live sessions). */
  rtpPackets(): Promise<{ in: number; out: number; lost: number }>;
  /** RTP packets the built-in relay dropped because it fell behind (load shedding). */
  rtpShed(): number;
  stateErrors(): number;
  /** The rtpengine instances (empty without any): up, their weight, this node's calls on them, times taken out. */
  mediaEngines(): Array<{ ng: string; up: boolean; sessions: number; downs: number }>;
}

/** What a call that ended tells the metrics. */
export interface EndedCall {
  /** When it arrived, was answered and ended (ms); connectedAt null: never answered. */
  startedAt: number;
  connectedAt: number | null;
  finalStatus: number | null;
  releasedBy: 'caller' | 'callee' | 'sbc' | null;
  /** Whether an outbound leg was ever tried (a call the SBC refused never left it). */
  left: boolean;
  inboundDialPeer: number;
  outboundDialPeer: number | null;
}

/** answered, cancelled, rejected (by the SBC: no route, limits, codecs, blocks), or failed_<class> (the far side, timeouts). */
export function outcomeOf(c: EndedCall): string {
  if (c.connectedAt !== null) return 'answered';
  if (c.finalStatus === 487 && c.releasedBy === 'caller') return 'cancelled';
  if (!c.left) return 'rejected';
  return `failed_${Math.floor((c.finalStatus ?? 500) / 100)}xx`;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly callsTotal: Counter;
  private readonly setup: Histogram;
  private readonly perDialPeer: Counter;
  /** The dial-peers of the running configuration (their series exist at 0 before their first call). */
  private dialPeerTags: readonly number[] = [];
  private readonly jitter: Histogram;
  private readonly heldBack: Counter;
  private readonly loop = monitorEventLoopDelay({ resolution: 20 });

  constructor(
    sources: MetricSources,
    private readonly enabled = true,
  ) {
    // disabled (fosip.json "metrics": false): the metrics exist, empty, and nothing is counted
    const registers = enabled ? [this.registry] : [];
    if (enabled) {
      collectNodeMetrics(this.registry);
      this.loop.enable();
    }
    new Gauge({
      name: 'sbc_dialpeer_up',
      help: 'Dial-peer usable (1) or shut down or busied out by OPTIONS keepalive (0); 1 without keepalive',
      labelNames: ['tag'],
      registers,
      collect() {
        this.reset();
        for (const dp of sources.dialPeers()) this.set({ tag: String(dp.tag) }, dp.up ? 1 : 0);
      },
    });
    this.callsTotal = new Counter({
      name: 'sbc_calls_total',
      help: 'Calls ended, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of OUTCOMES) this.callsTotal.inc({ outcome }, 0);
    this.setup = new Histogram({
      name: 'sbc_call_setup_seconds',
      help: 'From the INVITE to the answer, observed when a call is answered',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.perDialPeer = new Counter({
      name: 'sbc_calls_per_dialpeer_total',
      help: 'Calls ended, by inbound (in) and outbound (out) dial-peer',
      labelNames: ['tag', 'direction'],
      registers,
    });
    this.jitter = new Histogram({
      name: 'sbc_rtp_jitter_seconds',
      help: 'Interarrival jitter of each relayed stream leg at its end (RFC 3550)',
      buckets: [0.001, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2],
      registers,
    });
    new Gauge({
      name: 'sbc_calls_active',
      help: 'Calls in progress',
      registers,
      collect() {
        this.set(sources.callsActive());
      },
    });
    new Counter({
      name: 'sbc_sip_messages_total',
      help: 'SIP messages, by direction, kind and method or status class',
      labelNames: ['direction', 'kind', 'method_or_class'],
      registers,
      collect() {
        const m = sources.sipMessages();
        this.reset();
        for (const direction of ['in', 'out']) {
          for (const method of sources.sipMethods) this.inc({ direction, kind: 'request', method_or_class: method }, 0);
          for (const c of CLASSES) this.inc({ direction, kind: 'response', method_or_class: c }, 0);
        }
        const add = (direction: string, kind: string, table: Record<string, number>): void => {
          for (const [key, n] of Object.entries(table)) this.inc({ direction, kind, method_or_class: key }, n);
        };
        add('in', 'request', m.requestsIn);
        add('out', 'request', m.requestsOut);
        add('in', 'response', m.responsesIn);
        add('out', 'response', m.responsesOut);
      },
    });
    const total = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    total('sbc_sip_transaction_timeouts_total', 'SIP transactions that timed out (Timer B, F, H)', () =>
      sources.transactionTimeouts(),
    );
    total('sbc_sip_parse_errors_total', 'SIP messages that could not be parsed (dropped or answered 400)', () =>
      sources.parseErrors(),
    );
    new Counter({
      name: 'sbc_admission_rejected_total',
      help: 'New calls refused with 503 by admission control, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(sources.admissionRefused())) this.inc({ reason }, n);
      },
    });
    new Gauge({
      name: 'sbc_registrations',
      help: 'Trunk registration lines by state (registered, failed: not registered now)',
      labelNames: ['state'],
      registers,
      collect() {
        const r = sources.registrations();
        this.set({ state: 'registered' }, r.registered);
        this.set({ state: 'failed' }, r.failed);
      },
    });
    total('sbc_state_errors_total', 'Call-state store (Redis) errors; calls go on', () => sources.stateErrors());
    // the fleet is a handful of configured instances: a bounded label
    const perEngine = (
      name: string,
      help: string,
      value: (e: ReturnType<MetricSources['mediaEngines']>[number]) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['engine'],
        registers,
        collect() {
          this.reset();
          for (const e of sources.mediaEngines()) this.set({ engine: e.ng }, value(e));
        },
      });
    perEngine('sbc_media_engine_up', 'Whether an rtpengine instance answers (1) or is out of the fleet (0)', (e) =>
      e.up ? 1 : 0,
    );
    perEngine('sbc_media_engine_sessions', "This node's calls on an rtpengine instance", (e) => e.sessions);
    const knownDialPeers = (): readonly number[] => this.dialPeerTags;
    new Gauge({
      name: 'sbc_dialpeer_active_calls',
      help: 'Calls in progress per dial-peer and direction',
      labelNames: ['tag', 'direction'],
      registers,
      collect() {
        this.reset();
        // every known dial-peer at 0 first: a panel or alert on a quiet dial-peer reads 0, not nothing
        for (const tag of knownDialPeers())
          for (const direction of ['in', 'out']) this.set({ tag: String(tag), direction }, 0);
        for (const r of sources.activeCallsByDialPeer())
          this.set({ tag: String(r.tag), direction: r.direction }, r.calls);
      },
    });
    new Gauge({
      name: 'sbc_rtp_ports',
      help: 'UDP ports in the RTP pool (RTP and RTCP)',
      registers,
      collect() {
        this.set(sources.rtpPorts().total);
      },
    });
    new Gauge({
      name: 'sbc_rtp_ports_in_use',
      help: 'UDP ports of the RTP pool in use by calls',
      registers,
      collect() {
        this.set(sources.rtpPorts().inUse);
      },
    });
    // the relay workers are asked once per scrape, for both RTP counters
    let packets: { at: number; read: Promise<{ in: number; out: number; lost: number }> } | null = null;
    const rtpPackets = (): Promise<{ in: number; out: number; lost: number }> => {
      if (packets === null || Date.now() - packets.at > 500) packets = { at: Date.now(), read: sources.rtpPackets() };
      return packets.read;
    };
    new Counter({
      name: 'sbc_rtp_packets_total',
      help: 'RTP/RTCP packets relayed, received from (in) and sent to (out) the legs',
      labelNames: ['direction'],
      registers,
      async collect() {
        const p = await rtpPackets();
        this.reset();
        this.inc({ direction: 'in' }, p.in);
        this.inc({ direction: 'out' }, p.out);
      },
    });
    new Counter({
      name: 'sbc_rtp_shed_packets_total',
      help: 'RTP packets the built-in relay dropped instead of relaying late (it was behind: media.shedAfterMs)',
      registers,
      collect() {
        this.reset();
        this.inc(sources.rtpShed());
      },
    });
    new Counter({
      name: 'sbc_rtp_packets_lost_total',
      help: 'RTP packets lost on the way to the SBC (from sequence numbers)',
      registers,
      async collect() {
        const p = await rtpPackets();
        this.reset();
        this.inc(p.lost);
      },
    });
    this.heldBack = new Counter({
      name: 'sbc_shield_headers_dropped_total',
      help: 'Copied headers the downstream shield kept from the other leg, by reason',
      labelNames: ['reason'],
      registers,
    });
    // every reason exists from the start, so that a rate() over it has a series before the first drop
    for (const reason of SHIELD_REASONS) this.heldBack.inc({ reason }, 0);
    const loop = this.loop;
    new Gauge({
      name: 'sbc_event_loop_lag_seconds',
      help: 'Event loop delay of the SIP thread, 99th percentile since the last scrape',
      registers,
      collect() {
        this.set(Number.isFinite(loop.percentile(99)) ? loop.percentile(99) / 1e9 : 0);
        loop.reset();
      },
    });
  }

  /** The dial-peers of the configuration (at start and on each reload): their series exist from then on, at 0. */
  knowDialPeers(tags: number[]): void {
    this.dialPeerTags = tags;
    for (const tag of tags)
      for (const direction of ['in', 'out']) this.perDialPeer.inc({ tag: String(tag), direction }, 0);
  }

  /** A call was answered `setupMs` after its INVITE (observed now, not when it ends: the panel keeps up). */
  callAnswered(setupMs: number): void {
    if (this.enabled) this.setup.observe(setupMs / 1000);
  }

  callEnded(c: EndedCall): void {
    if (!this.enabled) return;
    this.callsTotal.inc({ outcome: outcomeOf(c) });
    this.perDialPeer.inc({ tag: String(c.inboundDialPeer), direction: 'in' });
    if (c.outboundDialPeer !== null) this.perDialPeer.inc({ tag: String(c.outboundDialPeer), direction: 'out' });
  }

  /** The shield kept a copied header from the other leg (too long, one too many, malformed, an inside address). */
  headerHeldBack(reason: string): void {
    if (this.enabled) this.heldBack.inc({ reason });
  }

  /** A relayed stream leg ended with this interarrival jitter (ms). */
  streamEnded(jitterMs: number): void {
    if (!this.enabled) return;
    this.jitter.observe(jitterMs / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  stop(): void {
    this.loop.disable();
  }
}
