import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export const silentLog = pino({ level: 'silent' });

/** A logger that keeps its lines (warn and above by default), for a failing test to show what the SBC said. */
export function recordingLog(level = 'warn'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString().trim());
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}
