/**
 * The media engine on the main thread: it takes ports from the pool, hands each call's session to the
 * least loaded relay worker, and gives the ports back once the worker has closed the sockets. Ports that
 * another process holds are set aside (reserved) and the session is retried on fresh ones.
 */
import { Worker } from 'node:worker_threads';
import type { PortPool } from './port-pool.js';
import type { Endpoint, FromWorker, LatchMode, StreamSpec, StreamStatsReport, ToWorker } from './relay-protocol.js';

export interface MediaEngineOptions {
  pool: PortPool;
  address: string;
  /** Relay worker threads (default 1; more spread sessions over cores). */
  workers?: number;
  latch?: LatchMode;
  /** No RTP for this long, once watched (see watch()), ends the call (0: never). */
  inactivityMs?: number;
  onInactive?: (id: string) => void;
  /** A DTMF event the relay took out of a leg's RTP (see detectDtmf). */
  onDtmf?: (id: string, side: 'a' | 'b', event: number, durationMs: number) => void;
  onError?: (err: unknown) => void;
}

export interface StreamRequest {
  stream: number;
  clockRate: number;
  a: { remote: Endpoint | null; remoteRtcp: Endpoint | null };
  b: { remote: Endpoint | null; remoteRtcp: Endpoint | null };
}

/** The SBC's RTP ports of one stream: the one facing the A leg, the one facing the B leg. */
export interface OpenedStream {
  stream: number;
  aPort: number;
  bPort: number;
}

interface Relay {
  worker: Worker;
  sessions: number;
}

const BIND_ATTEMPTS = 4;

export class MediaEngine {
  private readonly relays: Relay[] = [];
  private readonly sessions = new Map<string, { relay: Relay; ports: number[] }>();
  /** Sessions (or added streams) whose ports a relay is binding: who waits for the answer. */
  private readonly opening = new Map<string, { relay: Relay; resolve: (m: Extract<FromWorker, { op: 'opened' }>) => void }>();
  private readonly adding = new Map<string, Promise<void>>();
  private readonly closing = new Map<string, () => void>();
  private readonly statsWaiting = new Map<number, { left: number; out: Record<string, StreamStatsReport[]>; done: (r: Record<string, StreamStatsReport[]>) => void }>();
  private nextRequest = 1;
  private stopped = false;
  /** Sessions refused because the port pool had no pairs left (the caller got 503). */
  exhausted = 0;
  /** Packets of the sessions closed so far (live sessions are in stats()). */
  readonly closedTotals = { packets: 0, forwarded: 0, dropped: 0, lost: 0, sessions: 0 };

  constructor(private readonly o: MediaEngineOptions) {
    for (let i = 0; i < Math.max(1, o.workers ?? 1); i++) this.relays.push(this.spawn());
  }

  private spawn(): Relay {
    const relay: Relay = { worker: new Worker(new URL('./relay-worker.js', import.meta.url)), sessions: 0 };
    relay.worker.on('message', (m: FromWorker) => this.onMessage(m));
    relay.worker.on('error', (err) => this.o.onError?.(err));
    relay.worker.on('exit', () => this.lost(relay));
    return relay;
  }

  /** A worker died: its calls lost their media; free their ports, report them, start a new worker. */
  private lost(relay: Relay): void {
    if (this.stopped) return;
    for (const [id, w] of this.opening) {
      if (w.relay === relay) w.resolve({ op: 'opened', id, ok: false, busyPorts: [], error: 'the relay worker stopped' });
    }
    for (const [id, s] of this.sessions) {
      if (s.relay !== relay) continue;
      this.sessions.delete(id);
      for (const p of s.ports) this.o.pool.release(p);
      this.o.onInactive?.(id);
    }
    this.relays.splice(this.relays.indexOf(relay), 1, this.spawn());
  }

