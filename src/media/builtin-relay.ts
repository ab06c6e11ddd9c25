/**
 * The media engine on the main thread: it takes ports from the pool, hands each call's session to the
 * least loaded relay worker, and gives the ports back once the worker has closed the sockets. Ports that
 * another process holds are set aside (reserved) and the session is retried on fresh ones.
 */
import { SbcError } from '../errors/sbc-error.js';
import { Worker } from 'node:worker_threads';
import type {
  Endpoint,
  FromWorker,
  RelayWorkerData,
  SessionSpec,
  StreamSpec,
  StreamStatsReport,
  ToWorker,
} from './relay-protocol.js';
import {
  type BuiltinRelayOptions,
  DEFAULT_SHED_AFTER_MS,
  type OpenedStream,
  type StreamRequest,
} from './builtin-relay-options.js';

export type { BuiltinRelayOptions, OpenedStream, StreamRequest } from './builtin-relay-options.js';

interface Relay {
  worker: Worker;
  sessions: number;
  /** RTP ports the worker has bound ahead of need, and those it is binding now. */
  warm: number[];
  warming: Set<number>;
  /** Who waits for the worker to close its warm ports again (see cool()). */
  cooled: (() => void) | null;
  /** Who waits for the ports being warmed now. */
  warmedWaiters: Array<() => void>;
}

const BIND_ATTEMPTS = 4;

export class BuiltinRelay {
  private readonly relays: Relay[] = [];
  private readonly sessions = new Map<string, { relay: Relay; ports: number[] }>();
  /** Sessions (or added streams) whose ports a relay is binding: who waits for the answer; `req` tells it from a late warm open's. */
  private readonly opening = new Map<
    string,
    { relay: Relay; req: number; resolve: (m: Extract<FromWorker, { op: 'opened' }>) => void }
  >();
  private lastReq = 0;
  private readonly adding = new Map<string, Promise<void>>();
  private readonly closing = new Map<string, () => void>();
  private readonly statsWaiting = new Map<
    number,
    { left: number; out: Record<string, StreamStatsReport[]>; done: (r: Record<string, StreamStatsReport[]>) => void }
  >();
  private nextRequest = 1;
  private stopped = false;
  /** Sessions refused because the port pool had no pairs left (the caller got 503). */
  exhausted = 0;
  /** Packets dropped because a worker fell behind (they waited past shedAfterMs, or could not be sent). */
  shed = 0;
  /** Packets of the sessions closed so far (live sessions are in stats()). */
  readonly closedTotals = { packets: 0, forwarded: 0, dropped: 0, lost: 0, sessions: 0 };

  constructor(private readonly o: BuiltinRelayOptions) {
    for (let i = 0; i < Math.max(1, o.workers ?? 1); i++) this.relays.push(this.spawn());
  }

  private spawn(): Relay {
    const relay: Relay = {
      worker: new Worker(new URL('./relay-worker.js', import.meta.url), {
        workerData: {
          forwarder: this.o.forwarder ?? 'native',
          shedAfterMs: this.o.shedAfterMs ?? DEFAULT_SHED_AFTER_MS,
        } satisfies RelayWorkerData,
      }),
      sessions: 0,
      warm: [],
      warming: new Set(),
      cooled: null,
      warmedWaiters: [],
    };
    relay.worker.on('message', (m: FromWorker) => this.onMessage(m, relay));
    relay.worker.on('error', (err) => this.o.onError?.(err));
    relay.worker.on('exit', () => this.lost(relay));
    this.warmUp(relay);
    return relay;
  }

  /** Have the worker bind ports ahead of need, up to its share (two per stream: one facing each leg). */
  private warmUp(relay: Relay): void {
    const want = 2 * (this.o.warmStreams ?? 8) - relay.warm.length - relay.warming.size;
    if (want <= 0 || this.stopped || relay.cooled !== null) return;
    const ports: number[] = [];
    for (let i = 0; i < want; i++) {
      const p = this.o.pool.acquire(true);
      if (p === null) break;
      ports.push(p);
    }
    if (ports.length === 0) return;
    for (const p of ports) relay.warming.add(p);
    this.post(relay, { op: 'warm', address: this.o.address, ports });
  }

  private warmed(relay: Relay, m: Extract<FromWorker, { op: 'warmed' }>): void {
    for (const p of [...m.ports, ...m.busyPorts]) relay.warming.delete(p);
    for (const p of m.busyPorts) this.o.pool.reserve(p); // another process holds it: set aside, try others
    relay.warm.push(...m.ports);
    if (relay.warming.size === 0) for (const w of relay.warmedWaiters.splice(0)) w();
    if (m.busyPorts.length > 0) this.warmUp(relay);
  }

