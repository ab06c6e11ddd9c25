/**
 * The torture corpus on the wire: every message is sent over UDP to a running SBC, and what comes back is
 * what MANIFEST.tsv asks for (the status of a rejection; 200 for an accepted OPTIONS; 100 then 404 for an
 * accepted INVITE, since the test SBC has no dial-peers; 481 in a dialog it does not know; 405 for other
 * accepted methods; silence for the responses and the unparseable). Runs only in a loopback-only network namespace: the corpus names
 * TEST-NET hosts, and the SBC must never try to reach one (its send-error counter stays at zero).
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { SbcNode } from '../../src/node/node.js';
import { parseMessage } from '../../src/sip/message-parser.js';
import { boundPort, startTestApp } from '../helpers/app.js';
import { readManifest, tortureMessage } from '../helpers/corpus.js';
import { assertLoopbackOnly } from '../helpers/isolation.js';
import { TcpPeer, UdpPeer, sleep } from '../helpers/net.js';
import { EXPECTATIONS } from '../conformance/torture-expectations.js';

/** Responses go to the source address at the Via port, or 5060 (RFC 3261 §18.2.2): listen on those. */
function viaPort(bytes: Buffer): number | null {
  try {
    return parseMessage(bytes).topVia().port;
  } catch {
    return null;
  }
}

function wireAnswer(file: string, bytes: Buffer): number[] {
  const exp = EXPECTATIONS[file]?.outcome;
  if (exp === undefined || exp === 'drop') return [];
  if (typeof exp === 'number') return [exp];
  const m = parseMessage(bytes);
  if (!m.isRequest()) return [];
  const first = m.method === 'INVITE' ? [100] : [];
  // in a dialog the SBC does not have, or a method that exists only in one: 481 (RFC 3261 §12.2.2)
  if (m.to().params.get('tag') !== undefined || ['BYE', 'INFO', 'UPDATE', 'PRACK'].includes(m.method))
    return [...first, 481];
  if (m.method === 'OPTIONS') return [200];
  // the test SBC has no dial-peers: an INVITE or MESSAGE finds no outbound dial-peer (404, cube-reference §1.2)
  if (m.method === 'INVITE') return [100, 404];
  if (m.method === 'MESSAGE') return [404];
  return [405];
}

function callIdOf(bytes: Buffer): string | null | undefined {
  try {
    return parseMessage(bytes).header('call-id');
  } catch {
    return null;
  }
}

describe('torture corpus replayed over UDP (isolated network namespace)', () => {
  // a fresh SBC per message: many corpus files share one branch and sent-by, which RFC 3261 §17.2.3
  // rightly matches as retransmissions of the same transaction
  let app: SbcNode;
  const peers: UdpPeer[] = [];
  before(async () => {
    assertLoopbackOnly();
    peers.push(await UdpPeer.open(5060));
  });
  beforeEach(async () => {
    app = await startTestApp({ listen: ['udp:127.0.0.1:0'] });
  });
  afterEach(async () => {
    await app.stop();
  });
  after(() => {
    for (const p of peers) p.close();
  });

  for (const row of readManifest()) {
    it(`${row.file} -> ${JSON.stringify(wireAnswer(row.file, tortureMessage(row.file)))}`, async () => {
      const bytes = tortureMessage(row.file);
      const port = viaPort(bytes);
      if (port !== null && !peers.some((p) => p.port === port)) peers.push(await UdpPeer.open(port));
      // room for a burst another test's SBC may aim at the same port (the fuzz test beside it replays this corpus)
      for (const p of peers) p.socket.setRecvBufferSize(8 * 1024 * 1024);
      for (const p of peers) {
        p.received.length = 0;
        p.sources.length = 0;
      }
      const sender = peers[0];
      assert.ok(sender);
      sender.send(bytes, boundPort(app, 'udp'));
      const expected = wireAnswer(row.file, bytes);
      const deadline = Date.now() + (expected.length === 0 ? 150 : 1000);
      const callId = callIdOf(bytes);
      // answers to this message only (earlier INVITEs' finals are retransmitted on Timer G), one per status,
      // and from this test's SBC only (the fuzz test replays the same corpus beside it: same Call-IDs, same Via ports)
      const got = (): number[] => {
        const sbc = boundPort(app, 'udp');
        const statuses = peers
          .flatMap((p) => p.received.filter((_, i) => p.sources[i] === sbc))
          .map((b) => parseMessage(b))
          .filter((m) => callId === null || m.header('call-id') === callId)
          .map((m) => (m.isResponse() ? m.status : -1));
        return statuses.filter((st, i) => statuses.indexOf(st) === i);
      };
      await eventually(() => got().length >= expected.length, { ms: Math.max(0, deadline - Date.now()), everyMs: 5 });
      // expecting no answer: the quiet time itself is what is checked
      if (expected.length === 0) await sleep(Math.max(0, deadline - Date.now()));
      assert.deepEqual(got(), expected);
      assert.equal(app.transport.stats.sendErrors, 0, 'the SBC tried to send somewhere other than loopback');
    });
  }
});

