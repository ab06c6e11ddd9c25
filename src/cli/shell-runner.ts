/** What the exec commands read (opened on first use) and how `fosip shell` starts on a terminal or a pipe. */
import os from 'node:os';
import type { ReadStream } from 'node:tty';
import { type Configuration, configurationOf } from '../node/configuration.js';
import type { StateView } from '../node/state-view.js';
import type { CommandNode, ExecContext } from './command-tree.js';
import { ExecShell, runScript } from './shell.js';
import { type SourceFlags, openSource } from './state-source.js';
import { runTerminal } from './terminal-session.js';

export interface ExecFlags extends SourceFlags {
  json?: boolean;
  limit?: string;
  calling?: string;
  hostname?: string;
}

/** Opens the state source and reads the configuration only when a command needs them. */
export class LazyContext implements ExecContext {
  private opened: StateView | undefined;
  private loaded: Promise<Configuration> | undefined;

  constructor(private readonly flags: ExecFlags) {}

  view(): StateView {
    this.opened ??= openSource(this.flags, process.env);
    return this.opened;
  }

  /** The configuration the node (or the cluster's first live node) runs with: never files on this disk. */
  configuration(): Promise<Configuration> {
    this.loaded ??= this.view()
      .configuration()
      .then((c) => configurationOf(c.settings, c.dialConfig));
    return this.loaded;
  }

  /** The prompt name: --hostname, else the node behind --admin, else this machine. */
  async hostname(): Promise<string> {
    if (this.flags.hostname !== undefined) return this.flags.hostname;
    if (this.flags.redis === undefined && process.env['FOSIP_REDIS_URL'] === undefined) {
      try {
        const [node] = await this.view().nodes();
        if (node !== undefined) return node.node;
      } catch {
        // the node is not reachable yet: the shell still starts, and its commands will say so
      }
    }
    return os.hostname().split('.')[0] ?? 'fosip';
  }

  async close(): Promise<void> {
    await this.opened?.close();
  }
}

/** The full command lines under `verb`, for `fosip show --help`. */
export function listCommands(root: CommandNode, verb: string): string[] {
  const out: string[] = [];
  const walk = (node: CommandNode, words: string[]): void => {
    if (node.run !== undefined) out.push(`  ${words.join(' ')}`);
    for (const c of node.children) walk(c, [...words, c.word]);
  };
  const top = root.children.find((c) => c.word === verb);
  if (top !== undefined) walk(top, [verb]);
  return out;
}

export async function runShell(ctx: LazyContext): Promise<void> {
  const stdin = process.stdin as ReadStream;
  const interactive = stdin.isTTY;
  const shell = new ExecShell(await ctx.hostname(), ctx, interactive);
  try {
    if (interactive) await runTerminal(shell, stdin, process.stdout);
    else await runScript(shell, stdin, process.stdout);
  } finally {
    await shell.stopDebug();
  }
}
