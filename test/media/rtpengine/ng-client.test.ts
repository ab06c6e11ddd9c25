/**
 * The ng client against a scripted UDP peer on loopback: replies matched by cookie in any order, a lost
 * reply made up for by a retry with the same cookie, rtpengine's `result: error` and silence as errors.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, describe, it } from 'node:test';
import { bdecode, bencode } from '../../../src/media/rtpengine/bencode.js';
import { NgClient, NgError, parseNgAddress } from '../../../src/media/rtpengine/ng-client.js';

/** A peer that hands every datagram (cookie, command dictionary) to `answer`, which replies or not. */
async function peer(
  answer: (cookie: string, cmd: Record<string, unknown>, reply: (d: Record<string, unknown>) => void) => void,
) {
  const s = dgram.createSocket('udp4');
  const seen: string[] = [];
  s.on('message', (m, rinfo) => {
    const space = m.indexOf(0x20);
    const cookie = m.toString('latin1', 0, space);
    seen.push(cookie);
    const cmd = bdecode(m.subarray(space + 1)) as Record<string, unknown>;
    answer(cookie, cmd, (d) =>
      s.send(Buffer.concat([Buffer.from(`${cookie} `), bencode(d as never)]), rinfo.port, rinfo.address),
    );
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, seen, close: () => s.close() };
}

describe('ng client', () => {
  const open: Array<{ close(): void }> = [];
  after(() => open.forEach((o) => o.close()));

  it('parses ng addresses as fosip.json writes them, and refuses others', () => {
    assert.deepEqual(parseNgAddress('udp:127.0.0.1:22222'), { host: '127.0.0.1', port: 22222 });
    assert.deepEqual(parseNgAddress('udp:[::1]:22222'), { host: '::1', port: 22222 });
    assert.deepEqual(parseNgAddress('udp:media-1.example:2223'), { host: 'media-1.example', port: 2223 });
    for (const bad of [
      '127.0.0.1:22222',
      'tcp:127.0.0.1:1',
      'udp:127.0.0.1',
      'udp:127.0.0.1:0',
      'udp:127.0.0.1:70000',
      'udp:[zz]:1',
    ]) {
      assert.throws(() => parseNgAddress(bad), /invalid ng address/, bad);
    }
  });

  it('matches replies to commands by cookie, whatever their order', async () => {
    const held: Array<() => void> = [];
    const p = await peer((_c, cmd, reply) => {
      held.push(() => reply({ result: 'ok', echo: String(cmd['call-id']) }));
      if (held.length === 3) for (const send of held.reverse()) send(); // answered last to first
    });
    open.push(p);
    const client = new NgClient({ endpoint: { host: '127.0.0.1', port: p.port } });
    open.push(client);
    const replies = await Promise.all(['a', 'b', 'c'].map((id) => client.command('query', { 'call-id': id })));
    assert.deepEqual(
      replies.map((r) => r['echo']),
      ['a', 'b', 'c'],
    );
    assert.equal(client.waiting, 0);
  });

  it('sends a command again with the same cookie when its reply is lost', async () => {
    let first = true;
    const p = await peer((_c, _cmd, reply) => {
      if (first)
        first = false; // the first copy's reply is "lost"
      else reply({ result: 'pong' });
    });
    open.push(p);
    const client = new NgClient({ endpoint: { host: '127.0.0.1', port: p.port }, timeoutMs: 100, tries: 3 });
    open.push(client);
    assert.equal((await client.command('ping'))['result'], 'pong');
    assert.equal(p.seen.length, 2);
    assert.equal(
      p.seen[0],
      p.seen[1],
      'the retry has the cookie of the first try (rtpengine answers it from its cache)',
    );
  });

  it("fails with rtpengine's error-reason on result: error, and with a timeout after the last try", async () => {
    const p = await peer((_c, cmd, reply) => {
      if (cmd['command'] === 'offer') reply({ result: 'error', 'error-reason': 'Incomplete SDP specification' });
    });
    open.push(p);
    const client = new NgClient({ endpoint: { host: '127.0.0.1', port: p.port }, timeoutMs: 50, tries: 2 });
    open.push(client);
    await assert.rejects(
      client.command('offer', { sdp: 'v=0' }),
      (e: unknown) => e instanceof NgError && e.kind === 'refused' && /Incomplete SDP specification/.test(e.message),
    );
    const before = p.seen.length;
    await assert.rejects(client.command('delete'), (e: unknown) => e instanceof NgError && e.kind === 'timeout');
    assert.equal(p.seen.length - before, 2, 'two tries, then the timeout');
    assert.equal(client.waiting, 0, 'nothing left waiting');
  });

  it('fails the commands still waiting when closed', async () => {
    const p = await peer(() => undefined);
    open.push(p);
    const client = new NgClient({ endpoint: { host: '127.0.0.1', port: p.port }, timeoutMs: 10_000 });
    const waiting = client.command('ping');
    client.close();
    await assert.rejects(waiting, (e: unknown) => e instanceof NgError && e.kind === 'unusable');
  });
});
