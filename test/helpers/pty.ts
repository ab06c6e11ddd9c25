/**
 * Drive a program through a pseudo-terminal, as a person at a keyboard would: util-linux `script` (in
 * Debian's essential bsdutils) gives the child a pty and relays our keystrokes to it.
 */
import { eventually } from './eventually.js';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

export class PtySession {
  private buffer = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => (this.buffer += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (this.buffer += d.toString('latin1')));
    this.exited = new Promise((r) => child.on('close', r));
  }

  static start(argv: string[]): PtySession {
    const command = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    return new PtySession(spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, TERM: 'xterm' } }));
  }

  /** Everything the terminal showed so far, with the redraw escapes taken out. */
  get screen(): string {
    return this.buffer
      .replace(/\n?\r\x1b\[K/g, '\n')
      .replace(/\x1b\[[0-9]*[A-Za-z]/g, '')
      .replace(/\r/g, '');
  }

  type(keys: string): void {
    this.child.stdin.write(keys);
  }

  /** Wait until the screen, from `from` on, matches; returns the offset after the match. */
  async waitFor(re: RegExp, from = 0, ms = 10_000): Promise<number> {
    const match = (): RegExpExecArray | null => re.exec(this.screen.slice(from));
    if (!(await eventually(() => match() !== null, ms)))
      throw new Error(`timed out waiting for ${re} in:\n${this.screen.slice(from)}`);
    const m = match() as RegExpExecArray;
    return from + m.index + m[0].length;
  }

  /** Make sure nothing is left behind when a test fails half way. */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  async close(): Promise<number | null> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
