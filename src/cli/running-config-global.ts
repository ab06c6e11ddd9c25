/**
 * The global settings that CUBE keeps in `voice service voip` and `sip-ua`, as `show running-config` prints
 * them (the forms `fosip import-ios` reads back): the trusted list, credentials, authentication and
 * registrars. The rest of fosip.json has no IOS form and is printed as JSON comments after them.
 */
import type { CredentialJson } from '../config/dial-config.js';
import type { RegistrarJson, Settings } from '../config/settings.js';

/** A CIDR block as IOS lists it: `ipv4 A.B.C.D M.M.M.M`, `ipv6 PREFIX/LEN`. */
function trustedEntry(cidr: string): string {
  const [address = '', bits] = cidr.split('/');
  if (address.includes(':')) return `ipv6 ${bits === undefined ? `${address}/128` : cidr}`;
  const len = bits === undefined ? 32 : Number(bits);
  if (len === 32) return `ipv4 ${address}`;
  const maskBits = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0; // a shift by 32 would be one by 0
  return `ipv4 ${address} ${[24, 16, 8, 0].map((shift) => (maskBits >>> shift) & 0xff).join('.')}`;
}

function credentialWords(c: CredentialJson): string {
  // the node serves passwords hidden: the line shows where one is, never what it is
  return `username ${c.username} password 0 ${c.password}${c.realm === undefined ? '' : ` realm ${c.realm}`}`;
}

function registrarLine(r: RegistrarJson, i: number): string {
  const transport = r.transport === 'tls' ? ' tcp tls' : r.transport === 'tcp' ? ' tcp' : '';
  return ` registrar ${i + 1} ${r.target}${r.expires === undefined ? '' : ` expires ${r.expires}`}${transport}`;
}

export function globalLines(s: Omit<Settings, 'configDir'>): string[] {
  const ua = s.sipUa ?? {};
  return [
    'voice service voip',
    ' ip address trusted list',
    ...(s.trustedList ?? []).map((cidr) => `  ${trustedEntry(cidr)}`),
    ' mode border-element',
    ' allow-connections sip to sip',
    '!',
    'sip-ua',
    ...(ua.credentials ?? []).map((c) => ` credentials ${credentialWords(c)}`),
    ...(ua.authentication ?? []).map((c) => ` authentication ${credentialWords(c)}`),
    ...(ua.registrar ?? []).map(registrarLine),
    '!',
  ];
}
