/**
 * `npm run bench:cps [-- --rate 500 --duration 30 [--redis] [--media flow-around] [--media-engine rtpengine] [--compare-metrics [--rounds 3]]]`: the SBC in its own process between a sipp caller
 * and a sipp callee at a fixed call rate. Prints calls attempted/succeeded/failed, sipp retransmissions,
 * the SBC's CPU per call (its own utime+stime from /proc), p50/p99 setup time (INVITE to 200 at the
 * caller), and the SBC's RSS. `--compare-metrics` instead runs metrics off against metrics on (scraped every
 * second, the SIP trace idle) in alternating rounds and prints the CPU per call of each and their ratio.
 * Loopback only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const rate = arg('rate', 500);
/** --redis: the SBC also writes its call state to a redis-server started for the run. */
const withRedis = process.argv.includes('--redis');
const duration = arg('duration', 30);
/** --media flow-around: signalling only; the default flow-through relays (and rewrites SDP for) every call. */
const mediaAt = process.argv.indexOf('--media');
const mediaMode = mediaAt >= 0 ? process.argv[mediaAt + 1] : 'flow-through';
if (mediaMode !== 'flow-through' && mediaMode !== 'flow-around') throw new Error('--media flow-through|flow-around');
const calls = rate * duration;
/**
 * --media-engine rtpengine: flow-through calls go through a real rtpengine (userspace, started for the run,
 * Debian's rtpengine-daemon) instead of the built-in relay; the CPU per call of FoSIP and of rtpengine are
 * printed apart. SIPp's default scenario sends SDP but no RTP: this is the signalling cost of each engine.
 */
const engineAt = process.argv.indexOf('--media-engine');
const mediaEngine = engineAt >= 0 ? process.argv[engineAt + 1] : 'builtin';
if (mediaEngine !== 'builtin' && mediaEngine !== 'rtpengine') throw new Error('--media-engine builtin|rtpengine');
/** --scrape-every <s>: how often the metrics are fetched in --compare-metrics (Prometheus' usual is 15 s). */
const scrapeEveryMs = arg('scrape-every', 1) * 1000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface RunResult {
  code: number | null;
  stat: (k: string) => string;
  succeeded: number;
  cpuSeconds: number;
  setup: number[];
  rss: number;
  /** rtpengine's CPU time over the run (0 with the built-in relay). */
  engineCpuSeconds: number;
}

/**
 * One run: the SBC (with `settings` in its fosip.json) between sipp callee and caller for `duration` s at
 * `rate`. `scrape`: fetch /metrics every second meanwhile, as Prometheus would.
 */
