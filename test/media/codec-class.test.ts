/** Codec classes on SDP: filter and order by preference, keep telephone-event, 488-worthy offers, answers kept. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CodecClass, applyCodecClass, formatKind, offerFormats } from '../../src/media/codec-class.js';
import { Sdp } from '../../src/media/sdp.js';

const offer = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 4000 RTP/AVP 0 8 18 111 101',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 useinbandfec=1',
  'a=fmtp:18 annexb=no',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'm=video 5000 RTP/AVP 97',
  'a=rtpmap:97 H264/90000',
  '',
].join('\r\n');

const cls = (preferences: CodecClass['preferences'], offerAll = false): CodecClass => ({
  tag: 7,
  preferences,
  offerAll,
});

describe('codec classes', () => {
  it('names formats by rtpmap or static payload type', () => {
    const m = Sdp.parse(offer).media[0]!;
    assert.deepEqual(
      m.formats.map((pt) => formatKind(m, pt)),
      ['g711ulaw', 'g711alaw', 'g729r8', 'opus', 'telephone-event'],
    );
  });

  it('keeps only the class codecs, in its order, plus telephone-event; video is left alone', () => {
    const sdp = Sdp.parse(offer);
    assert.equal(applyCodecClass(sdp, cls(['opus', 'g711alaw']), 'offer'), true);
    const text = sdp.toString();
    assert.match(text, /m=audio 4000 RTP\/AVP 111 8 101\r\n/);
    assert.doesNotMatch(text, /fmtp:18/);
    assert.match(text, /a=fmtp:111 useinbandfec=1/);
    assert.match(text, /m=video 5000 RTP\/AVP 97\r\na=rtpmap:97 H264\/90000/);
  });

  it('says an offer without a common codec cannot go on, and leaves an answer as it is', () => {
    const sdp = Sdp.parse(offer);
    assert.equal(applyCodecClass(sdp, cls(['g722']), 'offer'), false);
    assert.equal(sdp.toString(), offer, 'nothing changed');
    assert.equal(applyCodecClass(sdp, cls(['g722']), 'answer'), true);
    assert.equal(sdp.toString(), offer);
  });

  it('builds the offered formats from a class (first codec, or all with offerAll)', () => {
    assert.deepEqual(offerFormats(cls(['g729r8', 'g711ulaw'])).formats, ['18', '101']);
    const all = offerFormats(cls(['g729r8', 'g711ulaw'], true));
    assert.deepEqual(all.formats, ['18', '0', '101']);
    assert.deepEqual(all.lines, [
      'a=rtpmap:18 G729/8000',
      'a=fmtp:18 annexb=no',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
    ]);
  });
});
