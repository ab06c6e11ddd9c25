/**
 * RTP through the SBC (media flow-through) with real SIPp: `uac_pcap` plays G.711 and an RFC 2833 digit
 * to a callee that echoes RTP. Each side sees only the SBC in SDP, every packet is relayed both ways, and
 * the ports go back to the pool when the call ends. A caller whose SDP names a port it does not send
 * from (a NAT) is reached by latching.
 */
import { eventually } from '../helpers/eventually.js';
import type { Logger } from 'pino';
import { recordingLog } from '../helpers/log.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SbcNode } from '../../src/node/node.js';
import type { StreamStatsReport } from '../../src/media/relay-protocol.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freeUdpBlock, relayRange, sleep } from '../helpers/net.js';
import { ReplayUa } from '../helpers/replay-ua.js';
import { CucmDelayedOffer, earlyOfferTo } from '../helpers/cucm-delayed-offer.js';
import { RtpEndpoint } from '../helpers/rtp.js';
import { Capture, type Packet } from '../helpers/tshark.js';
import { uacPcap } from '../helpers/pcap-scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { uacAddsVideo, uacHoldsSilently, uacWith, uasAcceptsVideo, uasPutOnHold } from '../helpers/scenarios.js';
import { recvInvite, uasResponse, wrap } from '../helpers/sipp-xml.js';

const UAC_PCAP = uacPcap;

/** sipp's -mp: RTP and RTCP of audio and of a video stream, all free. */
function mediaPort(): Promise<number> {
  return freeUdpBlock(4);
}

/** Poll the relay's statistics while the call runs; the last sample taken before it closed. */
async function watch(app: SbcNode, done: Promise<unknown>): Promise<StreamStatsReport | undefined> {
  let last: StreamStatsReport | undefined;
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const all = await app.media.stats();
    const first = Object.values(all)[0]?.[0];
    if (first !== undefined) last = first;
    await sleep(100);
  }
  return last;
}

