/**
 * Calls whose media rtpengine relays (fosip.json `media.engine: rtpengine`), with real SIPp and a real
 * rtpengine in userspace: `uac_pcap` plays G.711 to a callee that echoes it; RTP crosses rtpengine's ports
 * both ways, neither side learns the other's address, and rtpengine holds no call once it ends, however it
 * ends (BYE, CANCEL, a failure, a hunt, a re-INVITE in between). An rtpengine that refuses or does not
 * answer fails the call cleanly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestAppOptions, boundPort, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { recordingLog } from '../helpers/log.js';
import { runCli } from '../helpers/cli.js';
import { freePort, freeUdpBlock } from '../helpers/net.js';
import { uacPcap } from '../helpers/pcap-scenarios.js';
import { Rtpengine } from '../helpers/rtpengine.js';
import {
  uacCancel,
  uacExpect,
  uacHoldResume,
  uacHoldsSilently,
  uasCancelled,
  uasHoldResume,
  uasPutOnHold,
  uasRespond,
} from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { Capture } from '../helpers/tshark.js';

/** How many times rtpengine logged taking this command so far. */
const commandsTaken = (e: Rtpengine, command: string): number =>
  e.log.split(`Received command '${command}'`).length - 1;

function sbcWith(
  e: Rtpengine | string,
  dialPeers: NonNullable<TestAppOptions['dialPeers']>,
  log = recordingLog('info'),
  admin?: string,
) {
  const ng = typeof e === 'string' ? e : e.ng;
  return startTestApp({
    dialPeers,
    media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng }] },
    log: log.log,
    ...(admin !== undefined ? { admin } : {}),
  });
}

/** An SBC whose calls go to `port`, their media on two rtpengine instances of these weights. */
const twoInstances = (port: number, ...fleet: Array<[Rtpengine, number]>) =>
  startTestApp({
    dialPeers: [peerTo(1, port)],
    media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: fleet.map(([e, weight]) => ({ ng: e.ng, weight })) },
  });

const peerTo = (tag: number, port: number, more: object = {}) => ({
  tag,
  destinationPattern: '2...',
  sessionTarget: `ipv4:127.0.0.1:${port}`,
  preference: tag,
  ...more,
});