  /** Resolves once every worker has bound the warm ports it was asked for (none is being warmed). */
  async allWarm(): Promise<void> {
    await Promise.all(
      this.relays
        .filter((r) => r.warming.size > 0)
        .map((r) => new Promise<void>((resolve) => r.warmedWaiters.push(resolve))),
    );
  }

  /** The pool ran dry: every worker closes its warm ports, and they go back to the pool for the slow path. */
  private async cool(): Promise<void> {
    await this.allWarm();
    await Promise.all(
      this.relays
        .filter((r) => r.warm.length > 0 && r.cooled === null)
        .map(
          (relay) =>
            new Promise<void>((resolve) => {
              const ports = relay.warm.splice(0);
              relay.cooled = () => {
                relay.cooled = null;
                for (const p of ports) this.o.pool.release(p);
                resolve();
              };
              this.post(relay, { op: 'cool', ports });
            }),
        ),
    );
  }

  /** A worker died: its calls lost their media; free their ports, report them, start a new worker. */
  private lost(relay: Relay): void {
    if (this.stopped) return;
    for (const [id, w] of this.opening) {
      if (w.relay === relay)
        w.resolve({ op: 'opened', req: w.req, id, ok: false, busyPorts: [], error: 'the relay worker stopped' });
    }
    for (const [id, s] of this.sessions) {
      if (s.relay !== relay) continue;
      this.sessions.delete(id);
      for (const p of s.ports) this.o.pool.release(p);
      this.o.onInactive?.(id);
    }
    for (const p of [...relay.warm, ...relay.warming]) this.o.pool.release(p);
    relay.cooled?.();
    for (const w of relay.warmedWaiters.splice(0)) w();
    this.relays.splice(this.relays.indexOf(relay), 1, this.spawn());
  }

  private onMessage(m: FromWorker, relay: Relay): void {
    switch (m.op) {
      case 'captured':
        this.o.onCaptured?.(m.packets);
        return;
      case 'warmed':
        this.warmed(relay, m);
        return;
      case 'cooled':
        relay.cooled?.();
        return;
      case 'opened': {
        const waiting = this.opening.get(m.id);
        if (waiting !== undefined && waiting.req === m.req) waiting.resolve(m);
        else if (!m.ok && this.sessions.has(m.id)) {
          // a session opened on warm ports, not waited for, failed after all: its call has no media
          this.o.onError?.(new SbcError('SBC_ERR_MEDIA_SESSION', `media session ${m.id}: ${m.error}`));
          this.o.onInactive?.(m.id);
        }
        return;
      }
      case 'closed':
        for (const st of m.report) {
          for (const side of [st.a, st.b]) {
            this.closedTotals.packets += side.packets;
            this.closedTotals.forwarded += side.forwarded;
            this.closedTotals.dropped += side.dropped;
            this.closedTotals.lost += Math.max(0, side.lost);
          }
        }
        this.closedTotals.sessions++;
        this.o.onClosed?.(m.report);
        this.closing.get(m.id)?.();
        return;
      case 'inactive':
        if (this.sessions.has(m.id)) this.o.onInactive?.(m.id);
        return;
      case 'shed':
        this.shed += m.packets;
        this.o.onShed?.(m.packets);
        return;
      case 'dtmf':
        if (this.sessions.has(m.id)) this.o.onDtmf?.(m.id, m.side, m.event, m.durationMs);
        return;
      case 'stats': {
        const w = this.statsWaiting.get(m.request);
        if (w === undefined) return;
        Object.assign(w.out, m.sessions);
        if (--w.left === 0) {
          this.statsWaiting.delete(m.request);
          w.done(w.out);
        }
      }
    }
  }

  private post(relay: Relay, m: ToWorker): void {
    relay.worker.postMessage(m);
  }

  get activeSessions(): number {
    return this.sessions.size;
  }

  /** Open a session; null when the port pool cannot give every stream its two ports. */
  async open(id: string, streams: StreamRequest[]): Promise<OpenedStream[] | null> {
    if (this.sessions.has(id) || this.opening.has(id))
      throw new SbcError('SBC_ERR_MEDIA_SESSION', `media session ${id} exists`);
    const warm = this.openWarm(id, streams);
    if (warm !== null) return warm;
    const relay = this.leastLoaded();
    const bound = await this.bind(id, relay, streams, (opened, req) => ({
      op: 'open',
      req,
      spec: this.spec(id, streams, opened),
    }));
    if (bound === null) return null;
    relay.sessions++;
    this.sessions.set(id, { relay, ports: bound.ports });
    return bound.opened;
  }

