/**
 * `npm run bench:rtp [-- --flows 500 --rates 60000,90000,120000 --duration 30 --workers 1[,2...] --cps 50
 * --forwarder native|dgram --reference rtpengine|none]`:
 * the SBC (in this process, its relay in worker threads) relays RTP for `flows` sessions driven by the
 * rtpblast load generator (../shared/tools/rtpblast, built into the temp folder). For each offered packet
 * rate, one after the other with the same flows and the same pinning:
 * 1. the blaster alone, each A port sending straight to its B port: the delay the measurement itself shows
 *    (its own scheduling on a busy core), the floor under any relay's figure;
 * 2. FoSIP relaying, media only, as rtpengine is measured: packets forwarded per second, loss, delay p50/p99,
 *    the SBC's CPU per packet;
 * 3. with rtpengine installed (the default reference), the same flows through rtpengine (userspace, one
 *    thread, pinned to the same core);
 * 4. with `--cps` above 0, FoSIP relaying again while SIPp sets up calls through it: the SIP setup time
 *    p50/p99 (beside a SIPp pair talking directly meanwhile), the SIP event loop's delay and what the SIP work
 *    costs the media.
 * With several worker counts, FoSIP's runs are repeated with a new SBC for each (the blaster alone and
 * rtpengine are measured once, in the first pass). It ends with a table per worker count and the highest
 * rate with no loss and p99 delay <= 5 ms (media only) for each. Loopback only.
 *
 * As the reference figures in ../shared/tools/rtpblast/README.md were taken, the relay worker is pinned to
 * one core and the blaster to another (`--pin 0` turns that off); the SIP thread and SIPp are not pinned.
 * SIPp measures setup time in whole milliseconds and its own clock moves in steps of a few ms, so p99
 * figures under 10 ms are at its resolution (SIPp to SIPp directly shows 0-4 ms).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SbcNode } from '../src/node/node.js';
import { NgClient } from '../src/media/rtpengine/ng-client.js';
import { dialConfig } from '../src/config/dial-config.js';
import { NO_REWRITE_CLASSES } from '../src/rewrite/rewrite-classes.js';
import { compileDialPeers } from '../src/routing/dial-peer.js';
import { DialPlan } from '../src/routing/dial-plan.js';
import { pino } from 'pino';

const argText = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
};
const flows = Number(argText('flows', '500'));
const rates = argText('rates', '60000,90000,120000').split(',').map(Number);
const duration = Number(argText('duration', '30'));
/** Relay worker counts to measure, one SBC each (`--workers 1,2`). */
const workerCounts = argText('workers', '1').split(',').map(Number);
const cps = Number(argText('cps', '50'));
const forwarder = argText('forwarder', 'native') === 'dgram' ? 'dgram' : 'native';
const reference =
  argText('reference', 'rtpengine') === 'rtpengine' && spawnSync('rtpengine', ['--version']).status === 0;
/** Voice-grade: what the relay may add to a packet's one-way delay at p99 (µs). */
const P99_BUDGET_US = 5000;
const pin = argText('pin', '1') !== '0' && os.cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const blasterSource = path.resolve(root, '..', 'shared', 'tools', 'rtpblast', 'rtpblast.c');
const blaster = path.join(os.tmpdir(), 'fosip-rtpblast');

/**
 * A UDP port nobody holds now, outside the relay's range (30000-39999), the blaster's (40000 and up) and
 * rtpengine's (50000-59999: it starts before the SBCs, which listen on ports picked here).
 */
async function freePort(): Promise<number> {
  for (;;) {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    const rtpengines = port >= 50000 && port <= 59999;
    if ((port < 30000 || port >= 40000 + 4 * flows) && !rtpengines) return port;
  }
}

/** CPU time (ticks) of each thread of this process. */
function threadTimes(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, Number(f[11]) + Number(f[12])); // utime + stime
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** The relay workers are the busiest threads once packets flow: pin them to the last core (the blaster has core 0). */
function pinRelayThreads(count: number): void {
  const busiest = [...threadTimes()]
    .filter(([tid]) => tid !== String(process.pid))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
  const last = String(os.cpus().length - 1);
  for (const [tid] of busiest) spawnSync('taskset', ['-p', '-c', last, tid]);
}

