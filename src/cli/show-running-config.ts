/**
 * `show running-config`: the configuration the node runs with (served by the node, passwords hidden), as
 * IOS prints it for the global settings CUBE has (voice service voip, sip-ua), the classes and the dial-peers,
 * then every global setting as fosip.json has it; `--json` gives
 * the files themselves (`fosip.json`, then every dial-peer and class), which a folder can be made of again.
 */
import type { DialPeerJson } from '../config/dial-config.js';
import type { Settings } from '../config/settings.js';
import type { NodeConfig } from '../state/node-reports.js';
import { type ClassJson, classLines } from './running-config-classes.js';
import { globalLines } from './running-config-global.js';

/** The running configuration as files: fosip.json's settings (the node's resolved ones) and the JSON objects of dialpeers/ and profiles/. */
export interface RunningConfig {
  node: string;
  fosipJson: Omit<Settings, 'configDir'>;
  dialPeers: DialPeerJson[];
  classes: ClassJson[];
}

export function runningConfig(c: NodeConfig): RunningConfig {
  const { configDir: _dir, ...fosipJson } = c.settings;
  const d = c.dialConfig;
  return {
    node: c.node,
    fosipJson,
    dialPeers: d.dialPeers.map((l) => l.value).sort((a, b) => a.tag - b.tag),
    classes: [
      ...d.uriClasses,
      ...d.codecClasses,
      ...d.sipProfiles,
      ...d.translationRules,
      ...d.translationProfiles,
      ...d.keepaliveProfiles,
    ].map((l) => l.value),
  };
}

/** IOS lines of one dial-peer (the fields it has, in CUBE's order). */
function dialPeerLines(dp: DialPeerJson): string[] {
  const line = (text: string, when: unknown): string[] => (when === undefined || when === false ? [] : [` ${text}`]);
  return [
    `dial-peer voice ${dp.tag} voip`,
    ...line(`description ${dp.description ?? ''}`, dp.description),
    ...line(`destination-pattern ${dp.destinationPattern ?? ''}`, dp.destinationPattern),
    ...line(`incoming called-number ${dp.incomingCalledNumber ?? ''}`, dp.incomingCalledNumber),
    ...line(`answer-address ${dp.answerAddress ?? ''}`, dp.answerAddress),
    ...Object.entries(dp.incomingUri ?? {}).map(([k, v]) => ` incoming uri ${k} ${String(v)}`),
    ' session protocol sipv2',
    ...line(`session target ${dp.sessionTarget ?? ''}`, dp.sessionTarget),
    ...line(`session transport ${dp.sessionTransport ?? ''}`, dp.sessionTransport),
    ...line(`preference ${dp.preference ?? 0}`, dp.preference),
    ...line('huntstop', dp.huntstop),
    ...line(`max-conn ${dp.maxConn ?? ''}`, dp.maxConn),
    ...line(`call spike ${dp.callSpike ?? ''}`, dp.callSpike),
    ...line(`voice-class codec ${dp.voiceClassCodec ?? ''}`, dp.voiceClassCodec),
    ...line(`voice-class sip profiles ${dp.sipProfiles ?? ''}`, dp.sipProfiles),
    ...line(`voice-class sip profiles ${dp.sipProfilesInbound ?? ''} inbound`, dp.sipProfilesInbound),
    ...line(`translation-profile incoming ${dp.translationProfile?.incoming ?? ''}`, dp.translationProfile?.incoming),
    ...line(`translation-profile outgoing ${dp.translationProfile?.outgoing ?? ''}`, dp.translationProfile?.outgoing),
    ...line(
      `voice-class sip options-keepalive profile ${dp.optionsKeepaliveProfile ?? ''}`,
      dp.optionsKeepaliveProfile,
    ),
    ...line(`dtmf-relay ${(dp.dtmfRelay ?? []).join(' ')}`, dp.dtmfRelay),
    ...line('voice-class sip early-offer forced', dp.earlyOfferForced),
    ...line(`media ${dp.media ?? ''}`, dp.media),
    ...line('shutdown', dp.shutdown),
    '!',
  ];
}

export function renderRunningConfig(r: RunningConfig): string {
  const body = [
    '!',
    `hostname ${r.node}`,
    '!',
    ...globalLines(r.fosipJson),
    ...r.classes.flatMap(classLines),
    ...r.dialPeers.flatMap(dialPeerLines),
    '! every global setting (fosip.json, environment and flags as resolved):',
    ...JSON.stringify(r.fosipJson, null, 1)
      .split('\n')
      .map((l) => `! ${l}`),
    'end',
  ].join('\n');
  return ['Building configuration...', '', `Current configuration : ${Buffer.byteLength(body)} bytes`, body].join('\n');
}
