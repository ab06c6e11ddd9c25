/**
 * What a node says to and hears from the rest of the cluster, beside its call store: commands from the CLI
 * (clear call, clear statistics), the live SIP trace for subscribers, the message ladders of ended calls and
 * its published counters. A lone node's bus reaches nobody; with Redis it is redis-node-bus.ts.
 */
import type { Ladder } from './call-store.js';
import { MemoryStatsStore, type StatsStore } from './stats-store.js';

/** A command for one node, published by the CLI of any machine (`fosip clear ... --redis`). */
export type NodeCommand = { op: 'clear'; id: string; cause: number } | { op: 'clear-stats' };

export interface NodeBus {
  /** Whether the shared state answers now (a lone node's always does). */
  readonly connected: boolean;
  /** Failed writes to the shared state since start (the metric `sbc_state_errors_total`). */
  readonly errors: number;
  /** This node's counters, where `show sip-ua statistics` and friends read them. */
  readonly stats: StatsStore;
  /** Take the commands published for this node. */
  onCommand(handler: (cmd: NodeCommand) => void): void;
  /** How many listen to the cluster's trace channel (publishing costs nothing while nobody does). */
  traceSubscribers(): Promise<number>;
  /** A trace event for the subscribers (never waited for). */
  publishTrace(text: string): void;
  /** The ladder of a call that ended, for any node's `show call flow` (the node keeps its own recent ones). */
  keepFlow(ladder: Ladder): void;
  close(): Promise<void>;
}

/** A node without shared state: nobody else to hear from or tell. */
export class MemoryNodeBus implements NodeBus {
  readonly connected = true;
  readonly errors = 0;
  readonly stats: StatsStore;

  constructor(node: string) {
    this.stats = new MemoryStatsStore(node);
  }

  onCommand(): void {
    // nobody can publish one
  }

  traceSubscribers(): Promise<number> {
    return Promise.resolve(0);
  }

  publishTrace(): void {
    // nobody subscribes
  }

  keepFlow(): void {
    // the node's own wire keeps its recent ladders
  }

  close(): Promise<void> {
    return this.stats.close();
  }
}