/**
 * `cps` calls/s for the run's duration from a SIPp caller to `target`, answered by a SIPp callee on
 * `uasPort`; resolves to the sorted setup times (INVITE to 200, ms) once the caller is done.
 */
async function sippCalls(cwd: string, target: string, uasPort: number): Promise<number[]> {
  fs.mkdirSync(cwd, { recursive: true });
  for (const f of fs.readdirSync(cwd)) fs.rmSync(path.join(cwd, f));
  const uas = spawn(
    'sipp',
    ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-cp', String(await freePort()), '-nostdin'],
    { stdio: 'ignore', cwd },
  );
  children.push(uas);
  await new Promise((r) => setTimeout(r, 500));
  const uac = spawn(
    'sipp',
    [
      target,
      '-sn',
      'uac',
      '-s',
      '2001',
      '-i',
      '127.0.0.1',
      '-p',
      String(await freePort()),
      '-cp',
      String(await freePort()),
      '-nostdin',
      '-r',
      String(cps),
      '-m',
      String(cps * duration),
      '-d',
      '0',
      '-trace_rtt',
      '-rtt_freq',
      '1',
      '-timeout',
      `${duration + 30}s`,
    ],
    { stdio: 'ignore', cwd },
  );
  children.push(uac);
  return new Promise((resolve) =>
    uac.on('close', () => {
      uas.kill('SIGTERM');
      const rttFile = fs.readdirSync(cwd).find((f) => f.endsWith('_rtt.csv'));
      resolve(
        rttFile === undefined
          ? []
          : fs
              .readFileSync(path.join(cwd, rttFile), 'utf8')
              .trim()
              .split('\n')
              .slice(1)
              .map((l) => Number(l.split(';')[1]))
              .filter((x) => Number.isFinite(x))
              .sort((a, b) => a - b),
      );
    }),
  );
}

