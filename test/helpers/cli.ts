/** Run the fosip executable without blocking this process (the SBC under test may live in it). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** `env` is added to this process's environment; `input` is written to the command's stdin. */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'fosip.js'), ...args], {
      env: { ...process.env, ...opts.env },
    });
    child.stdin.end(opts.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
