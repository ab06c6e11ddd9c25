/**
 * The observability side of the wiring (app.ts builds the node; this feeds its metrics, the Redis trace
 * channel and packet capture from the node's parts).
 */
import type { Logger } from 'pino';
import type { B2bua } from '../b2bua/b2bua.js';
import type { DialPlan } from '../routing/dial-plan.js';
import type { BuiltinRelay } from '../media/builtin-relay.js';
import type { MediaStatsByCall } from '../state/node-reports.js';
import type { PortPool } from '../media/port-pool.js';
import type { MetricSources } from '../observability/metrics.js';
import { type CaptureOptions, type CaptureStatus, PacketCapture } from '../observability/packet-capture.js';
import type { WirePacket } from '../observability/pcap-writer.js';
import type { SipTracer } from '../observability/sip-trace.js';
import type { CallStore } from '../state/call-store.js';
import type { NodeBus } from '../state/node-bus.js';
import type { RtpengineFleet } from '../media/rtpengine/fleet.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import { COUNTED_METHODS } from '../transport/transport-stats.js';

export interface NodeParts {
  b2bua: B2bua;
  transport: TransportLayer;
  transactions: TransactionLayer;
  callStore: CallStore;
  bus: NodeBus;
  rtpengine: RtpengineFleet | null;
  portPool: PortPool;
  /** The built-in relay: what it shed (load shedding). */
  media: { shed: number };
  mediaStats(): Promise<MediaStatsByCall>;
  closedMediaTotals(): { packets: number; forwarded: number; lost: number };
  readonly dialPlan: DialPlan;
  readonly keepalive: { isUp(tag: number): boolean };
  readonly security: { admission: { refused: Record<string, number> } };
  registrationStatus(): Array<{ registered: boolean }>;
}

/** What /metrics reads when Prometheus scrapes (nothing is counted twice on the hot paths). */
export function metricSources(node: () => NodeParts): MetricSources {
  return {
    callsActive: () => node().b2bua.callCount,
    sipMethods: [...COUNTED_METHODS],
    sipMessages: () => node().transport.stats.sip,
    transactionTimeouts: () => node().transactions.stats.timeouts,
    parseErrors: () => node().transport.stats.parseErrors,
    activeCallsByDialPeer: () => {
      const counts = new Map<string, { tag: number; direction: 'in' | 'out'; calls: number }>();
      const add = (tag: number, direction: 'in' | 'out'): void => {
        const key = `${direction}:${tag}`;
        const row = counts.get(key) ?? { tag, direction, calls: 0 };
        row.calls++;
        counts.set(key, row);
      };
      for (const c of node().callStore.list()) {
        add(c.inboundDialPeer, 'in');
        if (c.outboundDialPeer !== null) add(c.outboundDialPeer, 'out');
      }
      return [...counts.values()];
    },
    admissionRefused: () => node().security.admission.refused,
    registrations: () => {
      const lines = node().registrationStatus();
      const registered = lines.filter((l) => l.registered).length;
      return { registered, failed: lines.length - registered };
    },
    // dial-peer 0 is no configured dial-peer: it has no series
    dialPeers: () =>
      node()
        .dialPlan.peers.filter((dp) => dp.tag !== 0)
        .map((dp) => ({ tag: dp.tag, up: !dp.shutdown && node().keepalive.isUp(dp.tag) })),
    rtpPorts: () => ({ total: 2 * node().portPool.total, inUse: 2 * node().portPool.inUse }), // pairs: an RTP and an RTCP port each
    rtpShed: () => node().media.shed,
    rtpPackets: async () => {
      const t = node().closedMediaTotals();
      const live = { in: t.packets, out: t.forwarded, lost: t.lost };
      for (const streams of Object.values(await node().mediaStats())) {
        for (const st of streams) {
          for (const side of [st.a, st.b]) {
            live.in += side.packets;
            live.out += side.forwarded;
            live.lost += Math.max(0, side.lost);
          }
        }
      }
      return live;
    },
    stateErrors: () => node().bus.errors,
    mediaEngines: () => node().rtpengine?.status() ?? [],
  };
}

/**
 * `debug ccsip messages --redis`: once a second the node asks the bus whether anybody subscribes to the
 * trace channel, and publishes its messages only while somebody does. Returns the timer to clear.
 */
export function traceToBus(store: NodeBus, tracer: SipTracer): NodeJS.Timeout {
  let stop: (() => void) | null = null;
  const timer = setInterval(() => {
    store.traceSubscribers().then(
      (n) => {
        if (n > 0 && stop === null) stop = tracer.listen((ev) => store.publishTrace(JSON.stringify(ev)));
        else if (n === 0 && stop !== null) {
          stop();
          stop = null;
        }
      },
      () => undefined,
    );
  }, 1000);
  timer.unref();
  return timer;
}

/** `monitor capture`: at most one capture at a time; SIP from the transport hooks, RTP from the relay. */
export class CaptureControl {
  private capture: PacketCapture | null = null;

  constructor(
    private readonly media: BuiltinRelay,
    private readonly log: Logger,
  ) {}

  /** Whether a packet of this call (null: of none) is wanted now. */
  wants(call: string | null, media: boolean): boolean {
    return this.capture?.wants(call, media) === true;
  }

  write(p: WirePacket): void {
    this.capture?.write(p);
  }

  /** A capture replaces the one running (if any); one whose file cannot be written throws and changes nothing. */
  start(options: CaptureOptions): CaptureStatus {
    const capture = new PacketCapture(options, () => {
      if (options.media) this.media.capture(false);
      if (this.capture === capture) this.log.info({ capture: capture.status() }, 'packet capture ended');
    });
    this.stop();
    this.capture = capture;
    if (options.media) this.media.capture(true, options.call);
    this.log.info({ capture: options }, 'packet capture started');
    return capture.status();
  }

  /** The last status of the capture (null: none ran). */
  stop(): CaptureStatus | null {
    const c = this.capture;
    c?.stop();
    return c?.status() ?? null;
  }

  status(): CaptureStatus | null {
    return this.capture?.status() ?? null;
  }
}
