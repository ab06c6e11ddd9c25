/** The `fosip` command line (commander): `start` and `check-config`. */
import { Command, Option } from 'commander';
import { LOG_LEVELS, type SettingsOverrides } from '../config/settings.js';
import { loadConfiguration } from '../configuration.js';
import { SbcError, formatProblems } from '../errors.js';
import { VERSION } from '../version.js';
import { renderActiveBrief, renderActiveCompact, renderActiveSummary, renderCubeCalls, renderCubeStatus, renderHistoryBrief, renderSipUaCalls } from './show-calls.js';
import { dialplanReport, renderDialplan } from './show-dialplan.js';
import { dialPeerJson, renderDialPeer, renderDialPeerSummary } from './show-dial-peers.js';
import { renderSipStats } from './show-stats.js';
import { type SourceFlags, openSource } from './state-source.js';
import type { StateView } from '../state/cluster-view.js';

interface ShowFlags extends SourceFlags {
  json?: boolean;
  limit?: string;
}

/** A show command over the cluster (--redis) or one node (--admin): JSON or the CUBE-like table. */
function showCommand(parent: Command, name: string, description: string, read: (view: StateView, flags: ShowFlags) => Promise<[unknown, string]>): Command {
  return parent
    .command(name)
    .description(description)
    .option('--redis <url>', 'read the whole cluster from Redis (env FOSIP_REDIS_URL)')
    .option('--admin <url>', 'read one node over its admin API (default http://127.0.0.1:9090)')
    .option('--json', 'print JSON (the stored records) instead of the table')
    .action(async (flags: ShowFlags) => {
      const view = openSource(flags, process.env);
      try {
        const [data, text] = await read(view, flags);
        console.log(flags.json ? JSON.stringify(data, null, 2) : text);
      } catch (err) {
        reportAndExit(err);
      } finally {
        await view.close();
      }
    });
}