async function runOnce(settings: Record<string, unknown>, scrape: boolean): Promise<RunResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-cps-'));
  const [sbcPort, uasPort, cp1, cp2, uacPort, redisPort, adminPort, ngPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  fs.mkdirSync(path.join(dir, 'dialpeers'));
  fs.writeFileSync(
    path.join(dir, 'fosip.json'),
    JSON.stringify({
      media: {
        mode: mediaMode,
        ...(mediaEngine === 'rtpengine' ? { engine: 'rtpengine', rtpengine: [{ ng: `udp:127.0.0.1:${ngPort}` }] } : {}),
      },
      admin: `127.0.0.1:${adminPort}`,
      ...settings,
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'dialpeers', '1.json'),
    JSON.stringify({ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${uasPort}` }),
  );
  const children: ChildProcess[] = [];
  const run = (cmd: string, args: string[]): ChildProcess => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    children.push(c);
    return c;
  };
  let scraper: NodeJS.Timeout | undefined;
  try {
    if (withRedis)
      run('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const engine =
      mediaEngine === 'rtpengine'
        ? run('rtpengine', [
            '--config-file=none',
            '--foreground',
            '--table=-1',
            '--interface=127.0.0.1',
            `--listen-ng=127.0.0.1:${ngPort}`,
            '--port-min=40000',
            '--port-max=49999',
            '--log-level=4',
            '--log-stderr',
            '--no-redis-required',
            '--delete-delay=0',
          ])
        : null;
    await new Promise((r) => setTimeout(r, withRedis || engine !== null ? 500 : 0));
    const redisArgs = withRedis ? ['--redis', `redis://127.0.0.1:${redisPort}/0`] : [];
    const sbc = run(process.execPath, [
      path.join(root, 'bin', 'fosip.js'),
      'start',
      '--config-dir',
      dir,
      '--listen',
      `udp:127.0.0.1:${sbcPort}`,
      '--log-level',
      'info',
      ...redisArgs,
    ]);
    run('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-cp', String(cp1), '-nostdin']);
    await new Promise((r) => setTimeout(r, 1000));
    if (scrape)
      scraper = setInterval(
        () =>
          void fetch(`http://127.0.0.1:${adminPort}/metrics`)
            .then((r) => r.text())
            .catch(() => ''),
        scrapeEveryMs,
      );
    const pid = sbc.pid ?? 0;
    const ticks0 = cpuTicks(pid);
    const engineTicks0 = engine === null ? 0 : cpuTicks(engine.pid ?? 0);
    const uac = run('sipp', [
      `127.0.0.1:${sbcPort}`,
      '-sn',
      'uac',
      '-s',
      '2001',
      '-i',
      '127.0.0.1',
      '-p',
      String(uacPort),
      '-cp',
      String(cp2),
      '-nostdin',
      '-r',
      String(rate),
      '-m',
      String(calls),
      '-d',
      '0',
      '-l',
      String(rate * 10),
      '-timeout',
      `${duration + 60}s`,
      '-trace_stat',
      '-stf',
      'stat.csv',
      '-fd',
      '1',
      '-trace_rtt',
      '-rtt_freq',
      '1',
    ]);
    const code = await new Promise<number | null>((r) => uac.on('close', r));
    const ticks = cpuTicks(pid) - ticks0;
    const engineTicks = engine === null ? 0 : cpuTicks(engine.pid ?? 0) - engineTicks0;
    const rss = rssMiB(pid);
    const lines = fs.readFileSync(path.join(dir, 'stat.csv'), 'utf8').trim().split('\n');
    const head = (lines[0] ?? '').split(';');
    const row = (lines[lines.length - 1] ?? '').split(';');
    const stat = (k: string): string => row[head.indexOf(k)] ?? '?';
    const rttFile = fs.readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
    const setup =
      rttFile === undefined
        ? []
        : fs
            .readFileSync(path.join(dir, rttFile), 'utf8')
            .trim()
            .split('\n')
            .slice(1)
            .map((l) => Number(l.split(';')[1]))
            .filter((x) => Number.isFinite(x))
            .sort((a, b) => a - b);
    const hz = 100; // Linux USER_HZ
    return {
      code,
      stat,
      succeeded: Number(stat('SuccessfulCall(C)')),
      cpuSeconds: ticks / hz,
      setup,
      rss,
      engineCpuSeconds: engineTicks / hz,
    };
  } finally {
    clearInterval(scraper);
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const perCall = (r: RunResult): number => (r.cpuSeconds * 1e6) / Math.max(1, r.succeeded);

if (process.argv.includes('--compare-metrics')) {
  // metrics on (scraped every second, the SIP trace idle) against metrics off, in alternating rounds (a shared machine drifts)
  const rounds = arg('rounds', 3);
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // which goes first alternates too: a run can leave the machine warmer (or busier) for the next
    const offFirst = i % 2 === 0;
    const first = await runOnce(offFirst ? { metrics: false } : {}, !offFirst);
    const second = await runOnce(offFirst ? {} : { metrics: false }, offFirst);
    const [a, b] = offFirst ? [first, second] : [second, first];
    off.push(perCall(a));
    on.push(perCall(b));
    console.log(
      `round ${i + 1} (scraped every ${scrapeEveryMs / 1000} s): metrics off ${perCall(a).toFixed(0)} µs/call (${a.succeeded} calls, ${a.stat('FailedCall(C)')} failed), metrics on and scraped ${perCall(b).toFixed(0)} µs/call (${b.succeeded} calls, ${b.stat('FailedCall(C)')} failed)`,
    );
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const ratios = on.map((x, i) => x / (off[i] ?? x));
  console.log(
    `SBC CPU per call at ${rate} calls/s: metrics off median ${median(off).toFixed(0)} µs, on ${median(on).toFixed(0)} µs; on/off per round ${ratios.map((x) => x.toFixed(3)).join(', ')}, median ${median(ratios).toFixed(3)} (goal: at most 1.05)`,
  );
} else {
  const r = await runOnce({}, false);
  const { stat, succeeded, setup } = r;
  console.log(
    `rate ${rate} calls/s for ${duration} s, media ${mediaMode} (engine ${mediaEngine})${withRedis ? ', call state in Redis' : ''} (sipp exit ${r.code}), achieved ${stat('CallRate(C)')} calls/s`,
  );
  console.log(
    `calls attempted ${stat('TotalCallCreated')}, succeeded ${succeeded}, failed ${stat('FailedCall(C)')}, sipp retransmissions ${stat('Retransmissions(C)')}`,
  );
  console.log(`SBC CPU ${perCall(r).toFixed(0)} µs per call (${r.cpuSeconds.toFixed(2)} s for ${succeeded} calls)`);
  if (mediaEngine === 'rtpengine') {
    const engineUs = (r.engineCpuSeconds * 1e6) / Math.max(1, succeeded);
    console.log(
      `rtpengine CPU ${engineUs.toFixed(0)} µs per call (${r.engineCpuSeconds.toFixed(2)} s for ${succeeded} calls)`,
    );
  }
  console.log(
    `setup time (INVITE to 200 at the caller): p50 ${percentile(setup, 50).toFixed(2)} ms, p99 ${percentile(setup, 99).toFixed(2)} ms over ${setup.length} calls`,
  );
  console.log(`SBC RSS ${r.rss.toFixed(1)} MiB`);
}
