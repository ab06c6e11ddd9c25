/**
 * `npm run bench:cps [-- --rate 500 --duration 30 [--redis] [--media flow-around]]`: the SBC in its own process between a sipp caller
 * and a sipp callee at a fixed call rate. Prints calls attempted/succeeded/failed, sipp retransmissions,
 * the SBC's CPU per call (its own utime+stime from /proc), p50/p99 setup time (INVITE to 200 at the
 * caller), and the SBC's RSS. Loopback only.
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

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-cps-'));
const [sbcPort, uasPort, cp1, cp2, uacPort, redisPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
fs.mkdirSync(path.join(dir, 'dialpeers'));
fs.writeFileSync(path.join(dir, 'fosip.json'), JSON.stringify({ media: { mode: mediaMode } }));
fs.writeFileSync(path.join(dir, 'dialpeers', '1.json'), JSON.stringify({ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${uasPort}` }));
const children: ChildProcess[] = [];
const run = (cmd: string, args: string[], opts: { cwd?: string } = {}): ChildProcess => {
  const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: opts.cwd ?? dir });
  children.push(c);
  return c;
};
try {
  if (withRedis) run('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await new Promise((r) => setTimeout(r, withRedis ? 500 : 0));
  const redisArgs = withRedis ? ['--redis', `redis://127.0.0.1:${redisPort}/0`] : [];
  const sbc = run(process.execPath, [path.join(root, 'bin', 'fosip.js'), 'start', '--config-dir', dir, '--listen', `udp:127.0.0.1:${sbcPort}`, '--log-level', 'info', ...redisArgs]);
  run('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-cp', String(cp1), '-nostdin']);
  await new Promise((r) => setTimeout(r, 1000));
  const pid = sbc.pid ?? 0;
  const ticks0 = cpuTicks(pid);
  const uac = run('sipp', [
    `127.0.0.1:${sbcPort}`, '-sn', 'uac', '-s', '2001', '-i', '127.0.0.1', '-p', String(uacPort), '-cp', String(cp2), '-nostdin',
    '-r', String(rate), '-m', String(calls), '-d', '0', '-l', String(rate * 10), '-timeout', `${duration + 60}s`,
    '-trace_stat', '-stf', 'stat.csv', '-fd', '1', '-trace_rtt', '-rtt_freq', '1',
  ]);
  const code = await new Promise<number | null>((r) => uac.on('close', r));
  const ticks = cpuTicks(pid) - ticks0;
  const rss = rssMiB(pid);
  const lines = fs.readFileSync(path.join(dir, 'stat.csv'), 'utf8').trim().split('\n');
  const head = (lines[0] ?? '').split(';');
  const row = (lines[lines.length - 1] ?? '').split(';');
  const stat = (k: string): string => row[head.indexOf(k)] ?? '?';
  const rttFile = fs.readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
  const setup = rttFile === undefined ? [] : fs.readFileSync(path.join(dir, rttFile), 'utf8').trim().split('\n').slice(1)
    .map((l) => Number(l.split(';')[1])).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const succeeded = Number(stat('SuccessfulCall(C)'));
  const hz = 100; // Linux USER_HZ
  console.log(`rate ${rate} calls/s for ${duration} s, media ${mediaMode}${withRedis ? ', call state in Redis' : ''} (sipp exit ${code}), achieved ${stat('CallRate(C)')} calls/s`);
  console.log(`calls attempted ${stat('TotalCallCreated')}, succeeded ${succeeded}, failed ${stat('FailedCall(C)')}, sipp retransmissions ${stat('Retransmissions(C)')}`);
  console.log(`SBC CPU ${((ticks / hz) * 1e6 / Math.max(1, succeeded)).toFixed(0)} µs per call (${(ticks / hz).toFixed(2)} s for ${succeeded} calls)`);
  console.log(`setup time (INVITE to 200 at the caller): p50 ${percentile(setup, 50).toFixed(2)} ms, p99 ${percentile(setup, 99).toFixed(2)} ms over ${setup.length} calls`);
  console.log(`SBC RSS ${rss.toFixed(1)} MiB`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  fs.rmSync(dir, { recursive: true, force: true });
}
