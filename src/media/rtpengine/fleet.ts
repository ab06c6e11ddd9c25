/**
 * The rtpengine instances a node drives (fosip.json `media.rtpengine`): each is pinged every `pingMs`; one
 * that does not answer is taken out of the fleet (no new call goes to it) and put back as soon as it answers
 * again. A new call goes to a healthy instance chosen by weight; every later command of that call goes to
 * the same instance, named by its ng address (which the call record keeps, so that a restarted node, or
 * another node of the cluster, reaches it too).
 */
import type { MediaEngineInfo } from '../../state/node-reports.js';
import { NgClient, type NgDict, parseNgAddress } from './ng-client.js';

export interface FleetMember {
  /** The ng address as configured (`udp:127.0.0.1:22222`): the instance's name in records and `show`. */
  ng: string;
  weight: number;
}

/** An instance as `show voip rtp engines`, /health and the metrics see it. */
export type InstanceStatus = MediaEngineInfo;

export interface FleetOptions {
  members: readonly FleetMember[];
  /** Ping interval (default 1000 ms); 0: no pings (tests drive health by hand). */
  pingMs?: number;
  /** Per-try reply timeout of each command (default 1000 ms) and tries (default 3). */
  timeoutMs?: number;
  tries?: number;
  /** An instance went down or came back (a log line, the metric). */
  changed?: (status: InstanceStatus) => void;
  random?: () => number;
}

interface Instance {
  member: FleetMember;
  client: NgClient;
  up: boolean;
  sessions: number;
  lastAnswerAt: number | null;
  downs: number;
  pinging: boolean;
}

export class RtpengineFleet {
  private readonly instances = new Map<string, Instance>();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly random: () => number;

  constructor(private readonly o: FleetOptions) {
    this.random = o.random ?? Math.random;
    for (const member of o.members) {
      const client = new NgClient({
        endpoint: parseNgAddress(member.ng),
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.tries !== undefined ? { tries: o.tries } : {}),
      });
      // an instance is up until it fails to answer: a node that starts beside rtpengine takes calls at once
      this.instances.set(member.ng, {
        member,
        client,
        up: true,
        sessions: 0,
        lastAnswerAt: null,
        downs: 0,
        pinging: false,
      });
    }
    const pingMs = o.pingMs ?? 1000;
    if (pingMs > 0) {
      this.timer = setInterval(() => void this.pingAll(), pingMs);
      this.timer.unref();
    }
  }

  /** Ping every instance once now; resolves when each has answered or given up. */
  async pingAll(): Promise<void> {
    await Promise.all([...this.instances.values()].map((i) => this.ping(i)));
  }

  private async ping(i: Instance): Promise<void> {
    if (i.pinging) return;
    i.pinging = true;
    try {
      const reply = await i.client.command('ping');
      this.mark(i, reply['result'] === 'pong');
    } catch {
      this.mark(i, false);
    } finally {
      i.pinging = false;
    }
  }

  private mark(i: Instance, answered: boolean): void {
    if (answered) i.lastAnswerAt = Date.now();
    if (i.up === answered) return;
    i.up = answered;
    if (!answered) i.downs++;
    this.o.changed?.(this.statusOf(i));
  }

  /** A healthy instance for a new call, by weight; null when none is up. */
  choose(): string | null {
    const up = [...this.instances.values()].filter((i) => i.up && i.member.weight > 0);
    const total = up.reduce((n, i) => n + i.member.weight, 0);
    let r = this.random() * total;
    for (const i of up) {
      r -= i.member.weight;
      if (r < 0) return i.member.ng;
    }
    return up.at(-1)?.member.ng ?? null;
  }

  /**
   * A command to the named instance. A timeout takes the instance out of the fleet at once (the next ping
   * puts it back); a refusal is the instance's answer, not a sign of ill health.
   */
  async command(ng: string, command: string, args: NgDict = {}): Promise<NgDict> {
    const i = this.instances.get(ng);
    if (i === undefined) return this.unknown(ng).command(command, args);
    try {
      const reply = await i.client.command(command, args);
      this.mark(i, true);
      return reply;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'timeout') this.mark(i, false);
      else this.mark(i, true);
      throw err;
    }
  }

  /**
   * An instance this node was not configured with but a call record names (the configuration changed, or
   * another node of the cluster carried the call): reached directly, never chosen for new calls.
   */
  private unknown(ng: string): NgClient {
    const i: Instance = {
      member: { ng, weight: 0 },
      client: new NgClient({ endpoint: parseNgAddress(ng) }),
      up: true,
      sessions: 0,
      lastAnswerAt: null,
      downs: 0,
      pinging: false,
    };
    this.instances.set(ng, i);
    return i.client;
  }

  /** A call was set up on (or let go of) the instance: its session count for `show` and the least loaded choice. */
  sessionOpened(ng: string): void {
    const i = this.instances.get(ng);
    if (i !== undefined) i.sessions++;
  }

  sessionClosed(ng: string): void {
    const i = this.instances.get(ng);
    if (i !== undefined && i.sessions > 0) i.sessions--;
  }

  isUp(ng: string): boolean {
    return this.instances.get(ng)?.up === true;
  }

  private statusOf(i: Instance): InstanceStatus {
    return {
      ng: i.member.ng,
      weight: i.member.weight,
      up: i.up,
      sessions: i.sessions,
      lastAnswerAt: i.lastAnswerAt,
      downs: i.downs,
    };
  }

  status(): InstanceStatus[] {
    return [...this.instances.values()].map((i) => this.statusOf(i));
  }

  stop(): void {
    clearInterval(this.timer);
    for (const i of this.instances.values()) i.client.close();
  }
}