/**
 * Over TCP, Content-Length frames the stream (RFC 3261 §18.3): a message without one, with a negative or
 * conflicting one, or one whose body never completes closes the connection (the last after the
 * slow-drip deadline); everything else gets the same answer as over UDP, on the same connection.
 */
const STREAM_CLOSES = new Set(['clerr.dat', 'ncl.dat', 'mcl01.dat', 'baddn.dat', 'rfc5118/ipv6-in-sdp']);
/** Body longer than Content-Length: the extra octets start a message that never completes (closed later). */
const STREAM_LEFTOVER = new Set(['rfc5118/mult-ip-in-sdp', 'rfc5118/ipv4-mapped-ipv6', 'dblreq.dat']);

function streamOutcome(file: string, bytes: Buffer): 'close' | number[] {
  if (STREAM_CLOSES.has(file)) return 'close';
  // in a datagram the INVITE after the REGISTER is junk (RFC 4475 §3.1.1.8); in a stream it is a message
  if (file === 'dblreq.dat') return [405, 100, 404];
  try {
    if (parseMessage(bytes).header('content-length') === undefined) return 'close';
  } catch {
    // unparseable but framed by its Content-Length: dropped, the connection stays
  }
  return wireAnswer(file, bytes);
}

describe('torture corpus replayed over TCP (isolated network namespace)', () => {
  let app: SbcNode;
  before(() => {
    assertLoopbackOnly();
  });
  beforeEach(async () => {
    app = await startTestApp({ listen: ['tcp:127.0.0.1:0'], transport: { messageDeadlineMs: 300 } });
  });
  afterEach(async () => {
    await app.stop();
  });

  for (const row of readManifest()) {
    const bytes = tortureMessage(row.file);
    const expected = streamOutcome(row.file, bytes);
    it(`${row.file} -> ${JSON.stringify(expected)}`, async () => {
      const peer = await TcpPeer.connect(boundPort(app, 'tcp'));
      peer.write(bytes);
      const statuses = (): number[] => {
        const text = peer.data.toString('latin1');
        return [...text.matchAll(/^SIP\/2\.0 (\d{3}) /gm)].map((m) => Number(m[1]));
      };
      if (expected === 'close') {
        assert.ok(await peer.until((p) => p.closed, 2000), 'the connection should be closed');
        assert.deepEqual(statuses(), []);
      } else {
        await peer.until(() => statuses().length >= expected.length, expected.length === 0 ? 150 : 1000);
        assert.deepEqual([...new Set(statuses())], expected);
        if (!STREAM_LEFTOVER.has(row.file))
          assert.equal(peer.closed, false, 'a well-framed message must not close the connection');
      }
      peer.close();
      assert.equal(app.transport.stats.sendErrors, 0);
    });
  }
});
