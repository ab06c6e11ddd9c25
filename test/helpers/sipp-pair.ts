/** A sipp callee and a sipp caller around the SBC, each on its own free loopback port. */
import { type SippResult, runSipp } from './sipp.js';
import { patientUas } from './sipp-xml.js';
import { freePort, portBound } from './net.js';

export interface Party {
  port: number;
  run: Promise<SippResult>;
  /** Stop it now (when the calls it waits for will not all come). */
  kill(): void;
}

/** Start a callee (SIPp's `uas` that absorbs INVITE retransmissions, or a scenario) that stops after `calls` calls; `port` to come back where a killed one was. */
export async function callee(
  opts: {
    scenario?: string;
    transport?: 'udp' | 'tcp';
    calls?: number;
    extra?: string[];
    trace?: boolean;
    timeoutMs?: number;
    port?: number;
  } = {},
): Promise<Party> {
  const port = opts.port ?? (await freePort(opts.transport ?? 'udp'));
  const args = [
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-m',
    String(opts.calls ?? 1),
    '-t',
    opts.transport === 'tcp' ? 't1' : 'u1',
    ...(opts.extra ?? []),
  ];
  const stop = new AbortController();
  const run = runSipp(
    '',
    opts.scenario ?? patientUas,
    args,
    opts.timeoutMs ?? 300_000,
    opts.trace ?? true,
    stop.signal,
  );
  // calls must not arrive before it listens: a loaded machine took longer than the 300 ms once waited here
  await portBound(port, opts.transport ?? 'udp');
  return { port, run, kill: () => stop.abort() };
}

export async function caller(
  sbcPort: number,
  opts: {
    scenario?: string;
    called?: string;
    transport?: 'udp' | 'tcp';
    calls?: number;
    holdMs?: number;
    extra?: string[];
    trace?: boolean;
    timeoutMs?: number;
    signal?: AbortSignal;
  } = {},
): Promise<SippResult> {
  const port = await freePort(opts.transport ?? 'udp');
  const args = [
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-s',
    opts.called ?? '2001',
    '-m',
    String(opts.calls ?? 1),
    '-d',
    String(opts.holdMs ?? 1000),
    '-t',
    opts.transport === 'tcp' ? 't1' : 'u1',
    ...(opts.extra ?? []),
  ];
  return runSipp(
    `127.0.0.1:${sbcPort}`,
    opts.scenario ?? 'uac',
    args,
    opts.timeoutMs ?? 300_000,
    opts.trace ?? true,
    opts.signal,
  );
}
