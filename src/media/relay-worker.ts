/**
 * A relay worker thread: it owns the sockets of the sessions the engine gives it, so RTP never waits for
 * SIP work on the main event loop (and SIP never waits for RTP). It speaks only relay-protocol messages.
 */
import { SbcError } from '../errors/sbc-error.js';
import { parentPort, workerData } from 'node:worker_threads';
import { loadNativeForwarder } from './native-forwarder.js';
import type { CapturedPacket, FromWorker, RelayWorkerData, StreamStatsReport, ToWorker } from './relay-protocol.js';
import { BindError, RelaySession } from './relay-session.js';
import { type FastPath, type WarmPair, bindWarm, closeWarm } from './relay-side.js';

const port = parentPort;
if (port === null) throw new SbcError('SBC_ERR_MEDIA_SESSION', 'relay-worker runs as a worker thread');
const options = workerData as RelayWorkerData;

/** The native fast path when it was built and not turned off: RTP then never enters JavaScript. */
const forwarder = options.forwarder === 'dgram' ? null : loadNativeForwarder();
const fast: FastPath | null = forwarder === null ? null : { forwarder, sides: new Map() };
fast?.forwarder.start(
  (kind, side, bytes, address, port) => fast.sides.get(side)?.(kind, bytes, address, port),
  options.shedAfterMs,
);

const sessions = new Map<string, RelaySession>();
/** Ports bound ahead of need, by RTP port: a session opened on them takes the sockets as they are. */
const warm = new Map<number, WarmPair>();
const takeWarm = (port: number): WarmPair | undefined => {
  const pair = warm.get(port);
  warm.delete(port);
  return pair;
};
const post = (m: FromWorker): void => port.postMessage(m);

/** `monitor capture --media`: which sessions copy their packets (all, one, none), batched to the engine. */
let capturing: { id: string | null } | null = null;
let captured: CapturedPacket[] = [];
let flushTimer: NodeJS.Timeout | null = null;
const captureInto = (s: RelaySession): void => {
  s.capture =
    capturing !== null && (capturing.id === null || capturing.id === s.id)
      ? (src, dst, bytes) => void captured.push({ at: Date.now(), src, dst, bytes, id: s.id })
      : null;
};
const flushCaptured = (): void => {
  if (captured.length > 0) post({ op: 'captured', packets: captured });
  captured = [];
};

port.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'capture':
      capturing = m.on ? { id: m.id } : null;
      for (const s of sessions.values()) captureInto(s);
      if (flushTimer !== null) clearInterval(flushTimer);
      flushTimer = m.on ? setInterval(flushCaptured, 100) : null;
      if (!m.on) flushCaptured();
      return;
    case 'warm':
      void Promise.all(m.ports.map((p) => bindWarm(p, m.address, warm, forwarder))).then((ok) => {
        post({ op: 'warmed', ports: m.ports.filter((_, i) => ok[i]), busyPorts: m.ports.filter((_, i) => !ok[i]) });
      });
      return;
    case 'cool':
      for (const p of m.ports) {
        const pair = takeWarm(p);
        if (pair !== undefined) closeWarm(pair, forwarder);
      }
      post({ op: 'cooled', ports: m.ports });
      return;
    case 'open':
      // a warm open is not waited for: its answer matters only if it failed (see BuiltinRelay)
      RelaySession.open(
        m.spec,
        Date.now,
        (side, event, durationMs) => post({ op: 'dtmf', id: m.spec.id, side, event, durationMs }),
        takeWarm,
        fast,
      ).then(
        (s) => {
          sessions.set(s.id, s);
          captureInto(s);
          post({ op: 'opened', req: m.req, id: s.id, ok: true });
        },
        (err: unknown) =>
          post({
            op: 'opened',
            req: m.req,
            id: m.spec.id,
            ok: false,
            busyPorts: err instanceof BindError ? err.busyPorts : [],
            error: String(err),
          }),
      );
      return;
    case 'add': {
      const s = sessions.get(m.id);
      if (s === undefined) {
        post({ op: 'opened', req: m.req, id: m.id, ok: false, busyPorts: [], error: 'no such session' });
        return;
      }
      s.add(m.streams).then(
        () => post({ op: 'opened', req: m.req, id: m.id, ok: true }),
        (err: unknown) =>
          post({
            op: 'opened',
            req: m.req,
            id: m.id,
            ok: false,
            busyPorts: err instanceof BindError ? err.busyPorts : [],
            error: String(err),
          }),
      );
      return;
    }
    case 'map-pt':
      sessions.get(m.id)?.mapPayloadType(m.stream, m.side, m.from, m.to);
      return;
    case 'update':
      sessions.get(m.id)?.update(m.stream, m.side, m.remote, m.remoteRtcp, m.opaque);
      return;
    case 'dtmf':
      sessions.get(m.id)?.detectDtmf(m.stream, m.side, m.pt);
      return;
    case 'inject-dtmf':
      sessions.get(m.id)?.injectDtmf(m.stream, m.side, m.event, m.durationMs, m.pt);
      return;
    case 'watch': {
      const s = sessions.get(m.id);
      if (s !== undefined) s.watch(m.inactivityMs, m.holdInactivityMs);
      return;
    }
    case 'hold': {
      const s = sessions.get(m.id);
      if (s !== undefined) s.held = m.held;
      return;
    }
    case 'close': {
      const s = sessions.get(m.id);
      s?.close();
      sessions.delete(m.id);
      post({ op: 'closed', id: m.id, report: s?.report() ?? [] });
      return;
    }
    case 'stats': {
      const out: Record<string, StreamStatsReport[]> = {};
      for (const s of m.id === null ? sessions.values() : [sessions.get(m.id)].filter((x) => x !== undefined))
        out[s.id] = s.report();
      post({ op: 'stats', request: m.request, sessions: out });
      return;
    }
  }
});

/**
 * Media inactivity: a session with no RTP or RTCP from either leg for its limit is reported once; a call on
 * hold has a limit of its own (0: a held call is never ended for silence).
 */
let shedReported = 0;
const check = setInterval(() => {
  const now = Date.now();
  const shed = forwarder?.shed() ?? 0;
  if (shed > shedReported) post({ op: 'shed', packets: shed - shedReported });
  shedReported = shed;
  for (const s of sessions.values()) {
    const limit = s.held ? s.holdInactivityMs : s.inactivityMs;
    if (limit > 0 && now - s.lastActivity() > limit) {
      s.lastPacketAt = Number.POSITIVE_INFINITY; // report once; the engine closes it
      post({ op: 'inactive', id: s.id });
    }
  }
}, 250);
check.unref();
