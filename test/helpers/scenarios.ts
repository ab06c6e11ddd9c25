/** sipp scenarios for the call tests (built from sipp-xml.ts; early dialogs and carriers have files of their own). */
import {
  ack2xx,
  AUDIO_VIDEO_SDP,
  cdata,
  FROM,
  inDialog,
  INV_BRANCH,
  invite,
  recvInvite,
  reply,
  ringing,
  TO,
  UAS_TO,
  uasContact,
  uasResponse,
  wrap,
} from './sipp-xml.js';

/** A call whose INVITE carries extra headers and SDP lines: answered, then hung up by the caller. */
export function uacWith(extra: { headers?: string[]; sdp?: string[]; from?: string }): string {
  return wrap(
    'uac with extra headers',
    `${invite(extra)}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
<pause milliseconds="200"/>
${inDialog('BYE', 2)}
<recv response="200" response_txn="t2"/>`,
  );
}

/** The ACK of a failure, on the INVITE's branch (RFC 3261 §17.1.1.3). */
const ackFailure = `<send ack_txn="invite">${cdata(`ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${INV_BRANCH};rport
${FROM}
${TO}[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0`)}</send>`;

/** Call, and expect `status` as the final answer (ACKed on the INVITE's branch). */
export function uacExpect(status: number): string {
  return wrap(
    'uac expects a failure',
    `${invite()}
${ringing}
<recv response="${status}" response_txn="invite"/>
${ackFailure}
<pause milliseconds="200"/>`,
  );
}

/** Call: either answered (then hung up) or refused with `status` (ACKed); both end the call well. */
export function uacAnsweredOr(status: number): string {
  return wrap(
    'uac answered or refused',
    `${invite()}
${ringing}
<recv response="${status}" optional="true" response_txn="invite" next="refused"/>
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
<pause milliseconds="200"/>
${inDialog('BYE', 2)}
<recv response="200" response_txn="t2" next="done"/>
<label id="refused"/>
${ackFailure}
<label id="done"/>`,
  );
}

/** Call, wait for 180, CANCEL, expect 200 to the CANCEL and 487 to the INVITE. */
export function uacCancel(): string {
  return wrap(
    'uac cancels while ringing',
    `${invite()}
<recv response="100" optional="true" response_txn="invite"/>
<recv response="180" response_txn="invite"/>
<send start_txn="cancel">${cdata(`CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${INV_BRANCH};rport
${FROM}
${TO}
Call-ID: [call_id]
CSeq: 1 CANCEL
Max-Forwards: 70
Content-Length: 0`)}</send>
<recv response="200" response_txn="cancel"/>
<recv response="487" response_txn="invite"/>
${ackFailure}
<pause milliseconds="200"/>`,
  );
}

/**
 * Call, send one INFO with `contentType` and `body` once answered, then hang up. `talking`: the call is
 * G.711 A-law and the caller plays audio from the answer on, the INFO a second into it (rtpengine plays a
 * digit into a stream only once the stream has carried packets).
 */
export function uacInfo(contentType: string, body: string, talking = false): string {
  const call = talking
    ? invite().replace('RTP/AVP 0\na=rtpmap:0 PCMU/8000', 'RTP/AVP 8\na=rtpmap:8 PCMA/8000')
    : invite();
  const audio = talking
    ? '<nop><action><exec play_pcap_audio="pcap/g711a.pcap"/></action></nop>\n<pause milliseconds="1000"/>'
    : '<pause milliseconds="300"/>';
  return wrap(
    'uac sends INFO',
    `${call}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
${audio}
${inDialog('INFO', 2, undefined, { type: contentType, body })}
<recv response="200" response_txn="t2"/>
<pause milliseconds="800"/>
${inDialog('BYE', 3)}
<recv response="200" response_txn="t3"/>`,
  );
}

/** Call, get answered, then the far end hangs up: expect its BYE and answer it. */
export function uacHungUp(): string {
  return wrap(
    'uac is hung up on',
    `${invite()}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
<recv request="BYE"/>
<send>${cdata(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`)}</send>
<pause milliseconds="200"/>`,
  );
}

/** Call, get answered, and put the call on hold at once (a re-INVITE with sendonly, CSeq 2). */
const callThenHold = `${invite()}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
${inDialog('INVITE', 2, 'sendonly')}
<recv response="100" optional="true" response_txn="t2"/>`;

/** Call, hold at once, stay silent for `silentMs`, then hang up. */
export function uacHoldsSilently(silentMs: number): string {
  return wrap(
    'uac holds',
    `${callThenHold}
<recv response="200" response_txn="t2"/>
${inDialog('ACK', 2)}
<pause milliseconds="${silentMs}"/>
${inDialog('BYE', 3)}
<recv response="200" response_txn="t3"/>`,
  );
}

/** Answer, be put on hold by a re-INVITE (answered recvonly), then take the BYE: uacHoldsSilently's callee. */
export function uasPutOnHold(): string {
  return wrap(
    'uas is put on hold',
    `${recvInvite}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK"/>
<recv request="INVITE"/>
${uasResponse('200 OK', 'recvonly', false)}
<recv request="ACK"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}`,
  );
}

/** Call, hold (sendonly) and resume (sendrecv) by re-INVITE, checking the answers, then hang up. */
export function uacHoldResume(): string {
  return wrap(
    'uac holds and resumes',
    `${callThenHold}
