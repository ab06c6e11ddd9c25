/** The endpoint's names in SDP and RTCP SDES replaced by tokens that name nothing (topology hiding). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hideRtcpIdentity, hideSdpIdentity, identityToken } from '../../src/media/media-identity.js';
import { Sdp } from '../../src/media/sdp.js';
import { sdes } from '../helpers/rtp.js';

const RR = Buffer.from('81c90007' + '00001234' + '00'.repeat(24), 'hex');

describe('media identity', () => {
  it('replaces a=ssrc cname/msid and a=msid values by the same tokens for the same names', () => {
    const sdp = Sdp.parse(
      [
        'v=0',
        'o=- 1 1 IN IP4 10.1.1.1',
        's=-',
        'c=IN IP4 10.1.1.1',
        't=0 0',
        'a=msid-semantic: WMS stream@10.1.1.1',
        'm=audio 4000 RTP/AVP 0',
        'a=ssrc:1234 cname:sip:alice@10.1.1.1:5060',
        'a=ssrc:1234 msid:stream@10.1.1.1 track-1',
        'a=msid:stream@10.1.1.1 track-1',
        'm=video 4002 RTP/AVP 96',
        'a=ssrc:5678 cname:sip:alice@10.1.1.1:5060',
        'a=msid:- track-2',
        '',
      ].join('\r\n'),
    );
    hideSdpIdentity(sdp, 'call-1');
    const text = sdp.toString();
    const cname = identityToken('call-1', 'sip:alice@10.1.1.1:5060');
    const stream = identityToken('call-1', 'stream@10.1.1.1');
    assert.match(cname, /^[A-Za-z0-9_-]{16}$/);
    assert.ok(text.includes(`a=ssrc:1234 cname:${cname}\r\n`));
    assert.ok(text.includes(`a=ssrc:5678 cname:${cname}\r\n`), 'one endpoint: one token for both streams');
    assert.ok(text.includes(`a=ssrc:1234 msid:${stream} ${identityToken('call-1', 'track-1')}\r\n`));
    assert.ok(text.includes(`a=msid-semantic: WMS ${stream}\r\n`));
    assert.ok(text.includes(`a=msid:- ${identityToken('call-1', 'track-2')}\r\n`), 'no stream id stays -');
    assert.doesNotMatch(text.replace(/^[oc]=.*$/gm, ''), /10\.1\.1\.1|alice/);
    assert.notEqual(identityToken('call-2', 'sip:alice@10.1.1.1:5060'), cname, 'another call, another token');
  });

  it('keeps the a=ssrc cname of the sections it is told to (SRTP: SRTCP carries the same name unreadable to the relay)', () => {
    const sdp = Sdp.parse(
      [
        'v=0',
        'o=- 1 1 IN IP4 10.1.1.1',
        's=-',
        't=0 0',
        'm=audio 4000 RTP/AVP 0',
        'a=ssrc:1234 cname:alice@10.1.1.1',
        'm=audio 4002 RTP/SAVP 0',
        'a=ssrc:5678 cname:alice@10.1.1.1',
        'a=ssrc:5678 msid:stream@10.1.1.1 track-1',
        '',
      ].join('\r\n'),
    );
    hideSdpIdentity(sdp, 'call-1', new Set([1]));
    const text = sdp.toString();
    assert.ok(
      text.includes(`a=ssrc:1234 cname:${identityToken('call-1', 'alice@10.1.1.1')}\r\n`),
      'plain RTP: a token',
    );
    assert.ok(text.includes('a=ssrc:5678 cname:alice@10.1.1.1\r\n'), 'SRTP: the name its SRTCP carries');
    assert.ok(text.includes(`a=ssrc:5678 msid:${identityToken('call-1', 'stream@10.1.1.1')} `), 'msid is no CNAME');
  });

  it('rewrites the CNAME of every SDES chunk in a compound RTCP packet, drops personal items, keeps the rest', () => {
    const packet = Buffer.concat([
      RR,
      sdes(0x1234, [
        [1, 'alice@10.1.1.1'],
        [2, 'Alice Smith'],
        [3, 'alice@example.com'],
        [6, 'softphone 1.0'],
      ]),
    ]);
    const out = hideRtcpIdentity(packet, 'call-1');
    assert.deepEqual(out.subarray(0, RR.length), RR, 'the receiver report as it was');
    assert.deepEqual(
      out.subarray(RR.length),
      sdes(0x1234, [
        [1, identityToken('call-1', 'alice@10.1.1.1')],
        [6, 'softphone 1.0'],
      ]),
    );
    assert.doesNotMatch(out.toString('latin1'), /10\.1\.1\.1|Alice|example/);
  });

  it('leaves what does not parse as RTCP end to end as it is (SRTCP), and RTCP without SDES untouched', () => {
    const srtcp = Buffer.concat([RR, Buffer.from('a3b1c2d4e5f60718293a4b5c6d7e', 'hex')]);
    assert.equal(hideRtcpIdentity(srtcp, 'call-1'), srtcp);
    assert.equal(hideRtcpIdentity(RR, 'call-1'), RR);
    const cut = sdes(1, [[1, 'x@10.0.0.1']]).subarray(0, 10);
    assert.equal(hideRtcpIdentity(cut, 'call-1'), cut);
  });
});