/** How long opening a relay session takes (ms, sorted) while `until` runs: one every 20 ms, closed again. */
async function openTimes(app: SbcNode, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.then(() => (done = true));
  const times: number[] = [];
  const none = { remote: null, remoteRtcp: null };
  for (let i = 0; !done; i++) {
    const t0 = performance.now();
    const opened = await app.media.open(`probe-${i}`, [{ stream: 0, clockRate: 8000, a: none, b: none }]);
    times.push(performance.now() - t0);
    if (opened !== null) await app.media.close(`probe-${i}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return times.sort((a, b) => a - b);
}

/** What rtpblast printed last: `sent=… recv=… loss_pct=… pps=… relay_us_per_pkt=… lat_p50_us=… lat_p99_us=…`. */
interface Blasted {
  pps: number;
  loss: number;
  usPerPacket: number;
  p50us: number;
  p99us: number;
  /** CPU seconds the hypervisor took from this machine (both cores) meanwhile: the noise under the delay */
  stealS: number;
}

/** Drive the flows at `rate` for `seconds`, measuring the CPU of process `pid` (none: 0). */
async function blast(
  flowsFile: string,
  rate: number,
  pid: number,
  onStart: () => void,
  seconds = duration,
): Promise<Blasted> {
  const args = ['-f', flowsFile, '-r', String(rate), '-d', String(seconds), ...(pid > 0 ? ['-p', String(pid)] : [])];
  const run = pin
    ? spawn('taskset', ['-c', '0', blaster, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(blaster, args, { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  onStart();
  let out = '';
  run.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => run.on('close', r));
  const last = out.trim().split('\n').at(-1) ?? '';
  const kv = Object.fromEntries(last.split(/\s+/).map((p) => p.split('=') as [string, string]));
  const num = (k: string): number => (kv[k] === undefined ? NaN : Number(kv[k]));
  return {
    pps: num('pps'),
    loss: num('loss_pct'),
    usPerPacket: num('relay_us_per_pkt'),
    p50us: num('lat_p50_us'),
    p99us: num('lat_p99_us'),
    stealS: num('steal_s'),
  };
}

/**
 * rtpengine relaying the same number of flows, userspace, one worker thread pinned to the relay's core:
 * each flow is an offer (A's port) and an answer (B's port), so rtpengine sends where the SDP says.
 * A new one for every rate: rtpengine 10.5 stops reading a socket for good once its receive queue has
 * overflowed five times ("UDP receive queue exceeded 5 times: discarding packet"; changed upstream in
 * sipwise/rtpengine#1769), so after one overloaded rate the same sessions would forward nothing.
 */
async function startReference(): Promise<{ pid: number; flowsFile: string; stop: () => Promise<void> }> {
  const ngPort = await freePort();
  const args = [
    '--config-file=none',
    '--foreground',
    '--table=-1',
    '--interface=127.0.0.1',
    `--listen-ng=127.0.0.1:${ngPort}`,
    '--port-min=50000',
    '--port-max=59999',
    '--num-threads=1',
    '--log-level=3',
    '--log-stderr',
    '--no-redis-required',
    '--delete-delay=0',
    '--timeout=86400', // the flows are idle while FoSIP is measured: rtpengine must not end them
    '--silent-timeout=86400',
  ];
  const child = pin
    ? spawn('taskset', ['-c', String(os.cpus().length - 1), 'rtpengine', ...args], { stdio: 'ignore' })
    : spawn('rtpengine', args, { stdio: 'ignore' });
  children.push(child);
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGTERM') console.log(`rtpengine exited (code ${code}, signal ${signal})`);
      resolve();
    }),
  );
  const ng = new NgClient({ endpoint: { host: '127.0.0.1', port: ngPort }, timeoutMs: 500, tries: 20 });
  await ng.command('ping');
  const sdp = (port: number): string =>
    `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=sendrecv\r\n`;
  const port = (reply: Record<string, unknown>): number => Number(/m=audio (\d+)/.exec(String(reply['sdp']))?.[1]);
  const lines: string[] = [];
  for (let i = 0; i < flows; i++) {
    const aPortUa = 40000 + 2 * i;
    const bPortUa = 40000 + 2 * flows + 2 * i;
    const call = { 'call-id': `bench-${i}`, 'from-tag': 'a' };
    const offer = await ng.command('offer', { ...call, sdp: sdp(aPortUa) }); // the port B sends to
    const answer = await ng.command('answer', { ...call, 'to-tag': 'b', sdp: sdp(bPortUa) }); // the port A sends to
    lines.push(`${aPortUa} 127.0.0.1:${port(answer)} ${bPortUa} 127.0.0.1:${port(offer)}`);
  }
  ng.close();
  const flowsFile = path.join(dir, 'flows-rtpengine.txt');
  fs.writeFileSync(flowsFile, lines.join('\n') + '\n');
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited;
  };
  return { pid: child.pid ?? 0, flowsFile, stop }; // taskset execs rtpengine: same pid
}

/**
 * FoSIP relaying the flows at `rate` while SIPp sets up `cps` calls/s through it, and the same SIPp pair
 * talks directly under the same load (the difference is the SBC's).
 */
async function withSipAlongside(app: SbcNode, flowsFile: string, rate: number): Promise<Blasted> {
  const viaSbc = sippCalls(path.join(dir, 'via-sbc'), `127.0.0.1:${sbcPort}`, uasPort);
  const directPort = await freePort();
  const direct = sippCalls(path.join(dir, 'direct'), `127.0.0.1:${directPort}`, directPort);
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const blasting = blast(flowsFile, rate, process.pid, () => undefined);
  const opens = await openTimes(app, blasting);
  const sbc = await blasting;
  const [setup, directSetup] = await Promise.all([viaSbc, direct]);
  lag.disable();
  console.log(
    `offered ${rate} pkt/s with ${cps} SIP calls/s: FoSIP forwarded ${sbc.pps.toFixed(0)} pkt/s, ${fmt(sbc)}; SIP setup p50 ${percentile(setup, 50).toFixed(1)} ms p99 ${percentile(setup, 99).toFixed(1)} ms ` +
      `over ${setup.length} calls (SIPp to SIPp directly meanwhile: p50 ${percentile(directSetup, 50).toFixed(1)} ms p99 ${percentile(directSetup, 99).toFixed(1)} ms); ` +
      `SIP event loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms; relay session open p50/p99 ${percentile(opens, 50).toFixed(1)}/${percentile(opens, 99).toFixed(1)} ms`,
  );
  return sbc;
}

/** rtpengine, started for this rate alone, carrying the flows at `rate`. */
async function measureReference(rate: number): Promise<Blasted> {
  const ref = await startReference();
  try {
    return await blast(ref.flowsFile, rate, ref.pid, () => undefined);
  } finally {
    await ref.stop();
  }
}

const fmt = (b: Blasted): string =>
  `${b.loss}% loss, p50/p99 ${(b.p50us / 1000).toFixed(2)}/${(b.p99us / 1000).toFixed(2)} ms, ${b.usPerPacket} µs/packet, ` +
  `CPU stolen by the hypervisor meanwhile ${b.stealS} s`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

if (!fs.existsSync(blaster)) {
  const built = spawnSync('gcc', ['-O2', '-Wall', '-o', blaster, blasterSource], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`cannot build rtpblast from ${blasterSource}: ${built.stderr}`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-rtp-'));
const children: ChildProcess[] = [];
const [sbcPort, uasPort] = [await freePort(), await freePort()];
const { peers } = compileDialPeers(
  dialConfig({
    dialPeers: [
      {
        file: 'bench',
        pointer: '',
        value: { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${uasPort}` },
      },
    ],
  }),
);
/** An SBC with `workers` relay workers and the flows opened through it; its flows file for the blaster. */
async function startSbc(workers: number): Promise<{ app: SbcNode; flowsFile: string }> {
  const app = await SbcNode.start(
    {
      configDir: dir,
      listen: [`udp:127.0.0.1:${sbcPort}`],
      admin: null,
      hostname: 'bench',
      logLevel: 'silent',
      redis: null,
      redisOptions: {},
      transport: {},
      timers: {},
      calls: {},
      media: { portMin: 30000, portMax: 39999, workers, forwarder },
    },
    {
      config: {
        dialPlan: new DialPlan(peers),
        rewrite: NO_REWRITE_CLASSES,
        profiles: { inbound: null, outbound: null },
      },
      log: pino({ level: 'silent' }),
    },
  );
  // the blaster's A and B ports: 40000 and up, two per flow, away from the relay's range
  const lines: string[] = [];
  for (let i = 0; i < flows; i++) {
    const aPortUa = 40000 + 2 * i;
    const bPortUa = 40000 + 2 * flows + 2 * i;
    const opened = await app.media.open(`bench-${i}`, [
      {
        stream: 0,
        clockRate: 8000,
        a: { remote: { address: '127.0.0.1', port: aPortUa }, remoteRtcp: null },
        b: { remote: { address: '127.0.0.1', port: bPortUa }, remoteRtcp: null },
      },
    ]);
    if (opened === null || opened[0] === undefined) {
      await app.stop();
      throw new Error('the port pool is too small for the flows');
    }
    lines.push(`${aPortUa} 127.0.0.1:${opened[0].aPort} ${bPortUa} 127.0.0.1:${opened[0].bPort}`);
  }
  const flowsFile = path.join(dir, `flows-${workers}.txt`);
  fs.writeFileSync(flowsFile, lines.join('\n') + '\n');
  return { app, flowsFile };
}