<recv response="200" response_txn="t2">
  <action><ereg regexp="a=recvonly" search_in="body" check_it="true" assign_to="held"/></action>
</recv>
${inDialog('ACK', 2)}
${inDialog('INVITE', 3, 'sendrecv')}
<recv response="100" optional="true" response_txn="t3"/>
<recv response="200" response_txn="t3">
  <action><ereg regexp="a=sendrecv" search_in="body" check_it="true" assign_to="resumed"/></action>
</recv>
${inDialog('ACK', 3)}
${inDialog('INFO', 4)}
<recv response="200" response_txn="t4"/>
${inDialog('UPDATE', 5)}
<recv response="200" response_txn="t5"/>
${inDialog('BYE', 6)}
<recv response="200" response_txn="t6"/>
<Reference variables="held,resumed"/>`,
  );
}

/** Call, then a re-INVITE that adds video; its 200 must give video a port (not decline it with port 0). */
export function uacAddsVideo(): string {
  return wrap(
    'uac adds video',
    `${invite()}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
${inDialog('INVITE', 2, undefined, { type: 'application/sdp', body: AUDIO_VIDEO_SDP })}
<recv response="100" optional="true" response_txn="t2"/>
<recv response="200" response_txn="t2">
  <action><ereg regexp="m=video [1-9][0-9]* RTP/AVP 96" search_in="body" check_it="true" assign_to="video"/></action>
</recv>
${inDialog('ACK', 2)}
<pause milliseconds="800"/>
${inDialog('BYE', 3)}
<recv response="200" response_txn="t3"/>
<Reference variables="video"/>`,
  );
}

/** Answer 180 (optional) then `status`; expect the ACK. */
export function uasRespond(status: string, ring = true): string {
  return wrap(
    'uas responds',
    `${recvInvite}
${ring ? uasResponse('180 Ringing') : ''}
${uasResponse(status, status.startsWith('2') ? 'sendrecv' : undefined)}
<recv request="ACK"/>
<pause milliseconds="200"/>`,
  );
}

/** Answer, then hang up with a BYE of our own. */
export function uasHangUp(): string {
  return wrap(
    'uas hangs up',
    `${recvInvite}
${uasResponse('180 Ringing')}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK">
  <action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer"/></action>
</recv>
<pause milliseconds="500"/>
<send retrans="500" start_txn="bye">${cdata(`BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
From: <sip:callee@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
To: [$peer]
Call-ID: [call_id]
CSeq: 1 BYE
Max-Forwards: 70
Content-Length: 0`)}</send>
<recv response="200" response_txn="bye"/>`,
  );
}

/** Ring and wait for the CANCEL: 200 to it, 487 to the INVITE, then the ACK. */
export function uasCancelled(): string {
  return wrap(
    'uas is cancelled',
    `<recv request="INVITE">
  <action>
    <ereg regexp=".*" search_in="hdr" header="Via:" assign_to="via"/>
    <ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="cseq"/>
  </action>
</recv>
${uasResponse('180 Ringing')}
<recv request="CANCEL"/>
${uasResponse('200 OK')}
<send>${cdata(`SIP/2.0 487 Request Terminated
Via: [$via]
[last_From:]
${UAS_TO}
[last_Call-ID:]
CSeq: [$cseq]
Content-Length: 0`)}</send>
<recv request="ACK"/>
<Reference variables="via,cseq"/>`,
  );
}

/** Answer; accept a hold and a resume re-INVITE (answering recvonly / sendrecv); take the BYE. */
export function uasHoldResume(): string {
  const reinvite = (answer: string, check: string) => `<recv request="INVITE">
  <action><ereg regexp="a=${check}" search_in="body" check_it="true" assign_to="saw_${check}"/></action>
