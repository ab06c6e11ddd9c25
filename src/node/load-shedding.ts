/**
 * The relay falling behind, told once per episode: the first packets shed start an episode (one warning),
 * and a quiet spell ends it (one line with what it cost), however many reports came in between. A relay
 * that sheds for an hour writes two lines, not thousands.
 */
import type { Logger } from 'pino';

/** No packet shed for this long ends an episode. */
const QUIET_MS = 10_000;

export class LoadShedding {
  private episode: { startedAt: number; packets: number; timer: NodeJS.Timeout } | null = null;

  constructor(
    private readonly log: Logger,
    private readonly shedAfterMs: number,
  ) {}

  note(packets: number): void {
    if (this.episode === null) {
      this.log.warn(
        { shedAfterMs: this.shedAfterMs },
        'RTP relay behind: dropping packets that waited too long instead of relaying them late (sbc_rtp_shed_packets_total)',
      );
      this.episode = { startedAt: Date.now(), packets: 0, timer: this.quiet() };
    }
    this.episode.packets += packets;
    clearTimeout(this.episode.timer);
    this.episode.timer = this.quiet();
  }

  private quiet(): NodeJS.Timeout {
    const timer = setTimeout(() => this.end(), QUIET_MS);
    timer.unref?.(); // (a test's mock timer has none)
    return timer;
  }

  private end(): void {
    if (this.episode === null) return;
    const { startedAt, packets } = this.episode;
    this.episode = null;
    this.log.info(
      { packets, seconds: Math.round((Date.now() - startedAt) / 1000) - QUIET_MS / 1000 },
      'RTP relay caught up: load shedding over',
    );
  }

  stop(): void {
    if (this.episode !== null) clearTimeout(this.episode.timer);
    this.episode = null;
  }
}
