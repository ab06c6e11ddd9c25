/** The `fosip` command line (commander): `start` and `check-config`. */
import { Command, Option } from 'commander';
import { LOG_LEVELS, type SettingsOverrides } from '../config/settings.js';
import { loadConfiguration } from '../node/configuration.js';
import { type ConfigProblem, SbcError, formatProblems } from '../errors/sbc-error.js';
import { execLine } from './exec.js';
import { execTree } from './exec-commands.js';
import { type ExecFlags, LazyContext, listCommands, runShell } from './shell-runner.js';
import { testSipProfile, testTranslationProfile, testTranslationRule } from './test-commands.js';
import { formatTrace } from '../observability/sip-trace.js';
import { type SourceFlags, openSource } from './state-source.js';
import { type AdminFlags, AdminClient } from './admin-client.js';
import { addImportCommand } from './import-command.js';
import { VERSION } from '../version.js';

/**
 * `fosip show <words...>` / `fosip clear <words...>`: the words go through the exec tree exactly as in the
 * shell (abbreviations included); the flags choose the source and the format.
 */
function addExecCommand(program: Command, verb: 'show' | 'clear', description: string): void {
  const cmd = program
    .command(`${verb} [words...]`)
    .description(description)
    .option('--redis <url>', 'the whole cluster through Redis (env FOSIP_REDIS_URL)')
    .option('--admin <url>', 'one node over its admin API (default http://127.0.0.1:9090)')
    .option('--token-file <file>', "a file holding the node's admin token (else env FOSIP_ADMIN_TOKEN)")
    .option('--json', 'print the records as JSON instead of the table')
    .option('--limit <n>', 'show call history: how many calls, newest first', '100')
    .option('--calling <number>', 'show dialplan number: the calling number', '')
    .option('--from-address <ip>', "show dialplan number: the previous hop's address (the Via a PBX writes)", '')
    .option('--via-uri <uri>', "show dialplan number: the previous hop's Via sent-by as a URI (sip:host:port)", '')
    .option('--codecs <list>', "show dialplan number: the caller's codecs, e.g. g711ulaw,g729r8", '')
    .action(async (words: string[], flags: ExecFlags & { fromAddress?: string; viaUri?: string; codecs?: string }) => {
      const ctx = new LazyContext(flags);
      try {
        const line = [verb, ...words].join(' ');
        const out = await execLine(execTree(), ctx, line, 0, {
          limit: flags.limit ?? '100',
          calling: flags.calling ?? '',
          from: flags.fromAddress ?? '',
          via: flags.viaUri ?? '',
          codecs: flags.codecs ?? '',
        });
        if (out.failed) {
          console.error(out.text.includes('^') ? `${line}\n${out.text}` : out.text);
          process.exitCode = 1;
        } else if (flags.json && out.data !== undefined) console.log(JSON.stringify(out.data, null, 2));
        else if (out.text !== '') console.log(out.text);
      } finally {
        await ctx.close();
      }
    });
  cmd.addHelpText('after', `\nCommands:\n${listCommands(execTree(), verb).join('\n')}`);
}