</recv>
${uasResponse('200 OK', answer, false)}
<recv request="ACK"/>`;
  return wrap(
    'uas holds and resumes',
    `${recvInvite}
${uasResponse('180 Ringing')}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK"/>
${reinvite('recvonly', 'sendonly')}
${reinvite('sendrecv', 'sendrecv')}
<recv request="INFO"/>
${uasResponse('200 OK', undefined, false)}
<recv request="UPDATE"/>
${uasResponse('200 OK', undefined, false)}
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<Reference variables="saw_sendonly,saw_sendrecv"/>`,
  );
}

/** The callee of uacAddsVideo: the relayed re-INVITE offers video on a port of the SBC's; it accepts. */
export function uasAcceptsVideo(): string {
  return wrap(
    'uas accepts video',
    `${recvInvite}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK"/>
<recv request="INVITE">
  <action><ereg regexp="m=video [1-9][0-9]* RTP/AVP 96" search_in="body" check_it="true" assign_to="video"/></action>
</recv>
<send retrans="500">${cdata(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
${uasContact}
Content-Type: application/sdp
Content-Length: [len]

${AUDIO_VIDEO_SDP}`)}</send>
<recv request="ACK"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<Reference variables="video"/>`,
  );
}

/** The callee of the CUCM delayed-offer call: offer in the 200, the answer must come in the ACK; REFER gets 202. */
export function uasDelayedOfferWithRefer(): string {
  return wrap(
    'uas answers a delayed offer, takes a REFER',
    `${recvInvite}
${uasResponse('180 Ringing')}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK">
  <action><ereg regexp="m=audio" search_in="body" check_it="true" assign_to="answer"/></action>
</recv>
<recv request="REFER">
  <action><ereg regexp="Refer-To: .sip:10003@" search_in="msg" check_it="true" assign_to="referto"/></action>
</recv>
${uasResponse('202 Accepted', undefined, false)}
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<Reference variables="answer,referto"/>`,
  );
}

/** Takes one out-of-dialog MESSAGE, checking its text, and accepts it. */
export function uasMessage(): string {
  return wrap(
    'uas takes a MESSAGE',
    `<recv request="MESSAGE">
  <action><ereg regexp="selam" search_in="body" check_it="true" assign_to="text"/></action>
</recv>
${uasResponse('200 OK')}
<Reference variables="text"/>`,
  );
}

/** Redirect the call to another address with a 302. */
export function uasRedirect(port: number): string {
  return wrap(
    'uas redirects',
    `<recv request="INVITE"/>
${reply('302 Moved Temporarily', [`Contact: <sip:2002@127.0.0.1:${port}>`])}
<recv request="ACK"/>`,
  );
}

/**
 * A trunk that answers OPTIONS with `optionsStatus` and takes calls (answers, then waits for the caller's
 * BYE). Each OPTIONS is a "call" of its own to sipp (a new Call-ID): the first message decides the branch.
 */
export function uasTrunk(optionsStatus = '200 OK'): string {
  return wrap(
    'uas trunk',
    `<recv request="OPTIONS" optional="true" next="options"/>
${recvInvite}
${uasResponse('180 Ringing')}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<nop next="done"/>
<label id="options"/>
${uasResponse(optionsStatus)}
<label id="done"/>`,
  );
}

/**
 * A re-INVITE from the SBC in the middle of the call (its media moved to a new port after a restart):
 * answered with SDP and ACKed; the caller then hangs up, the callee waits for that BYE.
 */
function movedMedia(): string {
  return `<recv request="INVITE">
  <action><ereg regexp="m=audio ([0-9]+)" search_in="body" check_it="true" assign_to="moved,moved_port"/></action>
</recv>
${uasResponse('200 OK', 'sendrecv', false)}
<recv request="ACK"/>`;
}

export function uacMediaMoved(): string {
  return wrap(
    'uac told of a media move',
    `${invite()}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
${movedMedia()}
<pause milliseconds="500"/>
${inDialog('BYE', 2)}
<recv response="200" response_txn="t2"/>
<Reference variables="moved,moved_port"/>`,
  );
}

export function uasMediaMoved(): string {
  return wrap(
    'uas told of a media move',
    `${recvInvite}
${uasResponse('180 Ringing')}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK"/>
${movedMedia()}
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<Reference variables="moved,moved_port"/>`,
  );
}
