/**
 * Draining a node for maintenance (`fosip drain`, SIGTERM): new calls get 503 with Retry-After and OPTIONS
 * to the SBC 503 (so that load balancers and peers move away), the calls in progress go on until they end
 * or the grace time runs out; then those left get BYE (or their final answer) and the drain is over.
 */
import type { Logger } from 'pino';

export interface DrainResult {
  /** Calls that were still up when the grace time ran out, and were ended. */
  cleared: number;
  waitedMs: number;
}

export interface DrainDeps {
  /** Stop taking new calls and answer OPTIONS 503. */
  refuseNew(): void;
  /** Ids of the calls this node carries. */
  activeCalls(): string[];
  /** End a call (normal clearing). */
  clear(id: string): void;
  log: Logger;
}

export class Drain {
  private running: Promise<DrainResult> | null = null;

  constructor(private readonly d: DrainDeps) {}

  get active(): boolean {
    return this.running !== null;
  }

  /** Start draining (again: the same drain, whatever grace is asked the second time). */
  start(graceMs: number): Promise<DrainResult> {
    this.running ??= this.run(graceMs);
    return this.running;
  }

  private async run(graceMs: number): Promise<DrainResult> {
    const started = Date.now();
    this.d.refuseNew();
    this.d.log.info(
      { calls: this.d.activeCalls().length, graceSeconds: graceMs / 1000 },
      'draining: new calls get 503; waiting for the calls in progress',
    );
    while (this.d.activeCalls().length > 0 && Date.now() - started < graceMs)
      await new Promise((r) => setTimeout(r, 100));
    const left = this.d.activeCalls();
    for (const id of left) this.d.clear(id);
    if (left.length > 0) this.d.log.warn({ calls: left.length }, 'drain grace time over: the calls left were ended');
    // give the BYEs a moment to leave before the caller stops the node
    if (left.length > 0) await new Promise((r) => setTimeout(r, 200));
    this.d.log.info({ waitedMs: Date.now() - started, cleared: left.length }, 'drained');
    return { cleared: left.length, waitedMs: Date.now() - started };
  }
}
