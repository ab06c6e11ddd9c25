/**
 * A dial-peer's `srtp` where no engine encrypts (flow-around, the built-in relay): `required` lets SRTP
 * through and refuses plain RTP with 488, in the offer a leg sends and in the one it would get; T.38's
 * UDPTL and declined streams are not RTP and pass. `fallback` needs rtpengine, and the configuration says so.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CallMedia, MediaFailure } from '../../../src/b2bua/media/call-media.js';
import { mentionsSrtp, srtpRefusal } from '../../../src/b2bua/media/srtp-policy.js';
import { loadDialConfig } from '../../../src/config/dial-config.js';
import { Sdp } from '../../../src/media/sdp.js';
import { compileConfiguration } from '../../../src/node/configuration.js';

const sdp = (...media: string[]): string =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', ...media, ''].join('\r\n');
const SDES = [
  'm=audio 4000 RTP/SAVP 0',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:m9evfqVbDJ65f4xlsWBNM4POsRzyGIMDrrnFFkiS',
];
const DTLS = ['m=audio 4000 UDP/TLS/RTP/SAVPF 0', 'a=fingerprint:sha-256 1A:0C', 'a=setup:actpass'];
const PLAIN = ['m=audio 4000 RTP/AVP 0'];
const OSRTP = [...PLAIN, 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:m9evfqVbDJ65f4xlsWBNM4POsRzyGIMDrrnFFkiS'];

describe('srtp policy', () => {
  it('required: SDES and DTLS-SRTP pass, plain RTP (opportunistic keys or not) is refused with 488', () => {
    assert.equal(srtpRefusal(Sdp.parse(sdp(...SDES)), 'required', 'x'), null);
    assert.equal(srtpRefusal(Sdp.parse(sdp(...DTLS)), 'required', 'x'), null);
    for (const plain of [PLAIN, OSRTP, [...SDES, 'm=video 4002 RTP/AVP 96']]) {
      const refusal = srtpRefusal(Sdp.parse(sdp(...plain)), 'required', 'the offer of leg a');
      assert.ok(refusal instanceof MediaFailure && refusal.status === 488, plain.join(' '));
      assert.match(refusal.message, /srtp required: the offer of leg a has \w+ over RTP\/AVP/);
    }
  });

  it('required: T.38 and declined streams are not RTP; the other policies never refuse', () => {
    assert.equal(srtpRefusal(Sdp.parse(sdp('m=image 4000 udptl t38', 'm=audio 0 RTP/AVP 0')), 'required', 'x'), null);
    for (const policy of ['off', 'fallback', 'pass-thru'] as const)
      assert.equal(srtpRefusal(Sdp.parse(sdp(...PLAIN)), policy, 'x'), null);
  });

  it('tells SDP that carries SRTP (or keys for it) from SDP that does not', () => {
    assert.ok(mentionsSrtp(sdp(...SDES)) && mentionsSrtp(sdp(...DTLS)) && mentionsSrtp(sdp(...OSRTP)));
    assert.ok(!mentionsSrtp(sdp(...PLAIN)) && !mentionsSrtp(sdp('m=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000')));
  });

  it('without an engine that encrypts, passes SRTP as it is and refuses plain RTP to or from a leg that requires it', () => {
    const media = new CallMedia(null, '', 'c1');
    media.srtp.b = 'required';
    const secure = Buffer.from(sdp(...SDES), 'latin1');
    assert.deepEqual(media.rewrite('a', secure, 'offer'), secure, 'SRTP passes untouched');
    const plain = Buffer.from(sdp(...PLAIN), 'latin1');
    assert.throws(() => media.rewrite('a', plain, 'offer'), /srtp required: the offer toward leg b/);
    assert.throws(() => media.rewrite('b', plain, 'answer'), /srtp required: the answer of leg b/);
    media.srtp.b = 'off';
    media.srtp.a = 'required';
    assert.throws(() => media.rewrite('a', plain, 'offer'), /srtp required: the offer of leg a/);
  });

  it('refuses srtp fallback on a dial-peer whose media no rtpengine relays, naming the file and field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-srtp-'));
    fs.mkdirSync(path.join(dir, 'dialpeers'));
    fs.writeFileSync(
      path.join(dir, 'dialpeers', 'a.json'),
      JSON.stringify({ tag: 1, destinationPattern: '1', srtp: 'fallback' }),
    );
    fs.writeFileSync(
      path.join(dir, 'dialpeers', 'b.json'),
      JSON.stringify({ tag: 2, destinationPattern: '2', srtp: 'fallback', mediaEngine: 'rtpengine' }),
    );
    const config = loadDialConfig(dir);
    assert.deepEqual(config.problems, []);
    const settings = { media: { rtpengine: [{ ng: 'udp:127.0.0.1:2222' }] } } as Parameters<
      typeof compileConfiguration
    >[0];
    const { problems } = compileConfiguration(settings, config);
    assert.deepEqual(
      problems.map((p) => `${path.basename(p.file)}#${p.pointer}`),
      ['a.json#/srtp'],
      JSON.stringify(problems),
    );
    assert.match(problems[0]?.message ?? '', /srtp fallback needs media through rtpengine/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