interface CommonFlags {
  configDir?: string;
  calling?: string;
  json?: boolean;
  listen?: string[];
  admin?: string;
  hostname?: string;
  logLevel?: string;
  redis?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function overrides(flags: CommonFlags): SettingsOverrides {
  return { configDir: flags.configDir, listen: flags.listen, admin: flags.admin, hostname: flags.hostname, logLevel: flags.logLevel, redis: flags.redis };
}

function reportAndExit(err: unknown): never {
  if (err instanceof SbcError) {
    console.error(`fosip: ${err.code}: ${err.message}`);
    if (err.problems.length > 0) console.error(formatProblems(err.problems));
  } else {
    console.error(`fosip: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
}

export function buildProgram(): Command {
  const program = new Command('fosip')
    .description('FoSIP: an open-source, CUBE-like SIP session border controller')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the SBC')
    .option('--config-dir <dir>', 'folder holding dialpeers/, profiles/ and fosip.json (env FOSIP_CONFIG_DIR; default: the FoSIP folder)')
    .option('--listen <spec>', 'udp:IP:PORT or tcp:IP:PORT, IPv6 as udp:[::1]:5060; repeatable (env FOSIP_LISTEN, comma-separated)', collect)
    .option('--admin <ip:port>', 'admin HTTP server, e.g. 127.0.0.1:9090 (env FOSIP_ADMIN)')
    .option('--hostname <name>', 'the IOS-style prompt name, also the Warning agent and the node name in Redis (env FOSIP_HOSTNAME)')
    .option('--redis <url>', 'share call state through Redis, e.g. redis://127.0.0.1:6379/0 (env FOSIP_REDIS_URL)')
    .addOption(new Option('--log-level <level>', 'log level (env FOSIP_LOG_LEVEL)').choices(LOG_LEVELS))
    .action(async (flags: CommonFlags) => {
      try {
        const { settings, dialPlan } = loadConfiguration(overrides(flags), process.env);
        const { App } = await import('../app.js');
        const app = await App.start(settings, { dialPlan });
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          app.log.info({ signal }, 'shutting down');
          app.stop().then(() => process.exit(0), () => process.exit(1));
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
      } catch (err) {
        reportAndExit(err);
      }
    });

  program
    .command('check-config')
    .description('validate the configuration and print every problem; exits non-zero if there is one')
    .option('--config-dir <dir>', 'folder holding dialpeers/, profiles/ and fosip.json')
    .action((flags: CommonFlags) => {
      try {
        const { settings, dialPlan, uriClassCount } = loadConfiguration(overrides(flags), process.env);
        console.log(`configuration in ${settings.configDir} is valid: ${dialPlan.peers.length} dial-peers, ${uriClassCount} uri classes`);
      } catch (err) {
        reportAndExit(err);
      }
    });

  program
    .command('clear')
    .description('IOS-style clear commands')
    .command('call')
    .description('calls')
    .command('voice')
    .description('voice calls')
    .command('causecode <cause> <id> <callId>')
    .description('end call <callId> (see show call active voice brief) with Q.850 cause <cause>: clear call voice causecode 16 id <callId>')
    .option('--redis <url>', 'find the call in the cluster through Redis (env FOSIP_REDIS_URL)')
    .option('--admin <url>', 'the node over its admin API (default http://127.0.0.1:9090)')
    .action(async (cause: string, idWord: string, callId: string, flags: SourceFlags) => {
      const n = Number(cause);
      if (idWord !== 'id' || !Number.isInteger(n) || n < 1 || n > 127) {
        console.error('% Invalid input: clear call voice causecode <1-127> id <call id>');
        process.exit(1);
      }
      const view = openSource(flags, process.env);
      try {
        if (!(await view.clear(callId, n))) {
          console.error(`% No active call ${callId}`);
          process.exitCode = 1;
        }
      } catch (err) {
        reportAndExit(err);
      } finally {
        await view.close();
      }
    });

  const clearSipUa = program.commands.find((c) => c.name() === 'clear')?.command('sip-ua').description('SIP user agent');
  clearSipUa
    ?.command('statistics')
    .description('reset the SIP counters (every node with --redis)')
    .option('--redis <url>', 'every node of the cluster (env FOSIP_REDIS_URL)')
    .option('--admin <url>', 'one node over its admin API (default http://127.0.0.1:9090)')
    .action(async (flags: SourceFlags) => {
      const view = openSource(flags, process.env);
      try {
        const nodes = await view.clearStats();
        if (nodes === 0) {
          console.error('% No node took the command');
          process.exitCode = 1;
        }
      } catch (err) {
        reportAndExit(err);
      } finally {
        await view.close();
      }
    });

  const show = program.command('show').description('IOS-style show commands');
  const sipUa = show.command('sip-ua').description('SIP user agent');
  showCommand(sipUa, 'calls', 'every SIP leg (UAC outbound, UAS inbound) with its state and addresses', async (v) => {
    const calls = await v.calls();
    return [calls, renderSipUaCalls(calls)];
  });
  showCommand(sipUa, 'statistics', 'SIP requests and responses by method and class, in and out, retries', async (v) => {
    const stats = await v.stats();
    return [stats, renderSipStats(stats)];
  });
  const cube = show.command('cube').description('calls and status of the deployment');
  showCommand(cube, 'calls', 'the SIP legs of every active call', async (v) => {
    const calls = await v.calls();
    return [calls, renderCubeCalls(calls)];
  });
  showCommand(cube, 'status', 'version, nodes and their call counts', async (v) => {
    const nodes = await v.nodes();
    return [{ version: VERSION, nodes }, renderCubeStatus(VERSION, nodes)];
  });
  show
    .command('dial-peer')
    .description('dial-peers')
    .command('voice <which>')
    .description('`summary` (one line each) or a dial-peer tag (its details)')
    .option('--config-dir <dir>', 'folder holding dialpeers/, profiles/ and fosip.json')
    .option('--json', 'print JSON instead of the table')
    .action((which: string, flags: CommonFlags) => {
      try {
        const { dialPlan } = loadConfiguration(overrides(flags), process.env);
        if (which === 'summary') {
          console.log(flags.json ? JSON.stringify(dialPlan.peers.map(dialPeerJson), null, 2) : renderDialPeerSummary(dialPlan.peers));
          return;
        }
        const dp = dialPlan.byTag(Number(which));
        if (dp === undefined) {
          console.error(`% dial-peer ${which} does not exist`);
          process.exit(1);
        }
        console.log(flags.json ? JSON.stringify(dialPeerJson(dp), null, 2) : renderDialPeer(dp));
      } catch (err) {
        reportAndExit(err);
      }
    });

  const voice = show.command('call').description('active and ended calls');
  const activeVoice = voice.command('active').description('active calls').command('voice').description('voice calls');
  showCommand(activeVoice, 'brief', 'one line per call leg', async (v) => {
    const calls = await v.calls();
    return [calls, renderActiveBrief(calls)];
  });
  showCommand(activeVoice, 'compact', 'one short line per call leg', async (v) => {
    const calls = await v.calls();
    return [calls, renderActiveCompact(calls)];
  });
  showCommand(activeVoice, 'summary', 'call counts per node and state', async (v) => {
    const calls = await v.calls();
    return [calls, renderActiveSummary(calls)];
  });
  showCommand(voice.command('history').description('ended calls').command('voice').description('voice calls'), 'brief', 'the most recent ended calls with their causes', async (v, f) => {
    const cdrs = await v.history(Number(f.limit ?? 100) || 100);
    return [cdrs, renderHistoryBrief(cdrs)];
  }).option('--limit <n>', 'how many calls (newest first)', '100');
  show
    .command('dialplan')
    .description('which dial-peers a call would use')
    .command('number <digits>')
    .description('the inbound dial-peer and the outbound dial-peers in hunt order for a call to <digits>')
    .option('--config-dir <dir>', 'folder holding dialpeers/, profiles/ and fosip.json')
    .option('--calling <number>', 'the calling number (for answer-address and inbound destination-pattern)', '')
    .option('--json', 'print JSON instead of the table')
    .action((digits: string, flags: CommonFlags) => {
      try {
        const { dialPlan } = loadConfiguration(overrides(flags), process.env);
        const report = dialplanReport(dialPlan, digits, flags.calling ?? '');
        console.log(flags.json ? JSON.stringify(report, null, 2) : renderDialplan(report));
      } catch (err) {
        reportAndExit(err);
      }
    });

  return program;
}
