/**
 * Fax through either engine (pass-through, not a gateway): an audio call switches to T.38 with a re-INVITE
 * (`m=image ... udptl t38`), UDPTL datagrams cross both ways unchanged through the engine's ports (the
 * built-in relay takes them for what they are, not for bad RTP), and a second re-INVITE switches back to
 * audio, whose RTP crosses again. Caller and callee are plain sockets (every byte seen), then SIPp on both
 * engines (both ends play UDPTL from a pcap, `play_pcap_image`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipMessage } from '../../src/sip/sip-message.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { requestText } from '../helpers/messages.js';
import { TEST_RELAY_PORTS, UdpPeer, freeUdpBlock } from '../helpers/net.js';
import type { MediaSettings } from '../../src/config/settings.js';
import type { SbcNode } from '../../src/node/node.js';
import { Rtpengine } from '../helpers/rtpengine.js';
import { receivedMessages, responseTo } from '../helpers/udp-sip.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeUdpPcap } from '../helpers/pcap-file.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { ack2xx, inDialog, invite, recvInvite, ringing, uasResponse, wrap } from '../helpers/sipp-xml.js';
import { Capture } from '../helpers/tshark.js';

const session = (m: string): string => `v=0\r\no=- 9 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${m}`;
const audio = (port: number): string => session(`m=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n`);
const fax = (port: number): string =>
  session(
    `m=image ${port} udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxRateManagement:transferredTCF\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n`,
  );

/** The media line an SDP body carries. */
const mline = (m: SipMessage | undefined): string =>
  /^m=\S+ \d+ .*$/m.exec(m?.body.toString('latin1') ?? '')?.[0] ?? '';
const portOf = (m: SipMessage | undefined): number => Number(/^m=\S+ (\d+)/m.exec(mline(m))?.[1] ?? NaN);

/** Datagrams sorted by their bytes (udptl(n) sorts by n). */
const inOrder = (datagrams: Buffer[]): Buffer[] => [...datagrams].sort((x, y) => Buffer.compare(x, y));

/** A datagram that is not RTP (UDPTL's first byte is a sequence number, not version 2). */
const udptl = (n: number): Buffer => Buffer.from([0x00, n, 0x00, 0x05, 0xc0, 0x01, 0x80, 0x00, n]);

/** The engine a fax call's media goes through, started for one test. */
interface FaxEngine {
  media: MediaSettings;
  /** A port of the engine's own. */
  ours(port: number): boolean;
  /** The engine holds nothing of the call any more. */
  released(app: SbcNode): Promise<boolean>;
  log(): string;
  stop(): Promise<void>;
}

const BUILTIN = (): Promise<FaxEngine> =>
  Promise.resolve({
    media: { mode: 'flow-through' },
    ours: (p: number) => p >= TEST_RELAY_PORTS.portMin && p <= TEST_RELAY_PORTS.portMax,
    released: (app: SbcNode) => Promise.resolve(app.portPool.inUse === 0),
    log: () => '',
    stop: () => Promise.resolve(),
  });

const RTPENGINE: () => Promise<FaxEngine> = async () => {
  const e = await Rtpengine.start();
  return {
    media: { mode: 'flow-through', engine: 'rtpengine', rtpengine: [{ ng: e.ng }] },
    ours: (p) => p >= e.media.portMin && p <= e.media.portMax,
    released: async () => (await e.calls()).length === 0,
    log: () => e.log.slice(-1500),
    stop: () => e.kill(),
  };
};

const ENGINES = [
  ['the built-in relay', BUILTIN],
  ['rtpengine', RTPENGINE],
] as const;

