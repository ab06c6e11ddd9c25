/**
 * `fosip import ios`, the settings that are global on CUBE and live in fosip.json on FoSIP: the trusted
 * list of `voice service voip` (`ip address trusted list`) and `sip-ua` (credentials, authentication,
 * registrars). Passwords of type 0 (plain) and 7 (Cisco's reversible encoding) are read; type 6 and
 * others cannot be, and are reported.
 */
import { SbcError } from '../errors/sbc-error.js';
import type { CredentialJson } from './dial-config.js';
import type { RegistrarJson, SipUaSettings } from './settings.js';

export interface IosLine {
  n: number;
  text: string;
  words: string[];
}

export interface GlobalSettings {
  trustedList?: string[];
  sipUa?: SipUaSettings;
}

type Report = (l: IosLine, why: string) => void;

/** The key of `service password-encryption` (type 7): a fixed string, so the encoding is only obfuscation. */
const TYPE7_KEY = 'dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87';

/** A type 7 password in clear, or null when it is not one (two decimal digits of offset, then hex pairs). */
export function decodeType7(encoded: string): string | null {
  if (!/^\d{2}(?:[0-9A-Fa-f]{2})*$/.test(encoded)) return null;
  const offset = Number(encoded.slice(0, 2));
  let out = '';
  for (let i = 2; i < encoded.length; i += 2) {
    const byte = parseInt(encoded.slice(i, i + 2), 16);
    out += String.fromCharCode(byte ^ TYPE7_KEY.charCodeAt((offset + (i - 2) / 2) % TYPE7_KEY.length));
  }
  return out;
}

/** `ipv4 A.B.C.D [M.M.M.M]` / `ipv6 X::/N` as a CIDR block, or why not. */
function trustedBlock(words: string[]): string {
  const [family, address, mask] = words;
  if (family === 'ipv6' && address !== undefined) return address.includes('/') ? address : `${address}/128`;
  if (family !== 'ipv4' || address === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(address))
    throw new SbcError('SBC_ERR_IMPORT', 'a trusted entry is `ipv4 A.B.C.D [MASK]` or `ipv6 PREFIX/LEN`');
  if (mask === undefined) return `${address}/32`;
  const bits = mask
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(mask) || !/^1*0*$/.test(bits) || bits.length !== 32)
    throw new SbcError('SBC_ERR_IMPORT', `${mask} is not a network mask`);
  return `${address}/${bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')}`;
}

/** `voice service voip`: its trusted list; everything else there is global CUBE behaviour FoSIP has built in, or has not. */
export function voiceServiceVoip(body: IosLine[], out: GlobalSettings, report: Report): void {
  const BUILT_IN = [
    /^mode border-element/,
    /^allow-connections sip to sip$/,
    /^sip$/,
    /^ip address trusted list$/,
    /^no call service stop$/,
  ];
  for (const l of body) {
    if (l.words[0] === 'ipv4' || l.words[0] === 'ipv6') {
      try {
        (out.trustedList ??= []).push(trustedBlock(l.words));
      } catch (err) {
        report(l, (err as Error).message);
      }
    } else if (l.words[0] === 'bind')
      report(l, 'not imported: FoSIP binds where fosip.json says (listen, media.address)');
    else if (!BUILT_IN.some((r) => r.test(l.text)))
      report(l, 'not imported: no FoSIP setting does this globally (dial-peers have their own)');
  }
}

/** `username U password [0|7] P [realm R]` after `credentials` or `authentication` (and whether it was type 7), or why not. */
function credential(words: string[]): { c: CredentialJson; type7: boolean } {
  const at = (k: string): string | undefined => {
    const i = words.indexOf(k);
    return i === -1 ? undefined : words[i + 1];
  };
  const username = at('username');
  const pi = words.indexOf('password');
  if (username === undefined || pi === -1)
    throw new SbcError('SBC_ERR_IMPORT', 'a credential needs username and password');
  const [kind, value] = /^\d$/.test(words[pi + 1] ?? '') ? [words[pi + 1], words[pi + 2]] : ['0', words[pi + 1]];
  if (value === undefined) throw new SbcError('SBC_ERR_IMPORT', 'the password is missing');
  const password = kind === '0' ? value : kind === '7' ? decodeType7(value) : null;
  if (password === null)
    throw new SbcError(
      'SBC_ERR_IMPORT',
      kind === '7'
        ? 'not a type 7 password'
        : `a type ${kind ?? ''} password cannot be read back: give it in fosip.json`,
    );
  const realm = at('realm');
  return { c: { username, password, ...(realm !== undefined ? { realm } : {}) }, type7: kind === '7' };
}

/** `registrar [N] TARGET [expires S] [tcp [tls]]`, or why not. */
function registrar(words: string[]): RegistrarJson {
  const rest = /^\d+$/.test(words[1] ?? '') ? words.slice(2) : words.slice(1);
  const target = rest[0];
  if (target === undefined || !/^(ipv4|ipv6|dns):/.test(target))
    throw new SbcError('SBC_ERR_IMPORT', 'a registrar is `registrar N ipv4:|dns:TARGET [expires S] [tcp [tls]]`');
  const r: RegistrarJson = { target };
  const e = rest.indexOf('expires');
  if (e !== -1) r.expires = Math.min(86400, Math.max(10, Number(rest[e + 1])));
  if (rest.includes('tls')) r.transport = 'tls';
  else if (rest.includes('tcp')) r.transport = 'tcp';
  return r;
}

/** `sip-ua`: credentials registered with every registrar, credentials that answer challenges, registrars. */
export function sipUa(body: IosLine[], out: GlobalSettings, report: Report): void {
  const ua: SipUaSettings = out.sipUa ?? {};
  for (const l of body) {
    const w = l.words;
    try {
      if (w[0] === 'credentials' || w[0] === 'authentication') {
        const { c, type7 } = credential(w);
        (ua[w[0]] ??= []).push(c);
        if (type7)
          report(
            l,
            'imported with the type 7 password decoded: fosip.json holds it in clear, so keep that file private',
          );
      } else if (w[0] === 'registrar') (ua.registrar ??= []).push(registrar(w));
      else report(l, 'not imported: FoSIP has no such sip-ua setting (retries: sipUa.retrySeconds in fosip.json)');
    } catch (err) {
      report(l, (err as Error).message);
    }
  }
  if (Object.keys(ua).length > 0) out.sipUa = ua;
}