  /**
   * A session on the ports it had before (a call taken back after a restart: its far ends keep sending to
   * them). Warm ports are given back first if they are among them. Null when one is not free or cannot be bound.
   */
  async openAt(id: string, streams: StreamRequest[], at: OpenedStream[]): Promise<OpenedStream[] | null> {
    if (this.sessions.has(id) || this.opening.has(id))
      throw new SbcError('SBC_ERR_MEDIA_SESSION', `media session ${id} exists`);
    const ports = at.flatMap((o) => [o.aPort, o.bPort]);
    if (this.relays.some((r) => ports.some((p) => r.warm.includes(p) || r.warming.has(p)))) await this.cool();
    const taken = ports.filter((p) => this.o.pool.take(p));
    if (taken.length !== ports.length) {
      for (const p of taken) this.o.pool.release(p);
      return null;
    }
    const relay = this.leastLoaded();
    const bound = await this.bind(
      id,
      relay,
      streams,
      (_, req) => ({ op: 'open', req, spec: this.spec(id, streams, at) }),
      ports,
    ).catch(() => null);
    if (bound === null) return null;
    relay.sessions++;
    this.sessions.set(id, { relay, ports });
    for (const r of this.relays) this.warmUp(r);
    return at;
  }

  /**
   * The fast way: a worker with enough warm ports takes the session on them and nobody waits for it (SIP
   * goes on at once, however busy the worker is relaying). Null when no worker has enough.
   */
  private openWarm(id: string, streams: StreamRequest[]): OpenedStream[] | null {
    const need = 2 * streams.length;
    const relay = this.relays
      .filter((r) => r.warm.length >= need)
      .reduce<Relay | null>((best, r) => (best === null || r.sessions < best.sessions ? r : best), null);
    if (relay === null) return null;
    const ports = relay.warm.splice(0, need);
    for (const p of ports) this.o.pool.use(p);
    const opened = streams.map((s, i) => ({
      stream: s.stream,
      aPort: ports[2 * i] as number,
      bPort: ports[2 * i + 1] as number,
    }));
    this.post(relay, { op: 'open', req: ++this.lastReq, warm: true, spec: this.spec(id, streams, opened) });
    relay.sessions++;
    this.sessions.set(id, { relay, ports });
    this.warmUp(relay);
    return opened;
  }

  private leastLoaded(): Relay {
    return this.relays.reduce((best, r) => (r.sessions < best.sessions ? r : best));
  }

  private spec(id: string, streams: StreamRequest[], opened: OpenedStream[]): SessionSpec {
    return {
      id,
      address: this.o.address,
      latch: this.o.latch ?? 'any',
      inactivityMs: 0,
      streams: this.sides(streams, opened),
    };
  }

  private sides(streams: StreamRequest[], opened: OpenedStream[]): StreamSpec[] {
    return streams.map((s, i) => ({
      stream: s.stream,
      clockRate: s.clockRate,
      a: { localPort: opened[i]?.aPort ?? 0, ...s.a },
      b: { localPort: opened[i]?.bPort ?? 0, ...s.b },
    }));
  }

  /**
   * More streams for an open session (a re-offer added m-lines); null when the pool has no ports for them
   * or the session is gone. A close() meanwhile waits for this to finish, so no port is lost.
   */
  add(id: string, streams: StreamRequest[]): Promise<OpenedStream[] | null> {
    const s = this.sessions.get(id);
    if (s === undefined) return Promise.resolve(null);
    const before = this.adding.get(id) ?? Promise.resolve();
    const done = before.then(async () => {
      if (this.sessions.get(id) !== s) return null;
      const bound = await this.bind(id, s.relay, streams, (opened, req) => ({
        op: 'add',
        req,
        id,
        streams: this.sides(streams, opened),
      }));
      if (bound === null) return null;
      s.ports.push(...bound.ports);
      return bound.opened;
    });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.adding.set(id, settled);
    void settled.then(() => {
      if (this.adding.get(id) === settled) this.adding.delete(id);
    });
    return done;
  }

  /**
   * The slow way: take two ports per stream from the pool and wait for the relay to bind them; ports
   * another process holds are set aside and fresh ones tried. Null when the pool runs out.
   */
  private async bind(
    id: string,
    relay: Relay,
    streams: StreamRequest[],
    message: (opened: OpenedStream[], req: number) => ToWorker,
    fixed?: number[],
  ): Promise<{ opened: OpenedStream[]; ports: number[] } | null> {
    for (let attempt = 0; attempt < (fixed ? 1 : BIND_ATTEMPTS); attempt++) {
      const ports = fixed ?? (await this.take(2 * streams.length));
      if (ports === null) {
        this.exhausted++;
        return null;
      }
      const opened = streams.map((s, i) => ({
        stream: s.stream,
        aPort: ports[2 * i] as number,
        bPort: ports[2 * i + 1] as number,
      }));
      const reply = await new Promise<Extract<FromWorker, { op: 'opened' }>>((resolve) => {
        const req = ++this.lastReq;
        this.opening.set(id, { relay, req, resolve });
        this.post(relay, message(opened, req));
      });
      this.opening.delete(id);
      if (reply.ok) return { opened, ports };
      for (const p of ports) {
        if (reply.busyPorts.includes(p)) this.o.pool.reserve(p);
        else this.o.pool.release(p);
      }
      if (reply.busyPorts.length === 0)
        throw new SbcError('SBC_ERR_MEDIA_SESSION', `media session ${id}: ${reply.error}`);
    }
    return null;
  }

