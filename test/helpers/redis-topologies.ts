/**
 * Redis Sentinel and Redis Cluster made of real redis-server processes on free loopback ports (the same
 * binary: `--sentinel` for a sentinel, `--cluster-enabled` plus `redis-cli --cluster create` for a cluster).
 */
import { waitUntil } from './eventually.js';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './net.js';
import { RedisServer } from './redis.js';

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  await waitUntil(`${what} comes up`, check);
}

function stop(children: ChildProcess[]): Promise<unknown> {
  return Promise.all(
    children.map((c) => {
      if (c.exitCode !== null) return Promise.resolve();
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      return exited;
    }),
  );
}

/** A master and one sentinel watching it as `mymaster`. */
export class SentinelSetup {
  private constructor(
    readonly master: RedisServer,
    private readonly sentinel: ChildProcess,
    readonly sentinelPort: number,
  ) {}

  static async start(): Promise<SentinelSetup> {
    const master = await RedisServer.start();
    const port = await freePort('tcp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-sentinel-'));
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(
      conf,
      [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`].join(
        '\n',
      ),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    const probe = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on('error', () => undefined);
    await until('redis sentinel', async () => {
      if (probe.status !== 'ready') await probe.connect();
      const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[] | null;
      return addr?.[1] === String(master.port);
    });
    probe.disconnect();
    return new SentinelSetup(master, child, port);
  }

  get url(): string {
    return `redis-sentinel://127.0.0.1:${this.sentinelPort}/mymaster/0`;
  }

  async stop(): Promise<void> {
    await stop([this.sentinel]);
    await this.master.kill();
  }
}

/** Three masters sharing the 16384 slots. */
export class ClusterSetup {
  private constructor(
    private readonly children: ChildProcess[],
    readonly ports: number[],
  ) {}

  static async start(): Promise<ClusterSetup> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-cluster-'));
    const ports: number[] = [];
    const children: ChildProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort('tcp');
      ports.push(port);
      children.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(dir, `nodes-${port}.conf`),
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            dir,
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    const setup = new ClusterSetup(children, ports);
    try {
      for (const port of ports) {
        await until(`redis-server ${port}`, () =>
          Promise.resolve(
            spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG',
          ),
        );
      }
      const created = spawnSync(
        'redis-cli',
        ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
        { encoding: 'utf8' },
      );
      if (created.status !== 0)
        throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
      await until('the cluster', () =>
        Promise.resolve(
          ports.every((p) =>
            /cluster_state:ok/.test(
              spawnSync('redis-cli', ['-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }).stdout,
            ),
          ),
        ),
      );
    } catch (err) {
      await setup.stop();
      throw err;
    }
    return setup;
  }

  get url(): string {
    return `redis-cluster://${this.ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
  }

  stop(): Promise<unknown> {
    return stop(this.children);
  }
}
