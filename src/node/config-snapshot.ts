/**
 * The configuration a node runs with, as `show` commands read it from the node (never from files on the
 * reader's disk): the start-time settings with what a reload replaced, and the dial-peers and classes as
 * loaded. Secrets are never served: passwords (digest credentials, Redis) become `********`.
 */
import { type DialConfig, dialConfig } from '../config/dial-config.js';
import type { Settings } from '../config/settings.js';
import type { NodeConfig } from '../state/node-reports.js';

const HIDDEN = '********';

export function configSnapshot(node: string, settings: Settings, source: DialConfig | undefined): NodeConfig {
  const dial = source ?? dialConfig();
  const hideCredential = <T extends { password: string }>(c: T): T => ({ ...c, password: HIDDEN });
  const ua = settings.sipUa;
  return {
    node,
    settings: {
      ...settings,
      redis: settings.redis === null ? null : settings.redis.replace(/(\/\/[^/@]*:)[^/@]*@/, `$1${HIDDEN}@`),
      redisOptions: Object.fromEntries(
        Object.entries(settings.redisOptions).map(([k, v]) => [k, /password/i.test(k) ? HIDDEN : v]),
      ),
      ...(ua === undefined
        ? {}
        : {
            sipUa: {
              ...ua,
              ...(ua.authentication ? { authentication: ua.authentication.map(hideCredential) } : {}),
              ...(ua.credentials ? { credentials: ua.credentials.map(hideCredential) } : {}),
            },
          }),
    },
    dialConfig: {
      ...dial,
      problems: [],
      dialPeers: dial.dialPeers.map((l) =>
        l.value.authentication === undefined
          ? l
          : { ...l, value: { ...l.value, authentication: hideCredential(l.value.authentication) } },
      ),
    },
  };
}
