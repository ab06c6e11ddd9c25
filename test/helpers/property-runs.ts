/**
 * Property and fuzz tests run with a fixed seed in `npm test`, so a green CI run stays green and a red
 * one is reproducible. `npm run fuzz` explores fresh seeds with many more runs (FOSIP_FUZZ_SEED=random,
 * FOSIP_FUZZ_SCALE); a failure prints its seed, and FOSIP_FUZZ_SEED=<n> replays it.
 */
const FIXED_SEED = 20261124;

function chooseSeed(raw: string | undefined): number {
  if (raw === undefined || raw === '') return FIXED_SEED;
  if (raw === 'random') return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`FOSIP_FUZZ_SEED must be an integer or "random", not ${raw}`);
  return n;
}

const seed = chooseSeed(process.env.FOSIP_FUZZ_SEED);
const scale = Number(process.env.FOSIP_FUZZ_SCALE ?? '1') || 1;

/** fast-check parameters for `n` runs at the configured seed and scale. */
export function runs(n: number): { numRuns: number; seed: number } {
  return { numRuns: Math.max(1, Math.round(n * scale)), seed };
}
