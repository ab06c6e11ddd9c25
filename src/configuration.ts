/**
 * Everything the SBC is configured with, loaded at once: global settings (fosip.json, env, flags),
 * dial-peers and classes. Every problem of every file is gathered before failing, each with its file and
 * JSON pointer, so one `check-config` run shows them all.
 */
import path from 'node:path';
import { loadDialConfig } from './config/dial-config.js';
import { type Settings, type SettingsOverrides, defaultConfigDir, envOverrides, resolveSettings } from './config/settings.js';
import { type ConfigProblem, SbcError } from './errors.js';
import { compileDialPeers } from './routing/dial-peer.js';
import { DialPlan } from './routing/dial-plan.js';
import { parseRedisTarget } from './state/redis-connect.js';
import { parseListenSpec } from './transport/listen-spec.js';

export interface Configuration {
  settings: Settings;
  dialPlan: DialPlan;
  uriClassCount: number;
}

export function loadConfiguration(flags: SettingsOverrides, env: NodeJS.ProcessEnv): Configuration {
  const problems: ConfigProblem[] = [];
  let settings: Settings | undefined;
  try {
    settings = resolveSettings(flags, env);
    for (const [i, spec] of settings.listen.entries()) {
      try {
        parseListenSpec(spec);
      } catch (err) {
        problems.push({ file: path.join(settings.configDir, 'fosip.json'), pointer: `/listen/${i}`, message: (err as Error).message });
      }
    }
    const { portMin = 8000, portMax = 48198 } = settings.media;
    if (portMin >= portMax) {
      problems.push({ file: path.join(settings.configDir, 'fosip.json'), pointer: '/media/portMax', message: `must be above portMin (${portMin})` });
    }
    if (settings.redis !== null) {
      try {
        parseRedisTarget(settings.redis);
      } catch (err) {
        problems.push({ file: path.join(settings.configDir, 'fosip.json'), pointer: '/redis', message: (err as Error).message });
      }
    }
  } catch (err) {
    if (!(err instanceof SbcError)) throw err;
    problems.push(...err.problems);
  }
  const configDir = settings?.configDir ?? path.resolve(flags.configDir ?? envOverrides(env).configDir ?? defaultConfigDir());
  const dialConfig = loadDialConfig(configDir);
  problems.push(...dialConfig.problems);
  const compiled = compileDialPeers(dialConfig);
  problems.push(...compiled.problems);
  if (problems.length > 0 || settings === undefined) {
    throw new SbcError('SBC_ERR_CONFIG_INVALID', `configuration in ${configDir} is invalid`, problems);
  }
  return { settings, dialPlan: new DialPlan(compiled.peers), uriClassCount: dialConfig.uriClasses.length };
}
