/**
 * Calls survive a SIGKILL: 50 established SIPp calls with media through a node that is killed and started
 * again (same hostname, listen address and Redis). The restarted node takes every call back, re-opens its
 * RTP ports at the same numbers, relays the audio SIPp plays after the restart to the echoing callee and the
 * echo back, and relays the BYEs SIPp sends at the end: all 50 calls end normally.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { MediaStatsByCall } from '../../src/state/node-reports.js';
import { freePort, freeUdpBlock } from '../helpers/net.js';
import { startNode } from '../helpers/fosip-process.js';
import { uacPcap } from '../helpers/pcap-scenarios.js';
import { RedisServer } from '../helpers/redis.js';
import { Capture } from '../helpers/tshark.js';
import { callee, caller } from '../helpers/sipp-pair.js';

const CALLS = 50;
/**
 * The restarted node must bind the very ports it had: a range below both Linux's ephemeral ports (32768-60999) and
 * the default relay pool (8000-48198), so that no socket of the tests running beside this one takes a port while the node is down.
 */
const RELAY_PORTS = { portMin: 3000, portMax: 3999 };

describe('calls with media across a restart', () => {
  it(
    `keeps ${CALLS} relayed calls through a SIGKILL: RTP echoed again, every call ends with SIPp's BYE`,
    { timeout: 180_000 },
    async () => {
      const redis = await RedisServer.start();
      const b = await callee({
        calls: CALLS + 10,
        timeoutMs: 120_000,
        trace: false,
        extra: ['-rtp_echo', '-mp', String(await freeUdpBlock())],
      });
      const [port, adminPort] = [await freePort('udp'), await freePort('tcp')];
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-restart-media-'));
      fs.mkdirSync(path.join(dir, 'dialpeers'));
      fs.writeFileSync(
        path.join(dir, 'fosip.json'),
        JSON.stringify({
          listen: [`udp:127.0.0.1:${port}`],
          admin: `127.0.0.1:${adminPort}`,
          trustedList: ['127.0.0.0/8'],
          media: RELAY_PORTS,
        }),
      );
      fs.writeFileSync(
        path.join(dir, 'dialpeers', '1.json'),
        JSON.stringify({ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }),
      );
      const probe = new Redis(redis.url);
      let node = await startNode(dir, redis.url, 'media-restart');
      const stopCallers = new AbortController();
      let capture: Capture | undefined;
      try {
        // each call waits 12 s after its answer before it plays its 7 s of audio: the kill and the restart happen
        // meanwhile (a node starting on a loaded machine took over 4 s, and the first calls' audio was half over)
        const scenario = uacPcap().replace(
          /(<nop>\s*<action>\s*<exec play_pcap_audio="pcap\/g711a\.pcap"\/>)/,
          '<pause milliseconds="12000"/>\n$1',
        );
        const callerMp = await freeUdpBlock();
        const calls = caller(port, {
          scenario,
          calls: CALLS,
          trace: false,
          timeoutMs: 120_000,
          signal: stopCallers.signal,
          extra: ['-r', '25', '-l', String(CALLS), '-mp', String(callerMp)],
        });
        // the SBC's RTP port facing each caller, as the records say
        const aPorts = new Set<number>();
        const connected = async (): Promise<number> => {
          const ids = await probe.smembers('sbc:node:media-restart:calls');
          const states = await Promise.all(
            ids.map(
              async (id) =>
                JSON.parse((await probe.get(`sbc:call:{${id}}`)) ?? '{}') as {
                  state?: string;
                  recovery?: { media?: { streams: Array<{ aPort: number }> } };
                },
            ),
          );
          const up = states.filter((st) => st.state === 'connected' && st.recovery?.media !== undefined);
          for (const st of up) for (const x of st.recovery?.media?.streams ?? []) aPorts.add(x.aPort);
          return up.length;
        };
        await eventually(async () => (await connected()) >= CALLS, { everyMs: 100 });
        assert.equal(await connected(), CALLS, `${CALLS} relayed calls up before the kill`);
        node.child.kill('SIGKILL');
        await new Promise((r) => node.child.once('exit', r));
        // tshark sees what leaves the SBC's ports facing the callers from now on: the echoes
        capture = await Capture.start(`udp and (${[...aPorts].map((p) => `src port ${p}`).join(' or ')})`);
        node = await startNode(dir, redis.url, 'media-restart');
        // the restarted node's relay counts only what it relayed itself: every call's audio reached the callee and its echo the caller
        let media: MediaStatsByCall = {};
        const bothWays = (streams: MediaStatsByCall[string]): boolean =>
          streams.some((st) => st.a.forwarded > 0 && st.b.forwarded > 0);
        const echoed = (): number => Object.values(media).filter(bothWays).length;
        await eventually(
          async () => {
            const res = await fetch(`http://127.0.0.1:${adminPort}/api/media`).catch(() => null);
            if (res?.ok === true) media = { ...media, ...((await res.json()) as MediaStatsByCall) };
            return echoed() >= CALLS;
          },
          { ms: 25_000, everyMs: 100 },
        );
        const silent = Object.entries(media).filter(([, streams]) => !bothWays(streams));
        assert.equal(
          echoed(),
          CALLS,
          `RTP relayed both ways after the restart for every call; not these (${Object.keys(media).length} seen):\n${JSON.stringify(silent)}\n${node.log().slice(-3000)}`,
        );
        const r = await calls;
        const wire = await capture.stop();
        // every call's own port sent a stream of echoes (not a count to the packet: a loaded tshark drops some)
        const perPort = new Map<number, number>();
        for (const p of wire) if (aPorts.has(p.srcPort)) perPort.set(p.srcPort, (perPort.get(p.srcPort) ?? 0) + 1);
        const streams = [...perPort.values()].filter((n) => n >= 20).length;
        assert.equal(
          streams,
          CALLS,
          `after the restart, echoes left toward the callers from every call's own SBC port (${streams} of ${CALLS}; ${wire.length} packets)`,
        );
        assert.equal(
          r.code,
          0,
          `every call ended with SIPp's BYE and its 200:\n${r.stderr}\n${node.log().slice(-3000)}`,
        );
        await eventually(async () => (await probe.scard('sbc:node:media-restart:calls')) === 0, { everyMs: 100 });
        const history = (await probe.xrange('sbc:history', '-', '+')).map(
          ([, fields]) => JSON.parse(fields[1] ?? '{}') as { disconnectCause: number; releasedBy: string },
        );
        assert.equal(
          history.filter((c) => c.disconnectCause === 16 && c.releasedBy === 'caller').length,
          CALLS,
          'normal call clearing by the caller, for all of them',
        );
        assert.match(node.log(), new RegExp(`"resumed":${CALLS},"ended":0`));
      } finally {
        stopCallers.abort();
        await capture?.stop().catch(() => []); // a failed check leaves no tshark running
        node.child.kill('SIGKILL');
        b.kill();
        probe.disconnect();
        await redis.kill();
      }
    },
  );
});
