/**
 * Everything the SBC is configured with, loaded at once: global settings (fosip.json, env, flags),
 * dial-peers and classes. Every problem of every file is gathered before failing, each with its file and
 * JSON pointer, so one `check-config` run shows them all.
 */
import path from 'node:path';
import { parseSessionTarget } from '../routing/session-target.js';
import { type DialConfig, loadDialConfig } from '../config/dial-config.js';
import { type KeepaliveProfile, keepaliveProfile } from '../keepalive/keepalive-manager.js';
import {
  type Settings,
  type SettingsOverrides,
  defaultConfigDir,
  envOverrides,
  resolveSettings,
} from '../config/settings.js';
import { type ConfigProblem, SbcError } from '../errors/sbc-error.js';
import type { GlobalProfiles } from '../b2bua/leg-profiles.js';
import { compileDialPeers } from '../routing/dial-peer.js';
import { type RewriteClasses, compileRewriteClasses } from '../rewrite/rewrite-classes.js';
import { headerKey } from '../sip/header-names.js';
import { DialPlan } from '../routing/dial-plan.js';
import { parseRedisTarget } from '../state/redis-connect.js';
import { parseListenSpec } from '../transport/listen-spec.js';
import { parseCidr } from '../security/cidr.js';
import { parseNgAddress } from '../media/rtpengine/ng-client.js';

export interface Configuration {
  settings: Settings;
  dialPlan: DialPlan;
  uriClassCount: number;
  /** SIP profiles, translation rules and profiles, compiled (the offline test commands use them too). */
  rewrite: RewriteClasses;
  /** The global SIP profiles named in fosip.json. */
  profiles: GlobalProfiles;
  /** The dial-peers and classes as they were read (each value with its file): what `show` is shown from. */
  source: DialConfig;
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
        problems.push({
          file: path.join(settings.configDir, 'fosip.json'),
          pointer: `/listen/${i}`,
          message: (err as Error).message,
        });
      }
    }
    const { portMin = 8000, portMax = 48198 } = settings.media;
    if (portMin >= portMax) {
      problems.push({
        file: path.join(settings.configDir, 'fosip.json'),
        pointer: '/media/portMax',
        message: `must be above portMin (${portMin})`,
      });
    }
    for (const [i, block] of (settings.trustedList ?? []).entries()) {
      try {
        parseCidr(block);
      } catch (err) {
        problems.push({
          file: path.join(settings.configDir, 'fosip.json'),
          pointer: `/trustedList/${i}`,
          message: (err as Error).message,
        });
      }
    }
    const file = path.join(settings.configDir, 'fosip.json');
    problems.push(...mediaEngineProblems(settings, file));
    for (const [i, r] of (settings.sipUa?.registrar ?? []).entries()) {
      try {
        parseSessionTarget(r.target);
      } catch (err) {
        problems.push({ file, pointer: `/sipUa/registrar/${i}/target`, message: (err as Error).message });
      }
    }
    if ((settings.sipUa?.registrar?.length ?? 0) > 0 && (settings.sipUa?.credentials?.length ?? 0) === 0) {
      problems.push({
        file,
        pointer: '/sipUa/credentials',
        message: 'a registrar needs at least one credential to register',
      });
    }
    if (settings.redis !== null) {
      try {
        parseRedisTarget(settings.redis);
      } catch (err) {
        problems.push({
          file: path.join(settings.configDir, 'fosip.json'),
          pointer: '/redis',
          message: (err as Error).message,
        });
      }
    }
  } catch (err) {
    if (!(err instanceof SbcError)) throw err;
    problems.push(...err.problems);
  }
  const configDir =
    settings?.configDir ?? path.resolve(flags.configDir ?? envOverrides(env).configDir ?? defaultConfigDir());
  const dialConfig = loadDialConfig(configDir);
  problems.push(...dialConfig.problems);
  const compiled = compileConfiguration(settings, dialConfig);
  problems.push(...compiled.problems);
  if (problems.length > 0 || settings === undefined) {
    throw new SbcError('SBC_ERR_CONFIG_INVALID', `configuration in ${configDir} is invalid`, problems);
  }
  return {
    settings,
    dialPlan: compiled.dialPlan,
    uriClassCount: dialConfig.uriClasses.length,
    rewrite: compiled.rewrite,
    profiles: compiled.profiles,
    source: compiled.source,
  };
}