describe('calls through rtpengine (SIPp, real rtpengine)', () => {
  let e: Rtpengine;
  before(async () => {
    e = await Rtpengine.start();
  });
  after(() => e.kill());

  it("relays the caller's audio to an echoing callee and back through rtpengine's ports, hiding both sides", async () => {
    const calleeMp = await freeUdpBlock(4);
    const callerMp = await freeUdpBlock(4);
    const b = await callee({ extra: ['-rtp_echo', '-mp', String(calleeMp)], timeoutMs: 60_000 });
    const sbcLog = recordingLog('info');
    const admin = `127.0.0.1:${await freePort('tcp')}`;
    const app = await sbcWith(e, [peerTo(1, b.port)], sbcLog, admin);
    const capture = await Capture.start(`udp and (port ${callerMp} or port ${calleeMp})`);
    let wire: Awaited<ReturnType<Capture['stop']>> = [];
    try {
      const run = caller(boundPort(app, 'udp'), {
        scenario: uacPcap(),
        extra: ['-mp', String(callerMp)],
        timeoutMs: 60_000,
      });
      // while it plays, the show command reads rtpengine's counters of both legs (its query)
      let brief = '';
      const counted = await eventually(
        async () => {
          brief = (await runCli(['show', 'call', 'active', 'voice', 'brief', '--admin', `http://${admin}`])).stdout;
          const rx = [...brief.matchAll(/ rx:(\d+)\/(\d+) media 127\.0\.0\.1:(\d+) /g)];
          return rx.length === 2 && rx.every((m) => Number(m[1]) >= 50 && Number(m[2]) >= 50 * 172);
        },
        { ms: 20_000, everyMs: 500 },
      );
      assert.ok(counted, `both legs' media counted from rtpengine in show call active voice brief:\n${brief}`);
      assert.match(brief, new RegExp(`media 127\\.0\\.0\\.1:${callerMp} `), "the caller's media address");
      assert.match(brief, new RegExp(`media 127\\.0\\.0\\.1:${calleeMp} `), "the callee's media address");
      const result = await run;
      wire = await capture.stop();
      const bres = await b.run;
      const why = `caller:\n${result.messages.slice(-2000)}\ncallee:\n${bres.messages.slice(-2000)}\nSBC:\n${sbcLog.lines.slice(-10).join('\n')}\nrtpengine:\n${e.log.slice(-1500)}`;
      assert.equal(result.code, 0, why);
      const calleeInvite = /INVITE sip:[\s\S]*?\r?\n\r?\n[\s\S]*?m=audio[^\n]*/.exec(bres.messages)?.[0] ?? '';
      const offered = Number(/m=audio (\d+) /.exec(calleeInvite)?.[1]);
      assert.ok(
        offered >= e.media.portMin && offered <= e.media.portMax,
        `the callee is offered an rtpengine port:\n${calleeInvite}`,
      );
      assert.doesNotMatch(
        calleeInvite,
        new RegExp(`m=audio ${callerMp} `),
        "the caller's port never reaches the callee",
      );
      assert.doesNotMatch(calleeInvite, /a=candidate|a=ice-/, 'no ICE attributes cross');
      const inRange = (p: number): boolean => p >= e.media.portMin && p <= e.media.portMax;
      const toCallee = wire.filter((p) => p.dstPort === calleeMp);
      const toCaller = wire.filter((p) => p.dstPort === callerMp);
      const fromCaller = wire.filter((p) => p.srcPort === callerMp);
      assert.ok(fromCaller.length >= 236, `the caller played its audio (${fromCaller.length} packets)\n${why}`);
      assert.ok(
        toCallee.length >= 0.95 * fromCaller.length,
        `rtpengine relayed the audio to the callee (${toCallee.length} of ${fromCaller.length})`,
      );
      assert.ok(toCaller.length >= 0.95 * fromCaller.length, `and the echo back to the caller (${toCaller.length})`);
      assert.ok(
        toCallee.every((p) => inRange(p.srcPort)) && toCaller.every((p) => inRange(p.srcPort)),
        'both sides got RTP only from rtpengine',
      );
      assert.ok(await eventually(async () => (await e.calls()).length === 0), 'rtpengine holds no call after the BYE');
      assert.match(await app.metrics.text(), new RegExp(`^sbc_media_engine_up\\{engine="${e.ng}"\\} 1$`, 'm'));
      // the ended call's packets stay counted (rtpengine's reply to delete), in and out
      const metrics = await app.metrics.text();
      const counter = (dir: string): number =>
        Number(new RegExp(`^sbc_rtp_packets_total\\{direction="${dir}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? -1);
      assert.ok(counter('in') >= 2 * 236 && counter('out') >= 2 * 236, `RTP counted after the call:\n${metrics}`);
      assert.equal(app.b2bua.callCount, 0);
    } finally {
      await capture.stop().catch(() => []);
      await app.stop();
    }
  });

  it('leaves no call on rtpengine after a CANCEL, a failure, a hunt and a re-INVITE', async () => {
    const cancelled = await callee({ scenario: uasCancelled(), timeoutMs: 30_000 });
    const busy = await callee({ scenario: uasRespond('486 Busy Here'), timeoutMs: 30_000 });
    const app = await sbcWith(e, [peerTo(1, cancelled.port)]);
    const offersBefore = commandsTaken(e, 'offer');
    try {
      assert.equal(
        (await caller(boundPort(app, 'udp'), { scenario: uacCancel(), timeoutMs: 30_000 })).code,
        0,
        'CANCEL',
      );
      assert.equal((await cancelled.run).code, 0);
      assert.ok(await eventually(async () => (await e.calls()).length === 0), 'none after the CANCEL');
      await app.stop();
      // the first dial-peer answers 503 (hunted), the second 486 (the caller's failure)
      const unavailable = await callee({ scenario: uasRespond('503 Service Unavailable'), timeoutMs: 30_000 });
      const hunting = await sbcWith(e, [peerTo(1, unavailable.port), peerTo(2, busy.port)]);
      try {
        assert.equal(
          (await caller(boundPort(hunting, 'udp'), { scenario: uacExpect(486), timeoutMs: 30_000 })).code,
          0,
          'hunted, then 486',
        );
        assert.ok(await eventually(async () => (await e.calls()).length === 0), 'none after the hunt and the failure');
        const held = await callee({ scenario: uasHoldResume(), timeoutMs: 30_000 });
        const reinvite = await sbcWith(e, [peerTo(1, held.port)]);
        try {
          const r = await caller(boundPort(reinvite, 'udp'), { scenario: uacHoldResume(), timeoutMs: 30_000 });
          assert.equal(r.code, 0, `hold and resume through rtpengine:\n${r.messages.slice(-2500)}`);
          assert.equal((await held.run).code, 0);
          assert.ok(await eventually(async () => (await e.calls()).length === 0), 'none after a call with re-INVITEs');
          // what reached rtpengine: the CANCELled call's offer, both hunted attempts', and the re-INVITEs'
          const offers = commandsTaken(e, 'offer') - offersBefore;
          assert.ok(offers >= 5, `rtpengine took the offers (${offers})`);
        } finally {
          await reinvite.stop();
        }
      } finally {
        await hunting.stop();
      }
    } finally {
      await app.stop();
    }
  });

  it('spreads 200 calls over two instances by their weights (3:1), and leaves none behind on either', async () => {
    const [heavy, light] = await Promise.all([Rtpengine.start(), Rtpengine.start()]);
    const b = await callee({ calls: 200, timeoutMs: 120_000 });
    const app = await twoInstances(b.port, [heavy, 3], [light, 1]);
    try {
      const r = await caller(boundPort(app, 'udp'), {
        calls: 200,
        holdMs: 100,
        extra: ['-r', '40', '-l', '20'],
        timeoutMs: 120_000,
      });
      assert.equal(r.code, 0, `every call went through:\n${r.messages.slice(-2000)}`);
      assert.equal((await b.run).code, 0);
      const [h, l] = [commandsTaken(heavy, 'offer'), commandsTaken(light, 'offer')];
      assert.equal(h + l, 200, 'one offer per call');
      // binomial, n = 200, p = 3/4: 150 expected, standard deviation 6.1; 120-180 is five of them
      assert.ok(h >= 120 && h <= 180, `the instance of weight 3 took ${h} calls, the one of weight 1 ${l}`);
      for (const e of [heavy, light])
        assert.ok(await eventually(async () => (await e.calls()).length === 0), `${e.ng} holds no call after`);
    } finally {
      await app.stop();
      await Promise.all([heavy.kill(), light.kill()]);
    }
  });

  it('ends an answered call whose legs send no RTP for media.inactivitySeconds, and rtpengine lets go of it', async () => {
    const b = await callee({ timeoutMs: 30_000 });
    const app = await startTestApp({
      dialPeers: [peerTo(1, b.port)],
      media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }], inactivitySeconds: 1 },
    });
    try {
      const started = Date.now();
      await caller(boundPort(app, 'udp'), { holdMs: 10_000, timeoutMs: 30_000 }); // no RTP; a BYE it did not expect
      await b.run;
      assert.ok(Date.now() - started < 9000, 'the SBC ended the call before the caller would have');
      const [cdr] = app.callStore.history(1);
      assert.deepEqual([cdr?.disconnectCause, cdr?.disconnectText, cdr?.releasedBy], [41, 'media inactivity', 'sbc']);
      assert.ok(await eventually(async () => (await e.calls()).length === 0), 'rtpengine holds no call after it');
    } finally {
      await app.stop();
    }
  });

  it('keeps a call on hold that carries no RTP past media.inactivitySeconds, as the built-in relay does', async () => {
    const b = await callee({ scenario: uasPutOnHold(), timeoutMs: 30_000 });
    const app = await startTestApp({
      dialPeers: [peerTo(1, b.port)],
      media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }], inactivitySeconds: 1 },
    });
    try {
      // held at once, silent for three times the limit (rtpengine's stamps have a second of slack), then hung up
      const a = await caller(boundPort(app, 'udp'), { scenario: uacHoldsSilently(4000), timeoutMs: 30_000 });
      assert.equal(a.code, 0, `the caller hung up itself:\n${a.messages.slice(-2000)}`);
      assert.equal((await b.run).code, 0);
      const [cdr] = app.callStore.history(1);
      assert.deepEqual([cdr?.disconnectCause, cdr?.releasedBy], [16, 'caller'], 'a normal hang-up, not cause 41');
      assert.ok(await eventually(async () => (await e.calls()).length === 0), 'rtpengine holds no call after it');
    } finally {
      await app.stop();
    }
  });

  it('keeps taking calls when one of two instances dies: its calls move to the other, and it is marked down', async () => {
    const [dead, alive] = await Promise.all([Rtpengine.start(), Rtpengine.start()]);
    const b = await callee({ calls: 6, timeoutMs: 60_000 });
    const app = await twoInstances(b.port, [dead, 1000], [alive, 1]);
    try {
      await dead.kill(); // weighted so that the first call surely picks the dead one
      const before = commandsTaken(alive, 'offer');
      const r = await caller(boundPort(app, 'udp'), { calls: 6, holdMs: 200, extra: ['-r', '5'], timeoutMs: 60_000 });
      assert.equal(r.code, 0, `every call went through:\n${r.messages.slice(-2000)}`);
      assert.equal((await b.run).code, 0);
      assert.equal(commandsTaken(alive, 'offer') - before, 6, 'all six calls were set up on the survivor');
      assert.equal(app.rtpengine?.isUp(dead.ng), false, 'the dead instance is out of the fleet');
      assert.ok(
        await eventually(async () => (await alive.calls()).length === 0),
        'and the survivor holds nothing after',
      );
    } finally {
      await app.stop();
      await alive.kill();
    }
  });

  it('fails the call with 503 and a Warning when no rtpengine answers, and leaves nothing behind', async () => {
    const silent = `udp:127.0.0.1:${await freePort('udp')}`;
    const b = await callee({ timeoutMs: 15_000 });
    const admin = `127.0.0.1:${await freePort('tcp')}`;
    const app = await sbcWith(silent, [peerTo(1, b.port)], recordingLog('info'), admin);
    try {
      const r = await caller(boundPort(app, 'udp'), { scenario: uacExpect(503), timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.messages.slice(-2000));
      assert.match(r.messages, /^Warning: 399 \S+ "rtpengine [^"]*did not answer/m);
      assert.equal(app.b2bua.callCount, 0);
      const metrics = await app.metrics.text();
      assert.match(
        metrics,
        new RegExp(`^sbc_media_engine_up\\{engine="${silent}"\\} 0$`, 'm'),
        'the silent instance is out of the fleet',
      );
      assert.match(metrics, new RegExp(`^sbc_media_engine_sessions\\{engine="${silent}"\\} 0$`, 'm'));
      assert.equal((app.health()['rtpengine'] as Array<{ up: boolean }>)[0]?.up, false, '/health says so too');
      const shown = await runCli(['show', 'voip', 'rtp', 'engines', '--admin', `http://${admin}`]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(
        shown.stdout,
        new RegExp(`^fosip-test +${silent.replace(/[.[\]]/g, '\\$&')} +DOWN +1 +0 +1 +never$`, 'm'),
        shown.stdout,
      );
      assert.match(shown.stdout, /^0 of 1 up$/m);
      b.kill();
    } finally {
      await app.stop();
    }
  });
});
