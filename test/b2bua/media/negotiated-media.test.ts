/** What the call views learn from each leg's SDP: media address, a=ptime, and the codec the answer chose. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noteSdp } from '../../../src/b2bua/media/negotiated-media.js';
import { callRecord } from '../../helpers/call-records.js';

const sdp = (lines: string[]): Buffer =>
  Buffer.from(['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', ...lines, ''].join('\r\n'));

describe('negotiated media of a call', () => {
  it("notes each leg's media address and the answer's first codec, its ptime else the offer's", () => {
    const record = callRecord('n1');
    noteSdp(record, 'a', sdp(['m=audio 4000 RTP/AVP 8 0 101', 'a=ptime:30']), 'offer');
    assert.deepEqual(record.aLeg.media, { address: '192.0.2.1', port: 4000, ptimeMs: 30 });
    assert.equal(record.codec, undefined, 'an offer negotiates nothing yet');
    noteSdp(record, 'b', sdp(['m=audio 0 RTP/AVP 0', 'm=audio 5000 RTP/AVP 0 101', 'c=IN IP4 198.51.100.2']), 'answer');
    assert.deepEqual(
      record.bLeg?.media,
      { address: '198.51.100.2', port: 5000, ptimeMs: null },
      'the first stream in use',
    );
    assert.deepEqual(record.codec, { name: 'g711ulaw', payloadType: 0, ptimeMs: 30, media: 'audio' });
  });

  it('names T.38, dynamic and unknown formats, and learns nothing from unreadable SDP', () => {
    const record = callRecord('n2');
    noteSdp(record, 'b', sdp(['m=image 6000 udptl t38']), 'answer');
    assert.deepEqual(record.codec, { name: 't38', payloadType: null, ptimeMs: 20, media: 'image' });
    noteSdp(record, 'b', sdp(['m=audio 6002 RTP/AVP 97', 'a=rtpmap:97 AMR-WB/16000']), 'answer');
    assert.equal(record.codec?.name, 'amr-wb');
    noteSdp(record, 'b', sdp(['m=audio 6002 RTP/AVP 96']), 'answer');
    assert.equal(record.codec?.name, 'pt96');
    const before = structuredClone(record);
    noteSdp(record, 'a', Buffer.from('not sdp at all'), 'answer');
    assert.deepEqual(record, before);
  });
});