interface RateResult {
  rate: number;
  floor: Blasted | undefined;
  sbc: Blasted;
  ref: Blasted | null | undefined;
  withSip: Blasted | null;
}

/** The table of one worker count's pass, then the highest rate that kept the budget. */
function printTable(workers: number, results: RateResult[]): void {
  const delay = (b: Blasted): string => `${(b.p50us / 1000).toFixed(2)} / ${(b.p99us / 1000).toFixed(2)} ms`;
  const cell = (b: Blasted | null | undefined): string =>
    b === null || b === undefined ? '| - | - | - ' : `| ${b.loss} % | ${delay(b)} | ${b.usPerPacket} µs `;
  console.log(
    `\n${workers} relay worker(s):\n` +
      '| offered | blaster alone p50 / p99 | FoSIP loss | FoSIP latency p50 / p99 | FoSIP CPU/packet | rtpengine loss | rtpengine latency p50 / p99 | rtpengine CPU/packet | FoSIP with SIP: loss, p50 / p99 |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${r.rate} pkt/s | ${r.floor === undefined ? '-' : delay(r.floor)} ${cell(r.sbc)}${cell(r.ref)}| ${r.withSip === null ? '-' : `${r.withSip.loss} %, ${delay(r.withSip)}`} |`,
    );
  const best = (pick: (r: RateResult) => Blasted | null | undefined): string => {
    const ok = results
      .map((r) => ({ rate: r.rate, b: pick(r) }))
      .filter((x) => x.b !== null && x.b !== undefined && x.b.loss <= 0.01 && x.b.p99us <= P99_BUDGET_US)
      .sort((x, y) => y.rate - x.rate)[0];
    return ok === undefined ? 'none of the rates offered' : `${ok.rate} pkt/s`;
  };
  const measuredOnce = results.some((r) => r.floor !== undefined);
  console.log(
    `highest rate with no loss and p99 delay <= ${P99_BUDGET_US / 1000} ms (media only): FoSIP with ${workers} worker(s) ${best((r) => r.sbc)}` +
      (measuredOnce && results.some((r) => r.ref !== null) ? `, rtpengine ${best((r) => r.ref)}` : '') +
      (measuredOnce ? `, the blaster alone ${best((r) => r.floor)}` : ''),
  );
}

