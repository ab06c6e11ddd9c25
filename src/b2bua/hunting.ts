/**
 * Hunting (cube-reference §1.3): a call's outbound dial-peers are tried in order, and each candidate
 * passes a chain of small steps before the B leg is started on it:
 *
 *   max-conn -> busyout -> resolve -> sent-by
 *
 * A step that refuses a candidate gives the failure the caller gets if no candidate is left (the last one
 * wins, as in CUBE); a step may skip a candidate without one (a dial-peer with no session target). Only
 * `resolve` can take time (DNS): the chain runs synchronously until a step answers with a promise, and the
 * call may be cancelled while it waits.
 */
import type { DialPeer } from '../routing/dial-peer.js';
import type { Destination } from '../transport/flow.js';
import { resolveTarget } from '../uac/target-resolver.js';
import type { Call } from './call.js';

/** What the caller gets if no candidate is left. */
export interface Failure {
  status: number;
  warning: string | null;
}

/** A step's answer: null passes the candidate on, SKIP drops it silently, a Failure drops it with a reason. */
export type Verdict = Failure | null | typeof SKIP;
export const SKIP = Symbol('skip');

/** One candidate on its way through the chain; the steps fill in where and how it is reached. */
export interface Attempt {
  call: Call;
  peer: DialPeer;
  dest?: Destination;
  /** Our sent-by (Via host and port) toward `dest`. */
  via?: { host: string; port: number };
}

export interface HuntStep {
  readonly name: string;
  check(a: Attempt): Verdict | Promise<Verdict>;
}

/** What becomes of a hunt: a candidate that passed, none left, or the call gone while a step waited. */
export interface HuntOutcome {
  found(a: Required<Attempt>): void;
  exhausted(): void;
  gone(): void;
}

export class Hunting {
  constructor(readonly steps: readonly HuntStep[]) {}

  /** Try the call's next candidates until one passes every step, or none is left. */
  next(call: Call, out: HuntOutcome): void {
    while (call.next < call.candidates.length) {
      const attempt: Attempt = { call, peer: call.candidates[call.next++] as DialPeer };
      const passed = this.check(attempt, 0);
      if (typeof passed !== 'boolean') {
        passed.then(
          (ok) => {
            if (call.ended || call.cancelled) out.gone();
            else if (ok) out.found(attempt as Required<Attempt>);
            else this.next(call, out);
          },
          () => (call.ended || call.cancelled ? out.gone() : this.next(call, out)),
        );
        return;
      }
      if (passed) return out.found(attempt as Required<Attempt>);
    }
    out.exhausted();
  }

  /** Steps from `from` on: whether the attempt passes them all (a promise once a step makes one). */
  private check(a: Attempt, from: number): boolean | Promise<boolean> {
    for (let i = from; i < this.steps.length; i++) {
      const verdict = (this.steps[i] as HuntStep).check(a);
      if (verdict instanceof Promise) return verdict.then((v) => this.settle(a, v) && this.check(a, i + 1));
      if (!this.settle(a, verdict)) return false;
    }
    return true;
  }

  private settle(a: Attempt, verdict: Verdict): boolean {
    if (verdict === null) return true;
    if (verdict !== SKIP) a.call.lastFailure = verdict;
    return false;
  }
}

/** Active calls per outbound dial-peer, for CUBE's `max-conn`. */
export class MaxConn {
  private readonly active = new Map<number, number>();

  /** Whether the dial-peer has no slot left. */
  full(peer: DialPeer): boolean {
    return peer.maxConn !== null && (this.active.get(peer.tag) ?? 0) >= peer.maxConn;
  }

  take(tag: number): void {
    this.active.set(tag, (this.active.get(tag) ?? 0) + 1);
  }

  give(tag: number): void {
    const n = (this.active.get(tag) ?? 1) - 1;
    if (n <= 0) this.active.delete(tag);
    else this.active.set(tag, n);
  }

  /** Calls holding a slot of the dial-peer. */
  held(tag: number): number {
    return this.active.get(tag) ?? 0;
  }
}

/** Why the dial-peer cannot take one more call (its max-conn slots are all held), or null. */
export function maxConnRefusal(maxConn: MaxConn, peer: DialPeer): Failure | null {
  return maxConn.full(peer)
    ? { status: 503, warning: `Maximum Number of Connections reached for dial-peer ${peer.tag}` }
    : null;
}

export function maxConnStep(maxConn: MaxConn): HuntStep {
  return { name: 'max-conn', check: ({ peer }) => maxConnRefusal(maxConn, peer) };
}

/**
 * A dial-peer busied out by OPTIONS keepalive takes no calls; the status is the inbound dial-peer's
 * error-code override, else the global one, else 404 (CUBE).
 */
export function busyoutStep(
  health: { isUp(tag: number): boolean } | undefined,
  globalOverride: () => number | null,
): HuntStep {
  return {
    name: 'busyout',
    check: ({ call, peer }) =>
      health?.isUp(peer.tag) === false
        ? {
            status: call.inbound.errorCodeOverride ?? globalOverride() ?? 404,
            warning: `dial-peer ${peer.tag} is busied out (OPTIONS keepalive)`,
          }
        : null,
  };
}

/** The session target to an address: as written for ipv4:/ipv6:, by DNS for dns: (the first address we can reach). */
export function resolveStep(usable: (d: Destination) => boolean): HuntStep {
  return {
    name: 'resolve',
    check: (a) => {
      const target = a.peer.sessionTarget;
      if (target === null) return SKIP;
      if (target.kind !== 'dns') {
        a.dest = { transport: a.peer.sessionTransport, address: target.host, port: target.port ?? 5060 };
        return null;
      }
      const unresolved: Failure = {
        status: 503,
        warning: `session target of dial-peer ${a.peer.tag} does not resolve`,
      };
      return resolveTarget(target, a.peer.sessionTransport, usable).then(
        (dests) => (dests[0] === undefined ? unresolved : ((a.dest = dests[0]), null)),
        () => unresolved,
      );
    },
  };
}

/** We must have a listener of the dial-peer's transport to send from (its address is our Via and Contact). */
export function sentByStep(sentBy: (d: Destination) => { host: string; port: number } | undefined): HuntStep {
  return {
    name: 'sent-by',
    check: (a) => {
      const dest = a.dest as Destination;
      const via = sentBy(dest);
      if (via === undefined)
        return { status: 503, warning: `no ${dest.transport} listener to reach dial-peer ${a.peer.tag}` };
      a.via = via;
      return null;
    },
  };
}
