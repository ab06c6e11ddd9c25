/** `fosip start` in its own process (to be killed with SIGKILL and started again); resolves once it listens. */
import { eventually } from './eventually.js';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';
import { freePort } from './net.js';

/** `fosip start <args>` as a child process, its stdout and stderr gathered; resolves once it has started. */
async function startFosip(args: string[]): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'fosip.js'), 'start', ...args]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  assert.ok(await eventually(() => out.includes('fosip started')), `the node did not start:\n${out}`);
  return { child, log: () => out };
}

export function startNode(
  dir: string,
  redis: string,
  hostname: string,
): Promise<{ child: ChildProcess; log: () => string }> {
  return startFosip(['--config-dir', dir, '--redis', redis, '--hostname', hostname, '--log-level', 'info']);
}

/** The example configuration running in a node of its own on free loopback ports; its admin URL and UDP SIP port. */
export async function exampleNode(
  extra: string[] = [],
  configDir = repoRoot,
): Promise<{ admin: string; sipPort: number; log: () => string; stop: () => Promise<void> }> {
  const [port, adminPort] = [await freePort('udp'), await freePort('tcp')];
  const { child, log } = await startFosip([
    '--config-dir',
    configDir,
    '--listen',
    `udp:127.0.0.1:${port}`,
    '--admin',
    `127.0.0.1:${adminPort}`,
    '--log-level',
    'info',
    ...extra,
  ]);
  // 'close', not 'exit': 'exit' can come before the last lines the node wrote have been read from its pipes
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    admin: `http://127.0.0.1:${adminPort}`,
    sipPort: port,
    log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
