import { SbcError } from '../errors/sbc-error.js';
/** IPv4 and IPv6 addresses and CIDR blocks (`10.20.0.0/16`, `2001:db8::/32`, a bare address = /32 or /128). */

export class CidrError extends SbcError {
  constructor(message: string) {
    super('SBC_ERR_SECURITY_CIDR', message);
  }
}

/** An address as 16 bytes (IPv4 as ::ffff:a.b.c.d), or null when it is not one. */
export function addressBytes(text: string): Uint8Array | null {
  const a = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a.replace(/^::ffff:/i, ''));
  if (v4 !== null) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...parts]);
  }
  if (!/^[0-9a-fA-F:]+$/.test(a) || a.split('::').length > 2) return null;
  const [head = '', tail] = a.split('::');
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  if (
    h.length + t.length > 8 ||
    (tail === undefined && h.length !== 8) ||
    [...h, ...t].some((g) => !(g >= 0 && g <= 0xffff))
  )
    return null;
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export interface Cidr {
  text: string;
  matches(address: string): boolean;
}

export function parseCidr(text: string): Cidr {
  const [addr = '', len] = text.split('/');
  const bytes = addressBytes(addr);
  if (bytes === null) throw new CidrError(`"${text}" is not an IPv4 or IPv6 address or block`);
  const v4 = /^\d/.test(addr) && addr.includes('.');
  const max = v4 ? 32 : 128;
  const bits = len === undefined ? max : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > max || (len !== undefined && !/^\d+$/.test(len)))
    throw new CidrError(`"${text}": the prefix length must be 0-${max}`);
  const prefix = bits + (v4 ? 96 : 0);
  return {
    text,
    matches(address: string): boolean {
      const b = addressBytes(address);
      if (b === null) return false;
      for (let i = 0; i < prefix; i += 8) {
        const take = Math.min(8, prefix - i);
        const mask = (0xff << (8 - take)) & 0xff;
        if (((b[i / 8] as number) & mask) !== ((bytes[i / 8] as number) & mask)) return false;
      }
      return true;
    },
  };
}