/** An SBC relaying media through 50 port pairs of its own to a callee on `calleePort`. */
async function relayingApp(calleePort: number, log?: Logger): Promise<{ app: SbcNode; portMin: number }> {
  const range = relayRange(50);
  const app = await startTestApp({
    dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${calleePort}` }],
    media: range,
    ...(log !== undefined ? { log } : {}),
  });
  return { app, portMin: range.portMin };
}

async function relayCall(scenario: string): Promise<{
  app: SbcNode;
  stats: StreamStatsReport | undefined;
  calleeInvite: string;
  callerMp: number;
  calleeMp: number;
  code: number | null;
  wire: Packet[];
  why: string;
}> {
  const calleeMp = await mediaPort();
  const b = await callee({ extra: ['-rtp_echo', '-mp', String(calleeMp)], timeoutMs: 60_000 });
  const sbcLog = recordingLog('info');
  const { app } = await relayingApp(b.port, sbcLog.log);
  let capture: Capture | undefined;
  try {
    const callerMp = await mediaPort();
    // tshark counts what really crossed the wire on both legs (RTP only: the media ports of both sides)
    capture = await Capture.start(`udp and (port ${callerMp} or port ${calleeMp})`);
    const run = caller(boundPort(app, 'udp'), { scenario, extra: ['-mp', String(callerMp)], timeoutMs: 60_000 });
    const stats = await watch(app, run);
    const result = await run;
    const wire = await capture.stop(); // it waits for what was sent before it (see Capture)
    const bres = await b.run;
    await eventually(() => app.portPool.inUse === 0);
    const calleeInvite = /INVITE sip:[\s\S]*?\r?\n\r?\n[\s\S]*?m=audio[^\n]*/.exec(bres.messages)?.[0] ?? '';
    // what to show when the call failed: both SIPp message logs and what the SBC logged
    const why = `caller:\n${result.messages.slice(-2500)}\ncallee:\n${bres.messages.slice(-2500)}\nSBC:\n${sbcLog.lines
      .filter((l) => !l.includes('call detail record'))
      .slice(-15)
      .join('\n')}`;
    return { app, stats, calleeInvite, callerMp, calleeMp, code: result.code, wire, why };
  } catch (err) {
    await capture?.stop().catch(() => []); // no tshark left running
    await app.stop();
    throw err;
  }
}

describe('media flow-through with SIPp', () => {
  it('relays the played audio and digit to an echoing callee and back, hiding both sides', async () => {
    const { app, stats, calleeInvite, callerMp, calleeMp, code, wire } = await relayCall(UAC_PCAP());
    try {
      assert.equal(code, 0);
      assert.ok(stats, 'the relay had a session');
      const count = (src: number, dst: number): number =>
        wire.filter((p) => p.srcPort === src && p.dstPort === dst).length;
      const { localPort: aPort } = stats.a;
      const { localPort: bPort } = stats.b;
      const onWire = [count(callerMp, aPort), count(bPort, calleeMp), count(calleeMp, bPort), count(aPort, callerMp)];
      assert.deepEqual(
        onWire,
        [stats.a.packets, stats.a.forwarded, stats.b.packets, stats.b.forwarded],
        'tshark saw what the relay counted, on both legs',
      );
      assert.ok(
        wire.filter((p) => p.dstPort === calleeMp).every((p) => p.srcPort === bPort),
        'the callee got RTP only from the SBC',
      );
      assert.ok(
        wire.filter((p) => p.dstPort === callerMp).every((p) => p.srcPort === aPort),
        'the caller got RTP only from the SBC',
      );
      const sent = stats.a.packets;
      assert.ok(sent >= 236, `the caller's ${sent} packets (236 of G.711 and the digit's) arrived`);
      assert.equal(stats.a.forwarded, sent, 'every packet went on to the callee');
      assert.equal(stats.b.packets, sent, 'the callee echoed every one');
      assert.equal(stats.b.forwarded, sent, 'and every echo went back to the caller');
      assert.equal(stats.a.lost + stats.b.lost + stats.a.dropped + stats.b.dropped, 0);
      assert.deepEqual(stats.a.remote, { address: '127.0.0.1', port: callerMp });
      assert.deepEqual(stats.b.remote, { address: '127.0.0.1', port: calleeMp });
      const m = /m=audio (\d+) /.exec(calleeInvite);
      assert.ok(
        m && Number(m[1]) !== callerMp && Number(m[1]) >= app.portPool.minPort,
        `the callee is offered the SBC's port: ${calleeInvite}`,
      );
      assert.match(calleeInvite, /o=FoSIP \d+ 0 IN IP4 127\.0\.0\.1/);
      assert.equal(app.portPool.inUse, 0, 'the ports are back in the pool');
    } finally {
      await app.stop();
    }
  });

  it('latches a caller whose SDP names another port than it sends from', async () => {
    // the SDP names an address the caller does not send from, as behind a NAT
    const natted = UAC_PCAP().replace('c=IN IP[local_ip_type] [local_ip]', 'c=IN IP4 127.0.0.9');
    const { app, stats, callerMp, code, why } = await relayCall(natted);
    try {
      assert.equal(code, 0, why);
      assert.ok(stats);
      assert.equal(stats.b.forwarded, stats.a.packets, 'the echoes reached the caller');
      assert.deepEqual(
        stats.a.remote,
        { address: '127.0.0.1', port: callerMp },
        'latched to the real source, not the SDP address',
      );
    } finally {
      await app.stop();
    }
  });
});

