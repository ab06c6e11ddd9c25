/**
 * Entry point of the `fosip` executable, and the owner of the process: the command line is parsed by
 * cli/program.ts; `fosip start` comes back here to run a node, and the process's signals, exit and last
 * resort for errors are handled here and nowhere else.
 */
import type { SettingsOverrides } from './config/settings.js';
import { SbcError, formatProblems } from './errors/sbc-error.js';

export async function main(argv: string[]): Promise<void> {
  const { buildProgram } = await import('./cli/program.js');
  await buildProgram({ start: runNode }).parseAsync(argv);
}

/**
 * `fosip start`: the node runs until a signal stops it. SIGTERM drains (no new calls; those in progress get
 * drainGraceSeconds to end), a second SIGTERM or SIGINT stops at once, SIGHUP reads the configuration again.
 */
async function runNode(overrides: SettingsOverrides): Promise<void> {
  const { loadConfiguration } = await import('./node/configuration.js');
  const { SbcNode } = await import('./node/node.js');
  const config = loadConfiguration(overrides, process.env);
  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    node.log.info({ why }, 'shutting down');
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  const node = await SbcNode.start(config.settings, {
    config,
    reload: () => loadConfiguration(overrides, process.env),
    onDrained: () => stop('drained'),
  });
  const drainThenStop = (): void => {
    if (node.drain.active) return stop('SIGTERM again');
    void node.drain.start((config.settings.drainGraceSeconds ?? 60) * 1000).then(() => stop('SIGTERM'));
  };
  process.on('SIGHUP', () => {
    try {
      node.reload();
    } catch (err) {
      node.log.error(
        { err: err instanceof SbcError ? formatProblems(err.problems) || err.message : err },
        'configuration not reloaded: it is invalid; the running one stays',
      );
    }
  });
  process.on('SIGTERM', drainThenStop);
  process.on('SIGINT', () => stop('SIGINT'));
  // a bug in one call's asynchronous step must not end every other call with the process: logged, not fatal
  process.on('unhandledRejection', (err) => node.log.error({ err }, 'unhandled rejection (a bug: please report it)'));
}
