/** Load shedding is told once per episode: one warning when it starts, one line with its cost when it is over. */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { pino } from 'pino';
import { LoadShedding } from '../../src/node/load-shedding.js';

describe('LoadShedding', () => {
  it('logs the start of an episode once, however many reports, and its end after a quiet spell', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      const lines: Array<{ level: number; msg: string; packets?: number }> = [];
      const log = pino(
        { level: 'info' },
        { write: (l: string) => void lines.push(JSON.parse(l) as (typeof lines)[0]) },
      );
      const shedding = new LoadShedding(log, 50);
      for (let i = 0; i < 40; i++) {
        shedding.note(25);
        mock.timers.tick(250); // a worker reports every 250 ms while it sheds
      }
      assert.equal(lines.length, 1, 'one warning for the whole episode');
      assert.equal(lines[0]!.level, 40);
      assert.match(lines[0]!.msg, /RTP relay behind/);
      mock.timers.tick(10_000);
      assert.equal(lines.length, 2);
      assert.match(lines[1]!.msg, /caught up/);
      assert.equal(lines[1]!.packets, 1000, 'what the episode shed');
      shedding.note(1);
      assert.equal(lines.length, 3, 'a new episode is told again');
      shedding.stop();
    } finally {
      mock.timers.reset();
    }
  });
});
