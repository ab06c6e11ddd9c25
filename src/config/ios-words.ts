/** The small readers `fosip import ios` needs: IOS words and quoting, codec names, regexes, SIP-profile rules. */
import { CODEC_NAMES } from './dial-config.js';
import type { SipProfileRuleJson } from './rewrite-config.js';

/** A line's words; a "quoted string" (with \" inside) is one word, without its quotes. */
export function quotedWords(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : (m[2] ?? ''));
  return out;
}

type Codec = (typeof CODEC_NAMES)[number];

/** IOS codec names (`g711ulaw`, `g729r8`, `g729br8`, `g722-64`, `opus`, `ilbc`) as FoSIP's. */
export function iosCodec(name: string): Codec | null {
  const n = name.toLowerCase();
  if ((CODEC_NAMES as readonly string[]).includes(n)) return n as Codec;
  if (n === 'g729br8' || n === 'g729ar8') return 'g729r8';
  if (n.startsWith('g722')) return 'g722';
  return null;
}

/** An IOS regex (translation rules group with `\(` `\)`, as basic regexes do) as the extended form FoSIP reads. */
export function iosRegex(re: string): string {
  let out = '';
  for (let i = 0; i < re.length; i++) {
    const ch = re[i] as string;
    const next = re[i + 1];
    if (ch === '\\' && (next === '(' || next === ')')) {
      out += next;
      i++;
    } else if (ch === '\\' && next !== undefined) {
      out += ch + next;
      i++;
    } else if (ch === '(' || ch === ')') {
      out += `\\${ch}`; // a bare parenthesis is a literal one in IOS
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * FoSIP's extended regex as IOS writes a translation rule: the same swap of bare and escaped parentheses,
 * which undoes itself.
 */
export const regexForIos = iosRegex;

type RuleBody = Omit<SipProfileRuleJson, 'rule'>;

/**
 * One SIP-profile line after its optional `rule N`: `request|response <what> sip-header|peer-header sip
 * <name> add|remove|modify|copy ...`, or a SIP-Req-URI / SIP-StatusLine modify. A string says why it
 * cannot be imported.
 */
export function iosSipProfileRule(w: string[]): RuleBody | string {
  const [dir, what] = w;
  if ((dir !== 'request' && dir !== 'response') || what === undefined) return 'not a SIP-profile rule FoSIP can read';
  const when: RuleBody =
    dir === 'request'
      ? { request: what.toUpperCase() }
      : { response: what.toUpperCase() === 'ANY' ? 'ANY' : Number(what) };
  if (dir === 'response' && when.response !== 'ANY' && !(Number(when.response) >= 100 && Number(when.response) <= 699))
    return `response ${what} is not a status`;
  let i = 2;
  if (w[i] === 'method' && w[i + 1] !== undefined) {
    when.method = (w[i + 1] as string).toUpperCase();
    i += 2;
  }
  const kind = w[i];
  let target: RuleBody;
  if (kind === 'sip-header' && w[i + 1] !== undefined) {
    const name = w[i + 1] as string;
    target =
      name === 'SIP-Req-URI'
        ? { requestLine: true }
        : name === 'SIP-StatusLine'
          ? { statusLine: true }
          : { sipHeader: name };
    i += 2;
  } else if (kind === 'peer-header' && w[i + 1] === 'sip' && w[i + 2] !== undefined) {
    target = { peerHeader: w[i + 2] as string };
    i += 3;
  } else {
    return `${kind ?? 'this target'} is not imported (sip-header and peer-header sip are)`;
  }
  const [action, x, y] = w.slice(i);
  if (action === 'remove' && target.sipHeader !== undefined) return { ...when, ...target, remove: true };
  if (action === 'add' && target.sipHeader !== undefined && x !== undefined) {
    // IOS adds a whole header line ("X-Customer: acme"); FoSIP's rule names the header and gives the value
    const value = x.toLowerCase().startsWith(`${target.sipHeader.toLowerCase()}:`)
      ? x.slice(target.sipHeader.length + 1).trim()
      : x;
    return { ...when, ...target, add: value };
  }
  if (action === 'modify' && x !== undefined && y !== undefined && target.peerHeader === undefined)
    return { ...when, ...target, modify: { match: x, replace: y } };
  if (action === 'copy' && x !== undefined && y !== undefined && /^u(0[1-9]|[1-9][0-9])$/.test(y))
    return { ...when, ...target, copy: { match: x, to: y } };
  return `${action ?? 'no action'} is not imported here (add, remove, modify, copy to u01-u99)`;
}