for (const [name, startEngine] of ENGINES) {
  describe(`T.38 fax through ${name} (sockets)`, () => {
    it('relays a re-INVITE to T.38 and UDPTL both ways, then back to audio', async () => {
      const engine = await startEngine();
      const peers = await Promise.all([0, 1, 2, 3, 4, 5].map(() => UdpPeer.open(0, '127.0.0.1')));
      const [caller, callee, callerAudio, calleeAudio, callerFax, calleeFax] = peers as [
        UdpPeer,
        UdpPeer,
        UdpPeer,
        UdpPeer,
        UdpPeer,
        UdpPeer,
      ];
      const app = await startTestApp({
        dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${callee.port}` }],
        media: engine.media,
      });
      const sbc = boundPort(app, 'udp');
      let toTag = '';
      /** A request of the caller's in the call (the INVITE first, then re-INVITEs, ACKs, the BYE). */
      const fromCaller = (method: string, cseq: number, body = '', cseqMethod = method): void =>
        caller.send(
          requestText({
            method,
            uri: `sip:2001@127.0.0.1:${sbc}`,
            via: `SIP/2.0/UDP 127.0.0.1:${caller.port}`,
            branch: `z9hG4bKt38${method}${cseq}`,
            callId: 't38-call',
            fromTag: 'caller1',
            ...(toTag !== '' ? { toTag } : {}),
            cseq,
            cseqMethod,
            extra: [`Contact: <sip:alice@127.0.0.1:${caller.port}>`],
            body,
          }),
          sbc,
        );
      /** The callee's n-th INVITE (the first, then re-INVITEs), answered 200 with `sdp`; the caller's 200 of CSeq `cseq`. */
      const answer = async (n: number, sdp: string, cseq: number): Promise<{ offer: SipMessage; ok: SipMessage }> => {
        const invites = await receivedMessages(callee, (m) => m.isRequest() && m.method === 'INVITE', n);
        const offer = invites[n - 1];
        assert.ok(offer?.isRequest(), `the callee got INVITE number ${n}\n${engine.log()}`);
        callee.send(
          responseTo(offer, '200 OK', { ...(n === 1 ? { tag: 'callee1' } : {}), contactPort: callee.port, sdp }),
          sbc,
        );
        const oks = await receivedMessages(caller, (m) => m.isResponse() && m.status === 200 && m.cseq().seq === cseq);
        const ok = oks[0];
        assert.ok(ok?.isResponse(), `the caller got the 200 of CSeq ${cseq}`);
        return { offer, ok };
      };
      try {
        fromCaller('INVITE', 1, audio(callerAudio.port));
        const call = await answer(1, audio(calleeAudio.port), 1);
        toTag = call.ok.to().params.get('tag') ?? '';
        fromCaller('ACK', 1, '', 'ACK');

        // to T.38
        fromCaller('INVITE', 2, fax(callerFax.port));
        const toFax = await answer(2, fax(calleeFax.port), 2);
        assert.match(mline(toFax.offer), /^m=image \d+ udptl t38$/, 'the callee is offered T.38');
        assert.match(mline(toFax.ok), /^m=image \d+ udptl t38$/, 'the caller is answered T.38');
        const [faxToCallee, faxToCaller] = [portOf(toFax.offer), portOf(toFax.ok)];
        for (const p of [faxToCallee, faxToCaller]) assert.ok(engine.ours(p), `the engine's port (${p})`);
        fromCaller('ACK', 2, '', 'ACK');
        for (let n = 1; n <= 3; n++) callerFax.send(udptl(n), faxToCaller);
        assert.ok(
          await eventually(() => calleeFax.received.length >= 3),
          `the callee got the fax datagrams\n${engine.log()}`,
        );
        // each unchanged; rtpengine's userspace threads may reorder a burst, so not their order
        assert.deepEqual(inOrder(calleeFax.received.slice(0, 3)), [1, 2, 3].map(udptl), 'unchanged');
        for (let n = 11; n <= 13; n++) calleeFax.send(udptl(n), faxToCallee);
        assert.ok(await eventually(() => callerFax.received.length >= 3), "and the caller the callee's");
        assert.deepEqual(inOrder(callerFax.received.slice(0, 3)), [11, 12, 13].map(udptl));

        // back to audio
        fromCaller('INVITE', 3, audio(callerAudio.port));
        const back = await answer(3, audio(calleeAudio.port), 3);
        assert.match(mline(back.offer), /^m=audio \d+ RTP\/AVP 0$/);
        assert.match(mline(back.ok), /^m=audio \d+ RTP\/AVP 0$/);
        fromCaller('ACK', 3, '', 'ACK');
        const rtp = Buffer.concat([Buffer.from([0x80, 0x00, 0x00, 0x07]), Buffer.alloc(168)]);
        callerAudio.send(rtp, portOf(back.ok));
        assert.ok(await eventually(() => calleeAudio.received.length >= 1), 'audio crosses again after the fax');

        fromCaller('BYE', 4);
        assert.ok((await receivedMessages(callee, (m) => m.isRequest() && m.method === 'BYE')).length === 1);
        assert.ok(await eventually(() => engine.released(app)), 'the engine let go of the call');
      } finally {
        await app.stop();
        for (const p of peers) p.close();
        await engine.stop();
      }
    });
  });
}

for (const [name, startEngine] of ENGINES) {
  describe(`T.38 fax through ${name} (SIPp)`, () => {
    it('relays a SIPp re-INVITE to T.38 and the UDPTL both SIPp ends play, then back to audio', async () => {
      const engine = await startEngine();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-t38-'));
      const pcap = path.join(dir, 'udptl.pcap');
      writeUdpPcap(
        pcap,
        Array.from({ length: 20 }, (_, n) => udptl(n)),
      );
      const [callerMp, calleeMp] = [await freeUdpBlock(6), await freeUdpBlock(6)];
      const b = await callee({ scenario: uasFax(pcap), extra: ['-mp', String(calleeMp)], timeoutMs: 60_000 });
      const app = await startTestApp({
        dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
        media: engine.media,
      });
      const capture = await Capture.start(`udp and (dst port ${callerMp + 4} or dst port ${calleeMp + 4})`);
      try {
        const a = await caller(boundPort(app, 'udp'), {
          scenario: uacFax(pcap),
          extra: ['-mp', String(callerMp)],
          timeoutMs: 60_000,
        });
        const wire = await capture.stop();
        const bres = await b.run;
        assert.equal(a.code, 0, `caller:\n${a.messages.slice(-3000)}`);
        assert.equal(bres.code, 0, `callee:\n${bres.messages.slice(-3000)}`);
        const reinvite = /INVITE sip:[^\n]*\n(?:[^\n]*\n)*?CSeq: 2 INVITE[\s\S]*?m=image (\d+) udptl t38/.exec(
          bres.messages,
        );
        const faxPort = Number(reinvite?.[1]);
        assert.ok(engine.ours(faxPort), `the callee is offered T.38 on ${name} (${faxPort})`);
        const toCallee = wire.filter((p) => p.dstPort === calleeMp + 4 && engine.ours(p.srcPort));
        const toCaller = wire.filter((p) => p.dstPort === callerMp + 4 && engine.ours(p.srcPort));
        assert.ok(
          toCallee.length >= 18,
          `the caller's UDPTL reached the callee through ${name} (${toCallee.length} of 20)\n${engine.log()}`,
        );
        assert.ok(toCaller.length >= 18, `and the callee's the caller (${toCaller.length} of 20)`);
        assert.ok(
          [...toCallee, ...toCaller].every((p) => p.size === udptl(0).length),
          'each datagram as it was sent (UDPTL is not RTP: the engine passes it unchanged)',
        );
        assert.match(bres.messages, /CSeq: 3 INVITE[\s\S]*?m=audio \d+ RTP\/AVP 0/, 'and the call went back to audio');
        assert.ok(await eventually(() => engine.released(app)), `${name} holds nothing of the call after the BYE`);
      } finally {
        await capture.stop().catch(() => []);
        await app.stop();
        await engine.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const FAX_SDP = `v=0
o=user1 53655765 2353687638 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=image [media_port+4] udptl t38
a=T38FaxVersion:0
a=T38MaxBitRate:14400
a=T38FaxRateManagement:transferredTCF
a=T38FaxUdpEC:t38UDPRedundancy`;

const startFax = (pcap: string): string => `<nop><action><exec play_pcap_image="${pcap}"/></action></nop>`;
/** The caller plays, waits for the playing to end (400 ms of datagrams), then re-INVITEs. */
const playFax = (pcap: string): string => `${startFax(pcap)}\n<pause milliseconds="1500"/>`;

/** Call, re-INVITE to T.38 and play UDPTL, re-INVITE back to audio, hang up. */
function uacFax(pcap: string): string {
  return wrap(
    'uac faxes',
    `${invite()}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
${inDialog('INVITE', 2, undefined, { type: 'application/sdp', body: FAX_SDP })}
<recv response="100" optional="true" response_txn="t2"/>
<recv response="200" response_txn="t2"/>
${inDialog('ACK', 2)}
${playFax(pcap)}
${inDialog('INVITE', 3, 'sendrecv')}
<recv response="100" optional="true" response_txn="t3"/>
<recv response="200" response_txn="t3"/>
${inDialog('ACK', 3)}
${inDialog('BYE', 4)}
<recv response="200" response_txn="t4"/>`,
  );
}

/**
 * Answer, take the re-INVITE to T.38 and play UDPTL back, take the one back to audio and the BYE. The callee
 * waits for that INVITE while it plays (SIPp plays in a thread of its own): a message that arrives during a
 * `pause` is unexpected to SIPp and aborts its call, and the caller's pause ends about when the callee's would.
 */
function uasFax(pcap: string): string {
  const answerFax = uasResponse('200 OK', undefined, false).replace(
    'Content-Length: 0',
    `Content-Type: application/sdp\nContent-Length: [len]\n\n${FAX_SDP}`,
  );
  return wrap(
    'uas faxes',
    `${recvInvite}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK"/>
<recv request="INVITE"/>
${answerFax.replace('<send>', '<send retrans="500">')}
<recv request="ACK"/>
${startFax(pcap)}
<recv request="INVITE"/>
${uasResponse('200 OK', 'sendrecv', false)}
<recv request="ACK"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}`,
  );
}
