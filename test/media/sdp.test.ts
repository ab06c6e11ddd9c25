/** Line-level SDP: what is not edited stays byte for byte; edits touch only their lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sdp, SdpError } from '../../src/media/sdp.js';
import { realPeerMessage } from '../helpers/corpus.js';
import { parseMessage } from '../../src/sip/message-parser.js';

const cucm = [
  'v=0',
  'o=CiscoSystemsCCM-SIP 22130 1 IN IP4 192.168.80.100',
  's=SIP Call',
  'c=IN IP4 192.168.80.12',
  'b=AS:80',
  't=0 0',
  'm=audio 4070 RTP/AVP 0 8 18 101',
  'b=TIAS:64000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=no',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=rtcp:4071 IN IP4 192.168.80.12',
  'm=video 0 RTP/AVP 31',
  'a=rtpmap:31 H261/90000',
  'a=inactive',
  '',
].join('\r\n');

describe('SDP', () => {
  it('serializes every real-peer SDP byte for byte', () => {
    for (const file of [
      'microsip-invite-early-offer.sip',
      'microsip-200-ok-answer.sip',
      'cucm-ack-with-answer-sdp.sip',
      'microsip-200-ok-offer-to-delayed-invite.sip',
    ]) {
      const body = parseMessage(realPeerMessage(file)).body.toString('latin1');
      assert.equal(Sdp.parse(body).toString(), body, file);
    }
  });

  it('reads sections, connection inheritance, formats, rtpmaps, rtcp and direction', () => {
    const sdp = Sdp.parse(cucm);
    const [audio, video] = sdp.media;
    assert.ok(audio && video);
    assert.deepEqual(
      [audio.media, audio.port, audio.proto, audio.formats],
      ['audio', 4070, 'RTP/AVP', ['0', '8', '18', '101']],
    );
    assert.deepEqual(audio.connection, { family: 'IP4', address: '192.168.80.12' });
    assert.deepEqual(audio.rtpmaps().get('101'), { encoding: 'telephone-event', clockRate: 8000, channels: null });
    assert.equal(audio.rtcpPort, 4071);
    assert.equal(audio.direction, 'sendrecv');
    assert.equal(video.rejected, true);
    assert.equal(video.direction, 'inactive');
    assert.equal(sdp.origin.version, 1n);
  });

  it('rewrites addresses, ports, rtcp, origin and formats and leaves the rest alone', () => {
    const sdp = Sdp.parse(cucm);
    const [audio] = sdp.media;
    assert.ok(audio);
    const me = { family: 'IP4' as const, address: '10.0.0.1' };
    sdp.setSessionConnection(me);
    audio.setPort(20000);
    audio.setRtcp(20001, me);
    audio.setFormats(['8', '101']);
    sdp.setOrigin({ ...sdp.origin, user: 'FoSIP', version: sdp.origin.version + 1n, address: '10.0.0.1' });
    assert.equal(
      sdp.toString(),
      [
        'v=0',
        'o=FoSIP 22130 2 IN IP4 10.0.0.1',
        's=SIP Call',
        'c=IN IP4 10.0.0.1',
        'b=AS:80',
        't=0 0',
        'm=audio 20000 RTP/AVP 8 101',
        'b=TIAS:64000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-15',
        'a=rtcp:20001 IN IP4 10.0.0.1',
        'm=video 0 RTP/AVP 31',
        'a=rtpmap:31 H261/90000',
        'a=inactive',
        '',
      ].join('\r\n'),
    );
  });

  it('adds a media-level c= and a direction where there was none; IPv6 and hold', () => {
    const sdp = Sdp.parse(
      'v=0\no=- 1 1 IN IP6 ::1\ns=-\nt=0 0\nm=audio 5000 RTP/AVP 0\ni=voice\nm=audio 5002/2 RTP/AVP 0\nc=IN IP4 0.0.0.0\n',
    );
    const [a, b] = sdp.media;
    assert.ok(a && b);
    assert.equal(a.connection, null);
    a.setConnection({ family: 'IP6', address: '2001:db8::1' });
    a.setDirection('sendonly');
    b.setPort(6000);
    assert.deepEqual(b.connection, { family: 'IP4', address: '0.0.0.0' });
    assert.equal(
      sdp.toString(),
      'v=0\no=- 1 1 IN IP6 ::1\ns=-\nt=0 0\nm=audio 5000 RTP/AVP 0\ni=voice\nc=IN IP6 2001:db8::1\na=sendonly\nm=audio 6000/2 RTP/AVP 0\nc=IN IP4 0.0.0.0\n',
    );
  });

  it("adds a format with its attributes after the section's last rtpmap/fmtp", () => {
    const sdp = Sdp.parse(
      'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\n',
    );
    sdp.media[0]?.addFormat('101', ['a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15']);
    assert.equal(
      sdp.toString(),
      'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n',
    );
  });

  it('rejects what is not SDP with SdpError', () => {
    for (const bad of [
      '',
      'hello',
      'v=0\r\ns=-\r\n',
      'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio x RTP/AVP 0\r\n',
      'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nbad line\r\n',
      'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 65552 RTP/AVP 0\r\n',
    ]) {
      assert.throws(() => Sdp.parse(bad), SdpError, JSON.stringify(bad));
    }
    assert.equal(Sdp.parse('v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 65534 RTP/AVP 0\r\n').media[0]?.port, 65534);
  });
});