  private onMessage(m: FromWorker): void {
    switch (m.op) {
      case 'opened':
        this.opening.get(m.id)?.resolve(m);
        return;
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
        this.closing.get(m.id)?.();
        return;
      case 'inactive':
        if (this.sessions.has(m.id)) this.o.onInactive?.(m.id);
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
    if (this.sessions.has(id) || this.opening.has(id)) throw new Error(`media session ${id} exists`);
    const relay = this.relays.reduce((best, r) => (r.sessions < best.sessions ? r : best));
    const bound = await this.bind(id, relay, streams, (sides) => ({
      op: 'open',
      spec: { id, address: this.o.address, latch: this.o.latch ?? 'any', inactivityMs: 0, streams: sides },
    }));
    if (bound === null) return null;
    relay.sessions++;
    this.sessions.set(id, { relay, ports: bound.ports });
    return bound.opened;
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
      const bound = await this.bind(id, s.relay, streams, (sides) => ({ op: 'add', id, streams: sides }));
      if (bound === null) return null;
      s.ports.push(...bound.ports);
      return bound.opened;
    });
    const settled = done.then(() => undefined, () => undefined);
    this.adding.set(id, settled);
    void settled.then(() => {
      if (this.adding.get(id) === settled) this.adding.delete(id);
    });
    return done;
  }

  /**
   * Take two ports per stream from the pool and have the relay bind them; ports another process holds are
   * set aside and fresh ones tried. Null when the pool runs out.
   */
  private async bind(id: string, relay: Relay, streams: StreamRequest[], message: (sides: StreamSpec[]) => ToWorker): Promise<{ opened: OpenedStream[]; ports: number[] } | null> {
    for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      const ports: number[] = [];
      for (let i = 0; i < streams.length * 2; i++) {
        const p = this.o.pool.acquire();
        if (p === null) {
          for (const q of ports) this.o.pool.release(q);
          this.exhausted++;
          return null;
        }
        ports.push(p);
      }
      const opened = streams.map((s, i) => ({ stream: s.stream, aPort: ports[2 * i] as number, bPort: ports[2 * i + 1] as number }));
      const sides = streams.map((s, i) => ({
        stream: s.stream, clockRate: s.clockRate,
        a: { localPort: opened[i]?.aPort ?? 0, ...s.a },
        b: { localPort: opened[i]?.bPort ?? 0, ...s.b },
      }));
      const reply = await new Promise<Extract<FromWorker, { op: 'opened' }>>((resolve) => {
        this.opening.set(id, { relay, resolve });
        this.post(relay, message(sides));
      });
      this.opening.delete(id);
      if (reply.ok) return { opened, ports };
      for (const p of ports) {
        if (reply.busyPorts.includes(p)) this.o.pool.reserve(p);
        else this.o.pool.release(p);
      }
      if (reply.busyPorts.length === 0) throw new Error(`media session ${id}: ${reply.error}`);
    }
    return null;
  }

  /** Packets relayed toward `side` with payload type `from` leave with payload type `to` (from null: unchanged). */
  mapPayloadType(id: string, stream: number, side: 'a' | 'b', from: number | null, to: number): void {
    const s = this.sessions.get(id);
    if (s !== undefined) this.post(s.relay, { op: 'map-pt', id, stream, side, from, to });
  }

  /** A leg's SDP gave (new) far-end addresses for a stream. */
  update(id: string, stream: number, side: 'a' | 'b', remote: Endpoint | null, remoteRtcp: Endpoint | null = null): void {
    const s = this.sessions.get(id);
    if (s !== undefined) this.post(s.relay, { op: 'update', id, stream, side, remote, remoteRtcp });
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

  /** Start the inactivity check of a session (when its call is answered), if one is configured. */
  watch(id: string): void {
    const s = this.sessions.get(id);
    const ms = this.o.inactivityMs ?? 0;
    if (s !== undefined && ms > 0) this.post(s.relay, { op: 'watch', id, inactivityMs: ms });
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
    await Promise.all(this.relays.map((r) => r.worker.terminate()));
  }
}