// the A and B ports with nothing between them: what the blaster measures of itself
const directFile = path.join(dir, 'flows-direct.txt');
const direct = Array.from(
  { length: flows },
  (_, i) => `${40000 + 2 * i} 127.0.0.1:${40000 + 2 * flows + 2 * i} ${40000 + 2 * flows + 2 * i}`,
);
fs.writeFileSync(directFile, direct.join('\n') + '\n');
let app: SbcNode | null = null;
try {
  console.log(
    `${flows} relayed flows, ${workerCounts.join(' then ')} relay worker(s) (${forwarder === 'native' ? 'native fast path if built' : 'node:dgram'}), ` +
      `${duration} s per rate and run${pin ? '; relay pinned to the last core, blaster to core 0' : ''}; per rate: the blaster alone, FoSIP` +
      (reference ? ', rtpengine (userspace, 1 thread, same core, started afresh)' : '') +
      (cps > 0 ? `, FoSIP with ${cps} SIP calls/s alongside` : ''),
  );
  for (const [pass, workers] of workerCounts.entries()) {
    const started = await startSbc(workers);
    app = started.app;
    // the relay's threads are found by the CPU they use once packets flow: a short unmeasured run pins them,
    // so that no measured second has them on the blaster's core
    await blast(
      started.flowsFile,
      rates[0] ?? 10000,
      0,
      () => {
        if (pin) setTimeout(() => pinRelayThreads(workers), 1000);
      },
      2,
    );
    const results: RateResult[] = [];
    for (const rate of rates) {
      const floor = pass === 0 ? await blast(directFile, rate, 0, () => undefined) : undefined;
      if (floor !== undefined) console.log(`offered ${rate} pkt/s: the blaster alone (A straight to B): ${fmt(floor)}`);
      const sbc = await blast(started.flowsFile, rate, process.pid, () => undefined);
      console.log(
        `offered ${rate} pkt/s: FoSIP (${workers} worker(s)) forwarded ${sbc.pps.toFixed(0)} pkt/s, ${fmt(sbc)}; shed so far ${app.media.shed} packets`,
      );
      const refRun = pass > 0 ? undefined : reference ? await measureReference(rate) : null;
      if (refRun !== null && refRun !== undefined)
        console.log(`offered ${rate} pkt/s: rtpengine forwarded ${refRun.pps.toFixed(0)} pkt/s, ${fmt(refRun)}`);
      const withSip = cps > 0 ? await withSipAlongside(app, started.flowsFile, rate) : null;
      results.push({ rate, floor, sbc, ref: refRun, withSip });
    }
    printTable(workers, results);
    await app.stop();
    app = null;
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await app?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