  /** `count` ports from the pool; when it has too few, the warm ones come back to it first. Null: not enough. */
  private async take(count: number): Promise<number[] | null> {
    for (let round = 0; round < 2; round++) {
      const ports: number[] = [];
      for (let i = 0; i < count; i++) {
        const p = this.o.pool.acquire();
        if (p === null) break;
        ports.push(p);
      }
      if (ports.length === count) return ports;
      for (const p of ports) this.o.pool.release(p);
      if (round === 0 && this.o.pool.warm > 0) await this.cool(); // warm or being warmed
    }
    return null;
  }

  /** Packets relayed toward `side` with payload type `from` leave with payload type `to` (from null: unchanged). */
  mapPayloadType(id: string, stream: number, side: 'a' | 'b', from: number | null, to: number): void {
    const s = this.sessions.get(id);
    if (s !== undefined) this.post(s.relay, { op: 'map-pt', id, stream, side, from, to });
  }

  /** A leg's SDP gave (new) far-end addresses for a stream. */
  update(
    id: string,
    stream: number,
    side: 'a' | 'b',
    remote: Endpoint | null,
    remoteRtcp: Endpoint | null = null,
    opaque = false,
  ): void {
    const s = this.sessions.get(id);
    if (s !== undefined) this.post(s.relay, { op: 'update', id, stream, side, remote, remoteRtcp, opaque });
  }

  /** Telephone-event packets (payload type `pt`) from `side` are reported through onDtmf, not relayed; null relays them again. */
  detectDtmf(id: string, stream: number, side: 'a' | 'b', pt: number | null): void {
    const s = this.sessions.get(id);
    if (s !== undefined) this.post(s.relay, { op: 'dtmf', id, stream, side, pt });
  }

  /** Put a DTMF event into the RTP toward `side` (RFC 4733, payload type `pt`). */
  injectDtmf(id: string, stream: number, side: 'a' | 'b', event: number, durationMs: number, pt: number): void {
    const s = this.sessions.get(id);
    if (s !== undefined) this.post(s.relay, { op: 'inject-dtmf', id, stream, side, event, durationMs, pt });
  }

  /** Copy the packets of every session (id null) or of one to onCaptured, or stop (on false). */
  capture(on: boolean, id: string | null = null): void {
    for (const relay of this.relays) this.post(relay, { op: 'capture', on, id });
  }

  /** Start the inactivity check of a session (when its call is answered), if one is configured. */
  watch(id: string): void {
    const s = this.sessions.get(id);
    const ms = this.o.inactivityMs ?? 0;
    const held = this.o.holdInactivityMs ?? 0;
    if (s !== undefined && (ms > 0 || held > 0))
      this.post(s.relay, { op: 'watch', id, inactivityMs: ms, holdInactivityMs: held });
  }
  /** Either leg holds the call, or neither does any more (the inactivity limit follows). */
  hold(id: string, held: boolean): void {
    const s = this.sessions.get(id);
    if (s !== undefined) this.post(s.relay, { op: 'hold', id, held });
  }

  /** Close the sockets; the ports go back to the pool once they are closed (after any add() under way). Resolves then. */
  async close(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (s === undefined) return;
    this.sessions.delete(id);
    s.relay.sessions--;
    await this.adding.get(id);
    return new Promise((resolve) => {
      this.closing.set(id, () => {
        this.closing.delete(id);
        for (const p of s.ports) this.o.pool.release(p);
        for (const r of this.relays) this.warmUp(r);
        resolve();
      });
      this.post(s.relay, { op: 'close', id });
    });
  }

  /** Per-stream statistics of one session, or of all. */
  stats(id: string | null = null): Promise<Record<string, StreamStatsReport[]>> {
    const request = this.nextRequest++;
    return new Promise((done) => {
      this.statsWaiting.set(request, { left: this.relays.length, out: {}, done });
      for (const r of this.relays) this.post(r, { op: 'stats', request, id });
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
    this.stopped = true;
    for (const r of this.relays) for (const p of [...r.warm.splice(0), ...r.warming]) this.o.pool.release(p);
    await Promise.all(this.relays.map((r) => r.worker.terminate()));
  }
}
