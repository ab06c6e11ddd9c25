/**
 * `logFormat: pretty`: pino's JSON lines turned into one readable line each for a person at a terminal
 * (`12:04:05.123 INFO  call detail record callId=... cause=16`), with no dependency: each line pino writes
 * is parsed and printed again. Nested objects are written as JSON; errors by their message.
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof o['time'] === 'number' ? new Date(o['time']).toISOString().slice(11, 23) : '--:--:--.---';
  const level = (LEVELS[Number(o['level'])] ?? String(o['level'])).padEnd(5);
  const fields = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${fieldText(v)}`);
  return [time, level, typeof o['msg'] === 'string' ? o['msg'] : '', ...fields].join(' ');
}

function fieldText(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v !== null && typeof v === 'object' && 'message' in v && typeof v.message === 'string')
    return JSON.stringify(v.message);
  return JSON.stringify(v);
}

/** A pino destination that writes each record as a pretty line to `out` (standard output by default). */
export function prettyDestination(out: { write(s: string): unknown } = process.stdout): { write(s: string): void } {
  return {
    write: (chunk: string) => {
      for (const line of chunk.split('\n')) if (line !== '') out.write(`${prettyLine(line)}\n`);
    },
  };
}
