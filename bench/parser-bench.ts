/**
 * `npm run bench:parser`: parse, read the core headers, and serialize the INVITE-with-SDP a real softphone
 * sends. Prints µs per message and messages per second (median of several rounds: the machine is shared).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseMessage } from '../src/sip/message-parser.js';
import { realPeersDir } from '../test/helpers/paths.js';
import { median, microsPerCall } from './timing.js';

const file = path.join(realPeersDir, 'microsip-invite-early-offer.sip');
const bytes = fs.readFileSync(file);

function readCore(m: ReturnType<typeof parseMessage>): number {
  const via = m.topVia();
  const cseq = m.cseq();
  const sum = m.callId().length + m.from().params.items.length + m.to().uri.raw.length + cseq.seq + via.host.length;
  return sum + (m.maxForwards() ?? 0) + m.contacts().length;
}

/** Parse, read the core headers, serialize unchanged (the lossless path copies the parsed bytes). */
function once(): number {
  const m = parseMessage(bytes);
  return readCore(m) + m.serialize().length;
}

/** The same, plus one edit before serializing (a Via on top), so the message is rebuilt from its parts. */
function edited(): number {
  const m = parseMessage(bytes);
  m.addHeader('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbench', true);
  return readCore(m) + m.serialize().length;
}

// Baseline in the same run: the regex parser of the `sip` package on npm (a devDependency, bench only).
interface NpmSip {
  parse(text: string): { headers: { via: unknown[]; cseq: { seq: number } } };
  stringify(m: unknown): string;
}
const npmSip = createRequire(import.meta.url)('sip') as NpmSip;
const text = bytes.toString('latin1');

function baseline(): number {
  const m = npmSip.parse(text);
  return m.headers.via.length + m.headers.cseq.seq + npmSip.stringify(m).length;
}

const round = (n: number, f: () => number = once): number => microsPerCall(n, f);

const n = 50_000;
for (let i = 0; i < 3; i++) {
  round(n); // warm up the JIT
  round(n, baseline);
}
const rounds: number[] = [];
const editRounds: number[] = [];
const baseRounds: number[] = [];
for (let i = 0; i < 9; i++) {
  // interleaved, so all three see the same machine noise
  rounds.push(round(n));
  editRounds.push(round(n, edited));
  baseRounds.push(round(n, baseline));
}
const ours = median([...rounds]);
const oursEdited = median(editRounds);
const theirs = median(baseRounds);
console.log(`message: ${path.basename(file)} (${bytes.length} bytes)`);
rounds.sort((a, b) => a - b);
console.log(
  `fosip parse + core headers + serialize: median ${ours.toFixed(2)} µs/msg, ` +
    `${Math.round(1e6 / ours).toLocaleString('en-US')} msg/s on one core ` +
    `(best ${rounds[0]?.toFixed(2)} µs, worst ${rounds[rounds.length - 1]?.toFixed(2)} µs, ${rounds.length} rounds of ${n})`,
);
console.log(
  `fosip parse + core headers + one edit + serialize: median ${oursEdited.toFixed(2)} µs/msg, ` +
    `${Math.round(1e6 / oursEdited).toLocaleString('en-US')} msg/s on one core`,
);
console.log(`npm 'sip' regex parser, parse + stringify: median ${theirs.toFixed(2)} µs/msg`);
console.log(
  `ratio: fosip is ${(theirs / ours).toFixed(2)}x (unchanged) and ${(theirs / oursEdited).toFixed(2)}x (edited) ` +
    'the speed of the regex parser on this machine',
);
