/**
 * `npm run bench:routing`: outbound dial-peer lookup for one called number against 10,000 dial-peers.
 * Three plans: DID blocks (a literal prefix each, the usual carrier/PBX plan), patterns that all start with
 * a class (indexed by fanning the class out), and an adversarial plan starting with two wildcards. Prints
 * median µs per lookup; the goal is under 50 µs for 10,000 dial-peers.
 */
import { compileDialPeers } from '../src/routing/dial-peer.js';
import { DialPlan } from '../src/routing/dial-plan.js';
import { type DialPeerJson, dialConfig } from '../src/config/dial-config.js';

// mulberry32: a seeded PRNG that stays in 32-bit integer arithmetic (repeatable plans)
let seed = 42;
function rnd(n: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
}
const digits = (k: number): string => Array.from({ length: k }, () => String(rnd(10))).join('');

function plan(make: (i: number) => string): DialPlan {
  const dialPeers = Array.from({ length: 10_000 }, (_, i): { file: string; pointer: string; value: DialPeerJson } => ({
    file: `${i}.json`,
    pointer: '',
    value: {
      tag: i + 1,
      destinationPattern: make(i),
      sessionTarget: `ipv4:127.0.0.${1 + (i % 200)}:5060`,
      preference: i % 3,
    },
  }));
  const { peers, problems } = compileDialPeers(dialConfig({ dialPeers }));
  if (problems.length > 0) throw new Error(problems[0]?.message);
  return new DialPlan(peers);
}

function measure(name: string, p: DialPlan, numbers: string[]): void {
  let found = 0;
  for (let i = 0; i < 20_000; i++) found += p.outbound(numbers[i % numbers.length] ?? '').length; // warm up
  const rounds: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 20_000; i++) found += p.outbound(numbers[i % numbers.length] ?? '').length;
    rounds.push(Number(process.hrtime.bigint() - t0) / 20_000 / 1000);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[4] ?? 0;
  console.log(
    `${name}: median ${median.toFixed(2)} µs per lookup (best ${rounds[0]?.toFixed(2)}, worst ${rounds[8]?.toFixed(2)}; ${(found / 200_000).toFixed(2)} matches per number)`,
  );
}

const blocks = Array.from({ length: 10_000 }, () => `+1${2 + rnd(8)}${digits(2)}${2 + rnd(8)}${digits(2)}`);
const didPlan = plan((i) => `${blocks[i] ?? ''}....$`);
const didNumbers = Array.from({ length: 1000 }, (_, i) => `${blocks[(i * 7) % blocks.length] ?? ''}${digits(4)}`);
measure('10,000 DID-block dial-peers (+1NPANXX....$)', didPlan, didNumbers);

const classPlan = plan(() => `[2-9]${digits(3)}${rnd(2) ? 'T' : '....$'}`);
const classNumbers = Array.from({ length: 1000 }, () => `${2 + rnd(8)}${digits(6)}`);
measure('10,000 dial-peers starting with a class ([2-9]NNN....)', classPlan, classNumbers);

// adversarial: two wildcards first, so the index can only fan out one level (19 paths)
const dotPlan = plan(() => `..${digits(4)}${rnd(2) ? 'T' : '..$'}`);
const dotNumbers = Array.from({ length: 1000 }, () => digits(8));
measure('10,000 dial-peers starting with two wildcards (..NNNN.., worst case)', dotPlan, dotNumbers);