interface CommonFlags {
  configDir?: string;
  calling?: string;
  json?: boolean;
  listen?: string[];
  admin?: string;
  hostname?: string;
  logLevel?: string;
  logFormat?: string;
  redis?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function overrides(flags: CommonFlags): SettingsOverrides {
  return {
    configDir: flags.configDir,
    listen: flags.listen,
    admin: flags.admin,
    hostname: flags.hostname,
    logLevel: flags.logLevel,
    logFormat: flags.logFormat,
    redis: flags.redis,
  };
}

/** A failed command: the error (with every configuration problem) on stderr, exit status 1. */
export function reportAndExit(err: unknown): never {
  if (err instanceof SbcError) {
    console.error(`fosip: ${err.code}: ${err.message}`);
    if (err.problems.length > 0) console.error(formatProblems(err.problems));
  } else {
    console.error(`fosip: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
}

/** `fosip test sip-profile | translation-rule | translation-profile`: offline checks of rewriting classes. */
function addTestCommands(program: Command): void {
  const test = program
    .command('test')
    .description('try SIP profiles and translation rules offline, with the configuration on disk');
  const run = (flags: CommonFlags, body: (config: ReturnType<typeof loadConfiguration>) => string): void => {
    try {
      console.log(body(loadConfiguration(overrides(flags), process.env)));
    } catch (err) {
      reportAndExit(err);
    }
  };
  const tagOf = (text: string): number => {
    if (!/^\d+$/.test(text)) reportAndExit(new SbcError('SBC_ERR_USAGE', `"${text}" is not a tag number`));
    return Number(text);
  };
  test
    .command('sip-profile <tag> <message-file>')
    .description('print the message after the profile and which rules fired (Cisco SPT without the separate tool)')
    .addOption(
      new Option('--direction <dir>', 'as an inbound or an outbound profile').choices(['in', 'out']).default('out'),
    )
    .option('--peer <message-file>', "the other leg's message, for peer-header rules")
    .option('--config-dir <dir>', 'folder holding dialpeers/, profiles/ and fosip.json')
    .action((tag: string, file: string, flags: CommonFlags & { direction: 'in' | 'out'; peer?: string }) =>
      run(flags, (c) =>
        testSipProfile(c, tagOf(tag), file, {
          direction: flags.direction,
          ...(flags.peer !== undefined ? { peer: flags.peer } : {}),
        }),
      ),
    );
  test
    .command('translation-rule <tag> <number>')
    .description('IOS `test voice translation-rule`: the rule that matched and the translated number, or the block')
    .option('--config-dir <dir>', 'folder holding dialpeers/, profiles/ and fosip.json')
    .action((tag: string, number: string, flags: CommonFlags) =>
      run(flags, (c) => testTranslationRule(c, tagOf(tag), number)),
    );
  test
    .command('translation-profile <name>')
    .description('the called, calling and redirect numbers after a translation profile')
    .requiredOption('--called <number>', 'the called number')
    .option('--calling <number>', 'the calling number', '')
    .option('--redirect <number>', 'the redirect (diverting) number')
    .option('--config-dir <dir>', 'folder holding dialpeers/, profiles/ and fosip.json')
    .action((name: string, flags: CommonFlags & { called: string; redirect?: string }) =>
      run(flags, (c) =>
        testTranslationProfile(c, name, {
          called: flags.called,
          calling: flags.calling ?? '',
          redirectCalled: flags.redirect ?? null,
        }),
      ),
    );
}

/** What the program cannot do itself: run a node (main.ts owns the process that a node lives in). */
export interface ProgramHooks {
  /** `fosip start`: load the configuration with these overrides and run the node until the process ends. */
  start(overrides: SettingsOverrides): Promise<void>;
}

export function buildProgram(hooks: ProgramHooks): Command {
  const program = new Command('fosip')
    .description('FoSIP: an open-source, CUBE-like SIP session border controller')
    .version(VERSION, '-V, --version', 'print the version')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the SBC')
    .option(
      '--config-dir <dir>',
      'folder holding dialpeers/, profiles/ and fosip.json (env FOSIP_CONFIG_DIR; default: the FoSIP folder)',
    )
    .option(
      '--listen <spec>',
      'udp:IP:PORT or tcp:IP:PORT, IPv6 as udp:[::1]:5060; repeatable (env FOSIP_LISTEN, comma-separated)',
      collect,
    )
    .option('--admin <ip:port>', 'admin HTTP server, e.g. 127.0.0.1:9090 (env FOSIP_ADMIN)')
    .option(
      '--hostname <name>',
      'the IOS-style prompt name, also the Warning agent and the node name in Redis (env FOSIP_HOSTNAME)',
    )
    .option('--redis <url>', 'share call state through Redis, e.g. redis://127.0.0.1:6379/0 (env FOSIP_REDIS_URL)')
    .addOption(new Option('--log-level <level>', 'log level (env FOSIP_LOG_LEVEL)').choices(LOG_LEVELS))
    .addOption(
      new Option(
        '--log-format <format>',
        'json (default) or pretty: one readable line per event (env FOSIP_LOG_FORMAT)',
      ).choices(['json', 'pretty']),
    )
    .action(async (flags: CommonFlags) => {
      try {
        await hooks.start(overrides(flags));
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
        const { settings, dialPlan, uriClassCount, rewrite } = loadConfiguration(overrides(flags), process.env);
        console.log(
          `configuration in ${settings.configDir} is valid: ${dialPlan.peers.length} dial-peers, ${uriClassCount} uri classes, ` +
            `${rewrite.sipProfiles.size} sip-profiles, ${rewrite.translationRules.size} translation-rules, ${rewrite.translationProfiles.size} translation-profiles`,
        );
      } catch (err) {
        reportAndExit(err);
      }
    });

  program
    .command('drain')
    .description(
      'make a running node stop taking calls (503 to INVITE and OPTIONS), wait for the calls in progress (at most --grace seconds, default drainGraceSeconds), then exit',
    )
    .option('--admin <url>', "the node's admin API (default http://127.0.0.1:9090)")
    .option('--token-file <file>', "a file holding the node's admin token (else env FOSIP_ADMIN_TOKEN)")
    .option('--grace <seconds>', 'how long the calls in progress may go on')
    .action(async (flags: AdminFlags & { grace?: string }) => {
      try {
        const client = new AdminClient(flags, process.env);
        const query = flags.grace === undefined ? '' : `?grace=${encodeURIComponent(flags.grace)}`;
        const body = await client.json<{ calls?: number }>(`/api/drain${query}`, 'POST');
        console.log(
          `draining: new calls get 503; the node exits when its ${body.calls ?? 0} calls in progress have ended${flags.grace === undefined ? '' : ` (at most ${flags.grace} s)`}`,
        );
      } catch (err) {
        reportAndExit(err);
      }
    });

  program
    .command('reload')
    .description('make a running node read its dial-peers, profiles and fosip.json again (as SIGHUP does); calls go on')
    .option('--admin <url>', "the node's admin API (default http://127.0.0.1:9090)")
    .option('--token-file <file>', "a file holding the node's admin token (else env FOSIP_ADMIN_TOKEN)")
    .action(async (flags: AdminFlags) => {
      try {
        const client = new AdminClient(flags, process.env);
        const reply = await client.request('/api/reload', 'POST');
        if (reply.status === 401 || reply.status === 403) throw client.failure('/api/reload', reply);
        const body = JSON.parse(reply.body) as { dialPeers?: number; error?: string; problems?: ConfigProblem[] };
        if (reply.status !== 200)
          reportAndExit(
            new SbcError('SBC_ERR_CONFIG_INVALID', `not reloaded: ${body.error ?? reply.status}`, body.problems ?? []),
          );
        console.log(`configuration reloaded: ${body.dialPeers ?? 0} dial-peers`);
      } catch (err) {
        reportAndExit(err);
      }
    });
  program
    .command('debug')
    .description(
      'IOS debug: `fosip debug ccsip messages [--call <id>]` prints every SIP message the node(s) send and receive until Ctrl-C',
    )
    .argument('<words...>', 'ccsip messages')
    .option('--call <id>', 'only this call (the id in show call active voice brief)')
    .option('--redis <url>', 'every node of the cluster through Redis (env FOSIP_REDIS_URL)')
    .option('--admin <url>', 'one node over its admin API (default http://127.0.0.1:9090)')
    .option('--token-file <file>', "a file holding the node's admin token (else env FOSIP_ADMIN_TOKEN)")
    .action(async (words: string[], flags: SourceFlags & { call?: string }) => {
      if (words.join(' ') !== 'ccsip messages')
        reportAndExit(
          new SbcError('SBC_ERR_USAGE', `unknown debug "${words.join(' ')}" (there is: debug ccsip messages)`),
        );
      const view = openSource(flags, process.env);
      try {
        const stop = await view.trace(flags.call ?? null, (ev) => process.stdout.write(`${formatTrace(ev)}\n`));
        console.error(
          `SIP Call messages tracing is enabled${flags.call ? ` for call ${flags.call}` : ''} (Ctrl-C stops)`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await stop();
      } catch (err) {
        reportAndExit(err);
      } finally {
        await view.close();
      }
    });
  program
    .command('monitor')
    .description(
      'IOS monitor capture: `fosip monitor capture start|stop|status` writes pcap files of what a node sends and receives',
    )
    .argument('<what>', 'capture')
    .argument('<action>', 'start, stop or status')
    .option(
      '--file <name>',
      "the pcap file's name, written in the node's capture.directory (with --ring, the name the numbered files are made from)",
    )
    .option('--call <id>', 'only this call')
    .option('--media', 'RTP and RTCP too (SIP is always captured)')
    .option('--ring <files>', 'keep only the newest <files> files...')
    .option('--size <MiB>', '...of this size each')
    .option('--duration <s>', 'stop by itself after this long')
    .option('--admin <url>', "the node's admin API (default http://127.0.0.1:9090); the node writes the files")
    .option('--token-file <file>', "a file holding the node's admin token (else env FOSIP_ADMIN_TOKEN)")
    .action(
      async (
        what: string,
        action: string,
        flags: {
          file?: string;
          call?: string;
          media?: boolean;
          ring?: string;
          size?: string;
          duration?: string;
        } & AdminFlags,
      ) => {
        try {
          if (what !== 'capture' || !['start', 'stop', 'status'].includes(action))
            throw new SbcError('SBC_ERR_USAGE', 'usage: fosip monitor capture start|stop|status');
          const body =
            action !== 'start'
              ? undefined
              : JSON.stringify({
                  file: flags.file,
                  call: flags.call ?? null,
                  media: flags.media === true,
                  ring:
                    flags.ring === undefined
                      ? null
                      : { files: Number(flags.ring), sizeBytes: Number(flags.size ?? '10') * 1024 * 1024 },
                  durationMs: flags.duration === undefined ? null : Number(flags.duration) * 1000,
                });
          const client = new AdminClient(flags, process.env);
          const path = `/api/capture${action === 'status' ? '' : `/${action}`}`;
          const answer = await client.request(path, action === 'status' ? 'GET' : 'POST', body ?? '');
          if (answer.status === 401 || answer.status === 403) throw client.failure(path, answer);
          const reply = JSON.parse(answer.body) as { error?: string } | null;
          if (answer.status !== 200)
            throw new SbcError('SBC_ERR_ADMIN_API', `capture ${action}: ${reply?.error ?? answer.status}`);
          console.log(JSON.stringify(reply, null, 2));
        } catch (err) {
          reportAndExit(err);
        }
      },
    );
  addTestCommands(program);
  addImportCommand(program, reportAndExit);
  addExecCommand(program, 'show', 'IOS-style show commands, e.g. `fosip show cube calls` or `fosip show cu ca`');
  addExecCommand(program, 'clear', 'IOS-style clear commands, e.g. `fosip clear call voice causecode 16 id <call id>`');
  program
    .command('shell')
    .description(
      'the IOS-like exec shell (prompt <hostname>#): ?, Tab, abbreviations, | include; reads stdin when it is not a terminal',
    )
    .option('--redis <url>', 'the whole cluster through Redis (env FOSIP_REDIS_URL)')
    .option('--admin <url>', 'one node over its admin API (default http://127.0.0.1:9090)')
    .option('--token-file <file>', "a file holding the node's admin token (else env FOSIP_ADMIN_TOKEN)")
    .option('--hostname <name>', 'the prompt name (default: the node behind --admin, else this machine)')
    .action(async (flags: ExecFlags) => {
      const ctx = new LazyContext(flags);
      try {
        await runShell(ctx);
      } catch (err) {
        reportAndExit(err);
      } finally {
        await ctx.close();
      }
    });

  return program;
}
