/** `show dial-peer voice summary` and `show dial-peer voice <tag>`, from the configuration (cube-reference §8, §10). */
import type { DialPeer } from '../routing/dial-peer.js';
import { isOutboundUp } from '../routing/dial-peer.js';
import { formatSessionTarget } from '../routing/session-target.js';
import type { NodeKeepalive } from '../state/node-reports.js';
import { table } from './show-calls.js';
import { keepaliveColumn } from './show-keepalive.js';

export function dialPeerJson(dp: DialPeer): Record<string, unknown> {
  return {
    tag: dp.tag,
    description: dp.description,
    admin: dp.shutdown ? 'down' : 'up',
    oper:
      isOutboundUp(dp) ||
      (!dp.shutdown &&
        (dp.incomingCalledNumber !== null || dp.answerAddress !== null || Object.keys(dp.incomingUri).length > 0))
        ? 'up'
        : 'down',
    incomingCalledNumber: dp.incomingCalledNumber?.source ?? null,
    answerAddress: dp.answerAddress?.source ?? null,
    incomingUri: Object.fromEntries(Object.entries(dp.incomingUri).map(([k, v]) => [k, v.id])),
    destinationPattern: dp.destinationPattern?.source ?? null,
    sessionTarget: dp.sessionTarget ? formatSessionTarget(dp.sessionTarget) : null,
    sessionTransport: dp.sessionTransport,
    preference: dp.preference,
    huntstop: dp.huntstop,
    maxConn: dp.maxConn,
    media: dp.media,
    voiceClassCodec: dp.voiceClassCodec?.tag ?? null,
    optionsKeepaliveProfile: dp.keepalive?.tag ?? null,
    mediaEngine: dp.mediaEngine,
    srtp: dp.srtp,
    dtmfRelay: dp.dtmfRelay,
    earlyOfferForced: dp.earlyOfferForced,
    sipProfiles: dp.sipProfiles?.tag ?? null,
    sipProfilesInbound: dp.sipProfilesInbound?.tag ?? null,
    translationProfile: {
      incoming: dp.translationIncoming?.name ?? null,
      outgoing: dp.translationOutgoing?.name ?? null,
    },
    callSpike: dp.callSpike,
    headerPassing: headerPassing(dp),
    file: dp.file,
  };
}

/** `keepalive`: the live keepalive states the nodes publish (null: none could be read). */
/**
 * OUTSTAT, whether calls go out through the dial-peer now: `down` when it is shut down or has no session
 * target, `busy` when keepalive busied it out (on some node: `partial`), else `up`.
 */
function outStatus(dp: DialPeer, keepalive: string): string {
  if (!isOutboundUp(dp) || dp.sessionTarget === null) return dp.destinationPattern === null ? '' : 'down';
  if (keepalive === 'busyout') return 'busy';
  return keepalive === 'partial' ? 'partial' : 'up';
}

/**
 * `show dial-peer voice summary` in CUBE's columns. PREFIX and PORT belong to POTS dial-peers and stay blank
 * (FoSIP has only VoIP ones); PASSTHRU is the dial-peer's media mode (`syst`: the global `media.mode`);
 * OUTSTAT as outStatus(); then FoSIP's own: transport, huntstop, max-conn.
 */
export function renderDialPeerSummary(
  peers: readonly DialPeer[],
  keepalive: readonly NodeKeepalive[] | null = null,
): string {
  const rows = peers.map((dp) => {
    const j = dialPeerJson(dp);
    const alive = keepaliveColumn(dp, keepalive);
    return [
      String(dp.tag),
      'voip',
      String(j['admin']),
      String(j['oper']),
      '',
      dp.destinationPattern?.source ?? '',
      String(dp.preference),
      dp.media ?? 'syst',
      dp.sessionTarget ? formatSessionTarget(dp.sessionTarget) : '',
      outStatus(dp, alive),
      '',
      alive,
      dp.sessionTransport,
      dp.huntstop ? 'yes' : 'no',
      dp.maxConn === null ? '-' : String(dp.maxConn),
    ];
  });
  return [
    'dial-peer hunt 0',
    table(
      [
        'TAG',
        'TYPE',
        'ADMIN',
        'OPER',
        'PREFIX',
        'DEST-PATTERN',
        'PREF',
        'PASSTHRU',
        'SESS-TARGET',
        'OUTSTAT',
        'PORT',
        'KEEPALIVE',
        'TRANSPORT',
        'HUNTSTOP',
        'MAX-CONN',
      ],
      rows,
    ),
  ].join('\n');
}

export function renderDialPeer(dp: DialPeer): string {
  const j = dialPeerJson(dp);
  const uri = Object.entries(dp.incomingUri).map(([k, v]) => `incoming uri ${k} ${v.id}`);
  return [
    `VoiceOverIpPeer${dp.tag}`,
    `  tag = ${dp.tag}, destination-pattern = \`${dp.destinationPattern?.source ?? ''}',`,
    `  description = \`${dp.description}',`,
    `  Admin state is ${String(j['admin'])}, Operation state is ${String(j['oper'])},`,
    `  incoming called-number = \`${dp.incomingCalledNumber?.source ?? ''}', answer-address = \`${dp.answerAddress?.source ?? ''}',`,
    ...(uri.length > 0 ? [`  ${uri.join(', ')},`] : []),
    `  preference = ${dp.preference}, huntstop = ${dp.huntstop ? 'enabled' : 'disabled'}, max-conn = ${dp.maxConn ?? 'unlimited'},`,
    `  media = ${dp.media ?? 'system default'}, voice-class codec = ${dp.voiceClassCodec === null ? 'none' : `${dp.voiceClassCodec.tag} (${dp.voiceClassCodec.preferences.join(' ')})`},`,
    `  session-target = \`${dp.sessionTarget ? formatSessionTarget(dp.sessionTarget) : ''}', session-transport = ${dp.sessionTransport},`,
    `  media-engine = ${dp.mediaEngine ?? 'system default'}, srtp = ${dp.srtp}, dtmf-relay = ${dp.dtmfRelay ?? 'as negotiated'}, early-offer forced = ${dp.earlyOfferForced ? 'yes' : 'no'},`,
    `  voice-class sip profiles = ${dp.sipProfiles?.tag ?? 'none'} (outbound), ${dp.sipProfilesInbound?.tag ?? 'none'} (inbound),`,
    `  translation-profile incoming = ${dp.translationIncoming?.name ?? 'none'}, outgoing = ${dp.translationOutgoing?.name ?? 'none'},`,
    `  voice-class sip options-keepalive profile = ${dp.keepalive?.tag ?? 'none'}, call spike = ${dp.callSpike ?? 'none'},`,
    `  header passing = ${headerPassing(dp)}, error-code-override = ${dp.errorCodeOverride ?? 'system default'},`,
    `  authentication = ${dp.authentication === null ? 'none' : `username ${dp.authentication.username}${dp.authentication.realm ? ` realm ${dp.authentication.realm}` : ''}`},`,
    `  defined in ${dp.file}`,
  ].join('\n');
}

/** The dial-peer's header policy as one phrase: every unknown header, only those listed, or all but those. */
function headerPassing(dp: DialPeer): string {
  const p = dp.headerPolicy;
  if (p === null) return 'all unknown headers';
  return 'pass' in p ? `only ${[...p.pass].join(' ') || '(none)'}` : `all but ${[...p.drop].join(' ')}`;
}
