/** `fosip start` in its own process (to be killed with SIGKILL and started again); resolves once it listens. */
import { eventually } from './eventually.js';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

export async function startNode(
  dir: string,
  redis: string,
  hostname: string,
): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [
    path.join(repoRoot, 'bin', 'fosip.js'),
    'start',
    '--config-dir',
    dir,
    '--redis',
    redis,
    '--hostname',
    hostname,
    '--log-level',
    'info',
  ]);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await eventually(() => out.includes('fosip started'));
  assert.match(out, /fosip started/);
  return { child, log: () => out };
}