/** Dial-peers and classes compiled against each other and the settings; every problem gathered. */
export function compileConfiguration(
  settings: Settings | undefined,
  dialConfig: DialConfig,
): Omit<Configuration, 'settings' | 'uriClassCount'> & { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const rewrite = compileRewriteClasses(dialConfig, headerKey);
  problems.push(...rewrite.problems);
  const keepalive = compileKeepaliveProfiles(dialConfig, rewrite.classes, problems);
  const compiled = compileDialPeers(dialConfig, { rewrite: rewrite.classes, keepalive }, headerKey);
  problems.push(...compiled.problems);
  const profiles = globalProfiles(settings, rewrite.classes, problems);
  for (const { file, pointer, value } of dialConfig.dialPeers) {
    if (value.mediaEngine === 'rtpengine' && (settings?.media.rtpengine?.length ?? 0) === 0) {
      problems.push({
        file,
        pointer: `${pointer}/mediaEngine`,
        message: 'rtpengine needs media.rtpengine in fosip.json (its ng addresses)',
      });
    }
    const engine = value.mediaEngine ?? settings?.media.engine ?? 'builtin';
    if (value.srtp === 'fallback' && (engine !== 'rtpengine' || value.media === 'flow-around')) {
      problems.push({
        file,
        pointer: `${pointer}/srtp`,
        message:
          'srtp fallback needs media through rtpengine (mediaEngine or media.engine "rtpengine", flow-through): ' +
          'only rtpengine encrypts and decrypts',
      });
    }
  }
  return { dialPlan: new DialPlan(compiled.peers), rewrite: rewrite.classes, profiles, problems, source: dialConfig };
}

/** Keepalive profiles by tag; the SIP profile one names must exist. */
function compileKeepaliveProfiles(
  config: DialConfig,
  classes: RewriteClasses,
  problems: ConfigProblem[],
): Map<number, KeepaliveProfile> {
  const out = new Map<number, KeepaliveProfile>();
  for (const { file, pointer, value } of config.keepaliveProfiles) {
    if (out.has(value.tag))
      problems.push({
        file,
        pointer: `${pointer}/tag`,
        message: `sip-options-keepalive ${value.tag} is defined twice`,
      });
    if (value.sipProfiles !== undefined && !classes.sipProfiles.has(value.sipProfiles)) {
      problems.push({
        file,
        pointer: `${pointer}/sipProfiles`,
        message: `no sip-profiles ${value.sipProfiles} in profiles/`,
      });
    }
    if (!out.has(value.tag)) out.set(value.tag, keepaliveProfile(value));
  }
  return out;
}

/** The profiles fosip.json names, resolved; a tag with no profile is a problem at its field. */
function globalProfiles(
  settings: Settings | undefined,
  classes: RewriteClasses,
  problems: ConfigProblem[],
): GlobalProfiles {
  const get = (field: 'sipProfiles' | 'sipProfilesInbound'): GlobalProfiles['inbound'] => {
    const tag = settings?.[field];
    if (tag === undefined || settings === undefined) return null;
    const p = classes.sipProfiles.get(tag);
    if (p === undefined)
      problems.push({
        file: path.join(settings.configDir, 'fosip.json'),
        pointer: `/${field}`,
        message: `no sip-profiles ${tag} in profiles/`,
      });
    return p ?? null;
  };
  return { outbound: get('sipProfiles'), inbound: get('sipProfilesInbound') };
}

/** The rtpengine instances must be addresses we can send to, and an rtpengine engine must have some. */
function mediaEngineProblems(settings: Settings, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fleet = settings.media.rtpengine ?? [];
  for (const [i, member] of fleet.entries()) {
    try {
      parseNgAddress(member.ng);
    } catch (err) {
      problems.push({ file, pointer: `/media/rtpengine/${i}/ng`, message: (err as Error).message });
    }
    if (fleet.findIndex((m) => m.ng === member.ng) !== i) {
      problems.push({ file, pointer: `/media/rtpengine/${i}/ng`, message: `${member.ng} is listed twice` });
    }
  }
  if (settings.media.engine === 'rtpengine' && fleet.length === 0) {
    problems.push({ file, pointer: '/media/rtpengine', message: 'media.engine rtpengine needs at least one instance' });
  }
  return problems;
}

/** A node's configuration (what it serves to `show`) compiled as the node compiled it. */
export function configurationOf(settings: Settings, source: DialConfig): Configuration {
  const compiled = compileConfiguration(settings, source);
  return {
    settings,
    dialPlan: compiled.dialPlan,
    uriClassCount: source.uriClasses.length,
    rewrite: compiled.rewrite,
    profiles: compiled.profiles,
    source,
  };
}
