/** Run the real sipp binary (installed by deploy/setup.sh; a missing one fails the test, never skips it). */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './net.js';

export interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: string;
}

/**
 * `scenarioXml` is a scenario's XML, or the name of a built-in one (`uac`, `uas`). An empty target runs
 * sipp as a server.
 */
export async function runSipp(
  target: string,
  scenarioXml: string,
  args: string[],
  timeoutMs = 20_000,
  trace = true,
  stop?: AbortSignal,
): Promise<SippResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-sipp-'));
  const scenario = path.join(dir, 'scenario.xml');
  const messages = path.join(dir, 'messages.log');
  const errors = path.join(dir, 'errors.log');
  const builtIn = /^[a-z_]+$/.test(scenarioXml);
  if (!builtIn) fs.writeFileSync(scenario, scenarioXml);
  // play_pcap_audio names files under pcap/ relative to the working directory (uac_pcap does)
  fs.symlinkSync('/usr/share/sip-tester', path.join(dir, 'pcap'));
  const cp = await freePort('udp');
  const full = [
    ...(target ? [target] : []),
    ...(builtIn ? ['-sn', scenarioXml] : ['-sf', scenario]),
    '-cp',
    String(cp),
    '-nostdin',
    '-trace_err',
    '-error_file',
    errors,
    ...(trace ? ['-trace_msg', '-message_file', messages] : []),
    '-timeout',
    `${Math.floor(timeoutMs / 1000)}s`,
    '-timeout_error',
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', full, { cwd: dir });
    stop?.addEventListener('abort', () => child.kill('SIGKILL'), { once: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);
    child.on('error', (err) => reject(new Error(`cannot run sipp (deploy/setup.sh installs it): ${err.message}`)));
    child.on('close', (code) => {
      clearTimeout(timer);
      const log = fs.existsSync(messages) ? fs.readFileSync(messages, 'utf8') : '';
      // what sipp did not expect, for a failing test to show: the start of its error log (the first surprise) and its end
      const all = fs.existsSync(errors) ? fs.readFileSync(errors, 'utf8') : '';
      const unexpected = all.length <= 8000 ? all : `${all.slice(0, 4000)}\n[...]\n${all.slice(-4000)}`;
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({
        code,
        stdout,
        stderr: unexpected === '' ? stderr : `${stderr}\n-- sipp error log --\n${unexpected}`,
        messages: log,
      });
    });
  });
}

/** The first INVITE in a SIPp message log (head and body). */
export function inviteOf(messages: string): string {
  return /INVITE sip:[\s\S]*?\r?\n\r?\n[\s\S]*?(?=\r?\n\r?\n|-{5,}|$)/.exec(messages)?.[0] ?? '';
}
