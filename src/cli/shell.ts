/**
 * `fosip shell`: the IOS exec mode. The prompt is `<hostname>#`; commands are those of the exec tree plus
 * the shell's own (`terminal length`, `show history`, `exit`). The terminal side (line editing, `?`, Tab,
 * `--More--`) lives in terminal-session.ts; without a terminal, commands are read line by line (scripts).
 */
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type CommandNode, type ExecContext, keyword, rangeArgument } from './command-tree.js';
import { execTree } from './exec-commands.js';
import { execLine } from './exec.js';
import { formatTrace } from '../observability/sip-trace.js';

/** IOS's default page length on a terminal; `terminal length 0` turns paging off. */
export const DEFAULT_TERMINAL_LENGTH = 24;

export class ExecShell {
  readonly prompt: string;
  readonly tree: CommandNode;
  readonly history: string[] = [];
  terminalLength: number;
  exiting = false;
  /** `debug ccsip messages` in progress: how to stop it (`undebug all`, leaving the shell). */
  private stopTrace: (() => Promise<void>) | null = null;

  constructor(
    hostname: string,
    private readonly ctx: ExecContext,
    interactive: boolean,
    /** Where debug output goes while the shell waits for commands. */
    private readonly print: (text: string) => void = (text) => void process.stdout.write(text),
  ) {
    this.prompt = `${hostname}#`;
    this.terminalLength = interactive ? DEFAULT_TERMINAL_LENGTH : 0;
    const leave = (): Promise<{ data: null; text: string }> => {
      this.exiting = true;
      return Promise.resolve({ data: null, text: '' });
    };
    const own: CommandNode[] = [
      keyword('terminal', 'Set terminal line parameters', [
        keyword('length', 'Set number of lines on a screen', [
          rangeArgument(0, 512, 'Number of lines on screen (0 for no pausing)', [], (_c, args) => {
            this.terminalLength = Number(args['<0-512>']);
            return Promise.resolve({ data: null, text: '' });
          }),
        ]),
      ]),
      keyword('debug', "Debugging functions (see also 'undebug')", [
        keyword('ccsip', 'Enable CCSIP debugging', [
          keyword('messages', 'Every SIP message sent and received', [], async () => {
            if (this.stopTrace === null)
              this.stopTrace = await this.ctx.view().trace(null, (ev) => this.print(`${formatTrace(ev)}\n`));
            return { data: null, text: 'SIP Call messages tracing is enabled' };
          }),
        ]),
      ]),
      keyword('undebug', "Disable debugging functions (see also 'debug')", [
        keyword('all', 'Disable all debugging', [], async () => {
          await this.stopDebug();
          return { data: null, text: 'All possible debugging has been turned off' };
        }),
      ]),
      keyword('exit', 'Exit from the EXEC', [], leave),
      keyword('logout', 'Exit from the EXEC', [], leave),
      keyword('quit', 'Exit from the EXEC', [], leave),
    ];
    const showOwn: CommandNode[] = [
      keyword('history', 'Information about the commands typed in this session', [], () =>
        Promise.resolve({ data: this.history, text: this.history.map((h) => `  ${h}`).join('\n') }),
      ),
      keyword('terminal', 'Terminal line parameters', [], () =>
        Promise.resolve({ data: { length: this.terminalLength }, text: `Length: ${this.terminalLength} lines` }),
      ),
    ];
    this.tree = execTree(own, showOwn);
  }

  /** Stop any debug output (`undebug all`, and when the shell ends). */
  async stopDebug(): Promise<void> {
    const stop = this.stopTrace;
    this.stopTrace = null;
    await stop?.();
  }

  /** Run one typed line; the text to print (an empty string prints nothing). */
  async run(line: string): Promise<string> {
    const typed = line.trim();
    if (typed !== '' && !typed.endsWith('?') && this.history.at(-1) !== typed) this.history.push(typed);
    const out = await execLine(this.tree, this.ctx, line, this.prompt.length);
    return out.text;
  }
}

/** Without a terminal: read commands a line at a time, echoing each after the prompt like a transcript. */
export async function runScript(shell: ExecShell, input: Readable, output: Writable): Promise<void> {
  const rl = readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      output.write(`${shell.prompt}${line}\n`);
      const text = await shell.run(line);
      if (text !== '') output.write(`${text}\n`);
      if (shell.exiting) break;
    }
  } finally {
    rl.close();
  }
}
