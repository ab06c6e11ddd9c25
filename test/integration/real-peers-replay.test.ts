/**
 * The real-peers flows through the SBC: MicroSIP's early-offer call, CUCM's delayed-offer call (offer in
 * the 200 OK, answer in the ACK) with a REFER passed through inside the dialog, and MicroSIP's
 * out-of-dialog MESSAGE. The callee is sipp.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { ReplayUa } from '../helpers/replay-ua.js';
import { uasDelayedOfferWithRefer, uasMessage } from '../helpers/scenarios.js';
import { callee } from '../helpers/sipp-pair.js';
import { sleep } from '../helpers/net.js';

const id = () => `${randomBytes(8).toString('hex')}@127.0.0.1`;

describe('real-peer flows replayed through the SBC', () => {
  it('MicroSIP early-offer call: INVITE with SDP, ACK, BYE', async () => {
    const b = await callee();
    // MicroSIP called the CUBE address itself: no user part, so a catch-all dial-peer (T) routes it
    const app = await startTestApp({
      dialPeers: [{ tag: 5, destinationPattern: 'T', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    const ua = await ReplayUa.open(boundPort(app, 'udp'));
    try {
      const callId = id();
      const ruri = `sip:127.0.0.1:${boundPort(app, 'udp')}`;
      ua.send(ua.adapt('microsip-invite-early-offer.sip', { ruri, callId }));
      const ok = await ua.response(callId, 200, 'INVITE');
      assert.ok(ok.body.toString().includes('m=audio'), 'the callee answer reaches the caller');
      const toTag = ok.to().params.get('tag') ?? '';
      const contact = ok.contacts();
      const target = contact === '*' ? ruri : (contact[0]?.uri.raw ?? ruri);
      ua.send(ua.adapt('microsip-ack.sip', { ruri: target, callId, toTag }));
      await sleep(300);
      ua.send(ua.adapt('microsip-bye.sip', { ruri: target, callId, toTag }));
      await ua.response(callId, 200, 'BYE');
      const bResult = await b.run;
      assert.equal(bResult.code, 0);
      // session timers keep working: MicroSIP's Session-Expires and Min-SE reach the callee
      assert.match(bResult.messages, /Session-Expires: 1800/);
      assert.match(bResult.messages, /Min-SE: 90/);
      await eventually(() => app.callStore.size === 0, { everyMs: 10 });
      assert.equal(app.callStore.size, 0);
    } finally {
      ua.close();
      await app.stop();
    }
  });

  it('CUCM delayed-offer call: offer in the 200, answer in the ACK, REFER passed through, BYE', async () => {
    const b = await callee({ scenario: uasDelayedOfferWithRefer() });
    const app = await startTestApp({
      dialPeers: [{ tag: 6, destinationPattern: '1000.$', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    const ua = await ReplayUa.open(boundPort(app, 'udp'));
    try {
      const callId = id();
      ua.send(
        ua.adapt('cucm-invite-delayed-offer.sip', { ruri: `sip:10001@127.0.0.1:${boundPort(app, 'udp')}`, callId }),
      );
      const ok = await ua.response(callId, 200, 'INVITE');
      assert.ok(ok.body.toString().includes('m=audio'), 'the offer comes in the 200');
      const toTag = ok.to().params.get('tag') ?? '';
      const contact = ok.contacts();
      const target = contact === '*' ? '' : (contact[0]?.uri.raw ?? '');
      const fromTag = '22130~27aa66c8-2714-422d-b044-24d65024d146-29314073';
      ua.send(ua.adapt('cucm-ack-with-answer-sdp.sip', { ruri: target, callId, toTag }));
      // the REFER travels inside the dialog (here from the caller's side of it)
      const refer = ua.adapt('microsip-refer-transfer.sip', { ruri: target, callId, fromTag, toTag });
      refer.setHeader('From', `<sip:192.168.80.100>;tag=${fromTag}`);
      refer.setHeader('To', `<sip:10001@192.168.80.100>;tag=${toTag}`);
      ua.send(refer);
      await ua.response(callId, 202, 'REFER');
      const bye = ua.adapt('microsip-bye.sip', { ruri: target, callId, toTag });
      bye.setHeader('From', `<sip:192.168.80.100>;tag=${fromTag}`);
      bye.setHeader('CSeq', '102 BYE');
      ua.send(bye);
      await ua.response(callId, 200, 'BYE');
      const result = await b.run;
      assert.equal(result.code, 0, `callee failed:\n${result.stderr}\n${result.messages.slice(-3000)}`);
    } finally {
      ua.close();
      await app.stop();
    }
  });

  it('MicroSIP out-of-dialog MESSAGE is routed by the dial-peers and its 200 comes back', async () => {
    const b = await callee({ scenario: uasMessage() });
    const app = await startTestApp({
      dialPeers: [{ tag: 7, destinationPattern: 'T', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    const ua = await ReplayUa.open(boundPort(app, 'udp'));
    try {
      const callId = id();
      ua.send(ua.adapt('microsip-message.sip', { ruri: `sip:127.0.0.1:${boundPort(app, 'udp')}`, callId }));
      await ua.response(callId, 200, 'MESSAGE');
      const result = await b.run;
      assert.equal(result.code, 0, `callee failed:\n${result.stderr}\n${result.messages.slice(-3000)}`);
    } finally {
      ua.close();
      await app.stop();
    }
  });
});