describe('streams added during the call', () => {
  it('gives a video stream added by a re-INVITE ports of its own, shown in the call record, and frees them all at the end', async () => {
    const b = await callee({ scenario: uasAcceptsVideo() });
    const { app, portMin } = await relayingApp(b.port);
    try {
      const callerMp = await mediaPort();
      const run = caller(boundPort(app, 'udp'), { scenario: uacAddsVideo(), extra: ['-mp', String(callerMp)] });
      let streams = 0;
      let recorded = 0;
      let finished = false;
      void run.finally(() => (finished = true));
      while (!finished) {
        streams = Math.max(streams, Object.values(await app.media.stats())[0]?.length ?? 0);
        recorded = Math.max(recorded, new Set(app.callStore.list()[0]?.media?.streams.map((s) => s.stream)).size);
        await sleep(50);
      }
      const a = await run;
      assert.equal(a.code, 0, `caller failed:\n${a.messages.slice(-3000)}`);
      const bres = await b.run;
      assert.equal(bres.code, 0, `callee failed:\n${bres.messages.slice(-3000)}`);
      const offered = Number(/m=video (\d+)/.exec(bres.messages.slice(bres.messages.indexOf('CSeq: 2 INVITE')))?.[1]);
      assert.ok(
        offered >= portMin && offered <= portMin + 99,
        `the callee is offered video on an SBC port, not ${offered}`,
      );
      assert.equal(streams, 2, 'the relay carries audio and video');
      assert.equal(recorded, 2, 'the call record shows both streams');
      await eventually(() => app.portPool.inUse === 0);
      assert.equal(app.portPool.inUse, 0);
    } finally {
      await app.stop();
    }
  });
});

describe('media mode per dial-peer, and media inactivity', () => {
  it("removes ICE attributes from both SDPs: they would name each side's addresses to the other", async () => {
    const ice = (who: string, address: string): string[] => [
      `a=ice-ufrag:${who}frag`,
      `a=ice-pwd:${who}pwd0123456789012345678`,
      'a=ice-options:trickle',
      `a=candidate:1 1 UDP 2130706431 ${address} 5000 typ host`,
      'a=end-of-candidates',
    ];
    // the callee answers with candidates of its own (extra lines after its direction attribute)
    const b = await callee({
      scenario: wrap(
        'uas answers with ICE',
        `${recvInvite}
${uasResponse('200 OK', ['sendrecv', ...ice('B', '10.6.6.6')].join('\n'))}
<recv request="ACK"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}`,
      ),
    });
    const { app } = await relayingApp(b.port);
    try {
      const a = await caller(boundPort(app, 'udp'), { scenario: uacWith({ sdp: ice('A', '10.9.8.7') }) });
      const bres = await b.run;
      assert.equal(a.code, 0, a.messages.slice(-2000));
      const block = (log: string, start: RegExp): string => start.exec(log)?.[0] ?? '';
      const offer = block(bres.messages, /INVITE sip:[\s\S]*?(?=\n-{10})/);
      const answer = block(a.messages, /SIP\/2\.0 200 OK[\s\S]*?m=audio[\s\S]*?(?=\n-{10})/);
      for (const [sdp, other] of [
        [offer, '10.9.8.7'],
        [answer, '10.6.6.6'],
      ] as const) {
        assert.match(sdp, /m=audio \d+ RTP\/AVP 0[\s\S]*a=sendrecv/, `the SDP is there:\n${sdp}`);
        assert.doesNotMatch(sdp, /a=(candidate|ice-|end-of-candidates)/, `no ICE attribute crosses:\n${sdp}`);
        assert.ok(!sdp.includes(other), `nor the other side's address (${other})`);
      }
    } finally {
      await app.stop();
    }
  });

  it('leaves media end to end when the outbound dial-peer says flow-around', async () => {
    const calleeMp = await mediaPort();
    const b = await callee({ extra: ['-mp', String(calleeMp)] });
    const app = await startTestApp({
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, media: 'flow-around' },
      ],
    });
    try {
      const callerMp = await mediaPort();
      const result = await caller(boundPort(app, 'udp'), { extra: ['-mp', String(callerMp)], holdMs: 200 });
      assert.equal(result.code, 0);
      const invite = /INVITE sip:[\s\S]*?m=audio (\d+)/.exec((await b.run).messages);
      assert.equal(Number(invite?.[1]), callerMp, "the callee is offered the caller's own port");
      assert.equal(app.portPool.inUse + app.media.activeSessions, 0);
    } finally {
      await app.stop();
    }
  });

  it('ends an answered call that carries no RTP, with BYE to both legs and cause "media inactivity"', async () => {
    const b = await callee();
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
      media: { inactivitySeconds: 1 },
    });
    try {
      const started = Date.now();
      await caller(boundPort(app, 'udp'), { holdMs: 8000 }); // sipp sends no RTP; it gets a BYE it did not expect
      await b.run;
      assert.ok(Date.now() - started < 7000, 'the SBC ended the call before the caller would have');
      const [cdr] = app.callStore.history(1);
      assert.deepEqual([cdr?.disconnectCause, cdr?.disconnectText, cdr?.releasedBy], [41, 'media inactivity', 'sbc']);
      await eventually(() => app.portPool.inUse === 0);
      assert.equal(app.portPool.inUse, 0);
    } finally {
      await app.stop();
    }
  });

  it('keeps a call on hold that carries no RTP past media.inactivitySeconds (the held leg may send nothing)', async () => {
    const b = await callee({ scenario: uasPutOnHold() });
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
      media: { inactivitySeconds: 1 },
    });
    try {
      // held at once, silent for three times the limit, then hung up by the caller
      const a = await caller(boundPort(app, 'udp'), {
        scenario: uacHoldsSilently(3000),
        timeoutMs: 30_000,
      });
      assert.equal(a.code, 0, `the caller hung up itself:\n${a.messages.slice(-2000)}`);
      assert.equal((await b.run).code, 0);
      const [cdr] = app.callStore.history(1);
      assert.deepEqual([cdr?.disconnectCause, cdr?.releasedBy], [16, 'caller'], 'a normal hang-up, not cause 41');
    } finally {
      await app.stop();
    }
  });
});

