/** Timing helpers shared by the CPU benchmarks: the machine is shared, so rounds and medians. */

export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
}

/** µs per call of `f` over `n` calls; what `f` returns is kept so that the JIT cannot drop the work. */
export function microsPerCall(n: number, f: () => number): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += f();
  const ns = Number(process.hrtime.bigint() - t0);
  if (sink === 42) console.log('');
  return ns / n / 1000;
}