describe('delayed offer to early offer (earlyOfferForced)', () => {
  it('gives the CUCM delayed-offer INVITE an offer toward the callee, and media flows both ways', async () => {
    const calleeMp = await mediaPort();
    const b = await callee({ extra: ['-rtp_echo', '-mp', String(calleeMp)] });
    const app = await startTestApp({
      ...earlyOfferTo(b.port),
    });
    const ua = await ReplayUa.open(boundPort(app, 'udp'));
    const rtp = await RtpEndpoint.open();
    try {
      const call = new CucmDelayedOffer(ua, boundPort(app, 'udp'));
      const ok = await call.invite();
      const offer = ok.body.toString('latin1');
      const sbcPort = Number(/m=audio (\d+) RTP\/AVP 0\r\n/.exec(offer)?.[1]);
      assert.ok(sbcPort > 0, `the caller gets the callee's answer (PCMU) as its offer: ${offer}`);
      assert.equal(offer.match(/^c=/gm)?.length, 1, 'the session c= is enough: no media-level c= added');
      call.ack(rtp.port);
      rtp.send(sbcPort, [1, 2, 3, 4, 5]);
      await rtp.waitFor(5);
      assert.deepEqual(
        rtp.received.map((r) => r.seq),
        [1, 2, 3, 4, 5],
        'the echoes came back through the SBC',
      );
      assert.ok(rtp.received.every((r) => r.from === `127.0.0.1:${sbcPort}`));
      await call.bye();
      const result = await b.run;
      const invite = /INVITE sip:[\s\S]*?\r?\n\r?\n[\s\S]*?a=sendrecv/.exec(result.messages)?.[0] ?? '';
      assert.match(invite, /m=audio \d+ RTP\/AVP 0 8 101/, 'the callee got an offer from the codec class');
      assert.doesNotMatch(
        /ACK sip:[\s\S]*?\r?\n\r?\n/.exec(result.messages.slice(result.messages.indexOf('ACK sip:')))?.[0] ?? '',
        /Content-Type: application\/sdp/i,
        "the callee's ACK has no SDP",
      );
      await eventually(() => app.portPool.inUse === 0);
      assert.equal(app.portPool.inUse, 0);
    } finally {
      ua.close();
      rtp.close();
      await app.stop();
    }
  });
});
