/**
 * sipp scenarios for the call tests. The caller's INVITE, CANCEL and non-2xx ACK share one explicit
 * branch (RFC 3261 §9.1, §17.1.1.3); sipp's transaction names tie responses to the right request.
 */
const SDP = (dir = 'sendrecv') => `v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
a=${dir}`;

/** Audio and a video stream (a re-offer that adds video to an audio call). */
const AUDIO_VIDEO_SDP = `${SDP()}
m=video [media_port+2] RTP/AVP 96
a=rtpmap:96 H264/90000
a=sendrecv`;

const wrap = (name: string, body: string) => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">
${body}
</scenario>`;

const cdata = (text: string) => `<![CDATA[\n${text}\n\n]]>`;

const FROM = 'From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]';
const TO = 'To: <sip:[service]@[remote_ip]:[remote_port]>';
const INV_BRANCH = 'z9hG4bK-[pid]-[call_number]-inv';

function invite(extra: { headers?: string[]; sdp?: string[] } = {}): string {
  return `<send retrans="500" start_txn="invite">${cdata(`INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${INV_BRANCH};rport
${FROM}
${TO}
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
${(extra.headers ?? []).map((h) => `${h}\n`).join('')}Content-Type: application/sdp
Content-Length: [len]

${[SDP(), ...(extra.sdp ?? [])].join('\n')}`)}</send>`;
}

/** An in-dialog request; an ACK names the INVITE transaction it completes (`invite` for CSeq 1). */
function inDialog(method: string, cseq: number, sdp?: string, raw?: { type: string; body: string }): string {
  const body = raw !== undefined ? `Content-Type: ${raw.type}\nContent-Length: [len]\n\n${raw.body}`
    : sdp === undefined ? 'Content-Length: 0' : `Content-Type: application/sdp\nContent-Length: [len]\n\n${SDP(sdp)}`;
  const txn = method === 'ACK' ? ` ack_txn="${cseq === 1 ? 'invite' : `t${cseq}`}"` : ` retrans="500" start_txn="t${cseq}"`;
  return `<send${txn}>${cdata(`${method} [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
${FROM}
${TO}[peer_tag_param]
Call-ID: [call_id]
CSeq: ${cseq} ${method}
[routes]
Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
${body}`)}</send>`;
}

const ringing = `<recv response="100" optional="true" response_txn="invite"/>
<recv response="180" optional="true" response_txn="invite"/>
<recv response="183" optional="true" response_txn="invite"/>`;

const ack2xx = inDialog('ACK', 1);

/** A call whose INVITE carries extra headers and SDP lines: answered, then hung up by the caller. */
export function uacWith(extra: { headers?: string[]; sdp?: string[] }): string {
  return wrap('uac with extra headers', `${invite(extra)}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
<pause milliseconds="200"/>
${inDialog('BYE', 2)}
<recv response="200" response_txn="t2"/>`);
}

/** Call, and expect `status` as the final answer (ACKed on the INVITE's branch). */
export function uacExpect(status: number): string {
  return wrap('uac expects a failure', `${invite()}
${ringing}
<recv response="${status}" response_txn="invite"/>
<send ack_txn="invite">${cdata(`ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${INV_BRANCH};rport
${FROM}
${TO}[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0`)}</send>
<pause milliseconds="200"/>`);
}

/** Call, wait for 180, CANCEL, expect 200 to the CANCEL and 487 to the INVITE. */
export function uacCancel(): string {
  return wrap('uac cancels while ringing', `${invite()}
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
<send ack_txn="invite">${cdata(`ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${INV_BRANCH};rport
${FROM}
${TO}[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0`)}</send>
<pause milliseconds="200"/>`);
}

/** Call, send one INFO with `contentType` and `body` once answered, then hang up. */
export function uacInfo(contentType: string, body: string): string {
  return wrap('uac sends INFO', `${invite()}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
<pause milliseconds="300"/>
${inDialog('INFO', 2, undefined, { type: contentType, body })}
<recv response="200" response_txn="t2"/>
<pause milliseconds="800"/>
${inDialog('BYE', 3)}
<recv response="200" response_txn="t3"/>`);
}

/** Call, get answered, then the far end hangs up: expect its BYE and answer it. */
export function uacHungUp(): string {
  return wrap('uac is hung up on', `${invite()}
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
<pause milliseconds="200"/>`);
}

/** Call, hold (sendonly) and resume (sendrecv) by re-INVITE, checking the answers, then hang up. */
export function uacHoldResume(): string {
  return wrap('uac holds and resumes', `${invite()}
${ringing}
<recv response="200" response_txn="invite" rrs="true"/>
${ack2xx}
${inDialog('INVITE', 2, 'sendonly')}
<recv response="100" optional="true" response_txn="t2"/>
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
<Reference variables="held,resumed"/>`);
}

/** Call, then a re-INVITE that adds video; its 200 must give video a port (not decline it with port 0). */
export function uacAddsVideo(): string {
  return wrap('uac adds video', `${invite()}
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
<Reference variables="video"/>`);
}

const UAS_TO = '[last_To:];tag=[pid]SIPpTag01[call_number]';
const uasContact = 'Contact: <sip:[local_ip]:[local_port];transport=[transport]>';

/** A response to the last request; `tag` adds our To tag (not in a dialog's later requests, which carry it). */
function uasResponse(status: string, sdp?: string, tag = true): string {
  const body = sdp === undefined ? 'Content-Length: 0' : `Content-Type: application/sdp\nContent-Length: [len]\n\n${SDP(sdp)}`;
  // only a 2xx to an INVITE (it carries the answer) is retransmitted until its ACK
  return `<send${status.startsWith('2') && sdp !== undefined ? ' retrans="500"' : ''}>${cdata(`SIP/2.0 ${status}
[last_Via:]
[last_From:]
${tag ? UAS_TO : '[last_To:]'}
[last_Call-ID:]
[last_CSeq:]
${uasContact}
${body}`)}</send>`;
}

/** A response to the last request with headers of its own, no Contact and no body (challenges, registrar answers). */
function reply(status: string, headers: string[], to = UAS_TO): string {
  return `<send>${cdata(`SIP/2.0 ${status}
[last_Via:]
[last_From:]
${to}
[last_Call-ID:]
[last_CSeq:]
${headers.map((h) => `${h}\n`).join('')}Content-Length: 0`)}</send>`;
}

const recvInvite = '<recv request="INVITE" rrs="true"/>';

/** Answer 180 (optional) then `status`; expect the ACK. */
export function uasRespond(status: string, ring = true): string {
  return wrap('uas responds', `${recvInvite}
${ring ? uasResponse('180 Ringing') : ''}
${uasResponse(status, status.startsWith('2') ? 'sendrecv' : undefined)}
<recv request="ACK"/>
<pause milliseconds="200"/>`);
}

/** Answer, then hang up with a BYE of our own. */
export function uasHangUp(): string {
  return wrap('uas hangs up', `${recvInvite}
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
<recv response="200" response_txn="bye"/>`);
}

/** Ring and wait for the CANCEL: 200 to it, 487 to the INVITE, then the ACK. */
export function uasCancelled(): string {
  return wrap('uas is cancelled', `<recv request="INVITE">
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
<Reference variables="via,cseq"/>`);
}

/** Answer; accept a hold and a resume re-INVITE (answering recvonly / sendrecv); take the BYE. */
export function uasHoldResume(): string {
  const reinvite = (answer: string, check: string) => `<recv request="INVITE">
  <action><ereg regexp="a=${check}" search_in="body" check_it="true" assign_to="saw_${check}"/></action>
</recv>
${uasResponse('200 OK', answer, false)}
<recv request="ACK"/>`;
  return wrap('uas holds and resumes', `${recvInvite}
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
<Reference variables="saw_sendonly,saw_sendrecv"/>`);
}

/** The callee of uacAddsVideo: the relayed re-INVITE offers video on a port of the SBC's; it accepts. */
export function uasAcceptsVideo(): string {
  return wrap('uas accepts video', `${recvInvite}
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
<Reference variables="video"/>`);
}

/** The callee of the CUCM delayed-offer call: offer in the 200, the answer must come in the ACK; REFER gets 202. */
export function uasDelayedOfferWithRefer(): string {
  return wrap('uas answers a delayed offer, takes a REFER', `${recvInvite}
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
<Reference variables="answer,referto"/>`);
}

/** Takes one out-of-dialog MESSAGE, checking its text, and accepts it. */
export function uasMessage(): string {
  return wrap('uas takes a MESSAGE', `<recv request="MESSAGE">
  <action><ereg regexp="selam" search_in="body" check_it="true" assign_to="text"/></action>
</recv>
${uasResponse('200 OK')}
<Reference variables="text"/>`);
}

/** Redirect the call to another address with a 302. */
export function uasRedirect(port: number): string {
  return wrap('uas redirects', `<recv request="INVITE"/>
${reply('302 Moved Temporarily', [`Contact: <sip:2002@127.0.0.1:${port}>`])}
<recv request="ACK"/>`);
}

/** Call with 100rel: PRACK the reliable 180 (RAck names our INVITE CSeq 7), then the call as usual. */
export function uacPrack(): string {
  return wrap('uac with 100rel', `<send retrans="500" start_txn="invite">${cdata(`INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${INV_BRANCH};rport
${FROM}
${TO}
Call-ID: [call_id]
CSeq: 7 INVITE
Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
Supported: 100rel
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${SDP()}`)}</send>
<recv response="100" optional="true" response_txn="invite"/>
<recv response="180" response_txn="invite" rrs="true">
  <action>
    <ereg regexp="RSeq: ([0-9]+)" search_in="msg" check_it="true" assign_to="junk,rseq"/>
    <ereg regexp="Require: 100rel" search_in="msg" check_it="true" assign_to="reliable"/>
  </action>
</recv>
<send retrans="500" start_txn="prack">${cdata(`PRACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
${FROM}
${TO}[peer_tag_param]
Call-ID: [call_id]
CSeq: 8 PRACK
RAck: [$rseq] 7 INVITE
Max-Forwards: 70
Content-Length: 0`)}</send>
<recv response="200" response_txn="prack"/>
<recv response="200" response_txn="invite" rrs="true"/>
${inDialog('ACK', 1).replace('CSeq: 1 ACK', 'CSeq: 7 ACK')}
${inDialog('BYE', 9)}
<recv response="200" response_txn="t9"/>
<Reference variables="junk,reliable"/>`);
}

/** Send a reliable 180, expect the PRACK (RAck naming our leg's INVITE CSeq 1), then answer. */
export function uasPrack(): string {
  return wrap('uas with 100rel', `<recv request="INVITE" rrs="true">
  <action>
    <ereg regexp=".*" search_in="hdr" header="Via:" assign_to="via"/>
    <ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="cseq"/>
    <ereg regexp="100rel" search_in="hdr" header="Supported:" check_it="true" assign_to="supported"/>
  </action>
</recv>
${reply('180 Ringing', [uasContact, 'Require: 100rel', 'RSeq: 1'])}
<recv request="PRACK">
  <action><ereg regexp="RAck: 1 1 INVITE" search_in="msg" check_it="true" assign_to="rack"/></action>
</recv>
${uasResponse('200 OK', undefined, false)}
<send retrans="500">${cdata(`SIP/2.0 200 OK
Via: [$via]
[last_From:]
[last_To:]
[last_Call-ID:]
CSeq: [$cseq]
${uasContact}
Content-Type: application/sdp
Content-Length: [len]

${SDP()}`)}</send>
<recv request="ACK"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<Reference variables="via,cseq,supported,rack"/>`);
}

/** A forking far end: two early dialogs (two To tags), the second one answers. */
export function uasForked(): string {
  const ring = (n: string) => `<send>${cdata(`SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=fork${n}[call_number]
[last_Call-ID:]
[last_CSeq:]
${uasContact}
Content-Length: 0`)}</send>`;
  return wrap('uas forks', `${recvInvite}
${ring('A')}
${ring('B')}
<send retrans="500">${cdata(`SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=forkB[call_number]
[last_Call-ID:]
[last_CSeq:]
${uasContact}
Content-Type: application/sdp
Content-Length: [len]

${SDP()}`)}</send>
<recv request="ACK">
  <action><ereg regexp="tag=forkB" search_in="hdr" header="To:" check_it="true" assign_to="acked"/></action>
</recv>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<Reference variables="acked"/>`);
}

/** The CANCEL/200 race: the callee answers although the CANCEL came; it must get ACK and BYE. */
export function uasAnswersDespiteCancel(): string {
  return wrap('uas answers despite the CANCEL', `<recv request="INVITE" rrs="true">
  <action>
    <ereg regexp=".*" search_in="hdr" header="Via:" assign_to="via"/>
    <ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="cseq"/>
  </action>
</recv>
${uasResponse('180 Ringing')}
<recv request="CANCEL"/>
${uasResponse('200 OK')}
<send retrans="500">${cdata(`SIP/2.0 200 OK
Via: [$via]
[last_From:]
${UAS_TO}
[last_Call-ID:]
CSeq: [$cseq]
${uasContact}
Content-Type: application/sdp
Content-Length: [len]

${SDP()}`)}</send>
<recv request="ACK"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<Reference variables="via,cseq"/>`);
}

/**
 * A trunk that answers OPTIONS with `optionsStatus` and takes calls (answers, then waits for the caller's
 * BYE). Each OPTIONS is a "call" of its own to sipp (a new Call-ID): the first message decides the branch.
 */
export function uasTrunk(optionsStatus = '200 OK'): string {
  return wrap('uas trunk', `<recv request="OPTIONS" optional="true" next="options"/>
${recvInvite}
${uasResponse('180 Ringing')}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<nop next="done"/>
<label id="options"/>
${uasResponse(optionsStatus)}
<label id="done"/>`);
}

/**
 * A carrier that wants digest credentials: 407 to the INVITE (realm carrier.test, qop auth) and the call
 * only when the INVITE comes again with Proxy-Authorization (SIPp cannot check that header: the test
 * recomputes it), then 401 to the first BYE and 200 only to a BYE whose Authorization SIPp verifies for
 * `user`/`password` (403 otherwise).
 */
export function uasChallenges(user: string, password: string): string {
  const challenge = (status: string, header: string, nonce: string, to: string): string =>
    reply(status, [`${header}: Digest realm="carrier.test", nonce="${nonce}[pid][call_number]", qop="auth", algorithm=MD5`], to);
  return wrap('uas challenges', `<recv request="INVITE"/>
${challenge('407 Proxy Authentication Required', 'Proxy-Authenticate', 'inv', UAS_TO)}
<recv request="ACK"/>
<recv request="INVITE" rrs="true">
  <action><ereg regexp="Digest .*" search_in="hdr" header="Proxy-Authorization:" check_it="true" assign_to="pa"/></action>
</recv>
${uasResponse('180 Ringing')}
${uasResponse('200 OK', 'sendrecv')}
<recv request="ACK"/>
<recv request="BYE"/>
${challenge('401 Unauthorized', 'WWW-Authenticate', 'bye', '[last_To:]')}
<recv request="BYE">
  <action><verifyauth assign_to="authvalid" username="${user}" password="${password}"/></action>
</recv>
<nop test="authvalid" next="byeok"/>
${uasResponse('403 Forbidden', undefined, false)}
<nop next="end"/>
<label id="byeok"/>
${uasResponse('200 OK', undefined, false)}
<label id="end"/>
<Reference variables="authvalid,pa"/>`);
}

/** A carrier that challenges every INVITE (the credentials are wrong): 407, ACK, as often as asked. */
export function uasChallengesForever(): string {
  return wrap('uas challenges forever', `<label id="again"/>
<recv request="INVITE" timeout="3000" ontimeout="end"/>
${reply('407 Proxy Authentication Required', [`Proxy-Authenticate: Digest realm="carrier.test", nonce="n[pid][call_number]", algorithm=MD5`])}
<recv request="ACK"/>
<nop next="again"/>
<label id="end"/>`);
}

/**
 * A registrar that challenges every REGISTER that comes without credentials (401, qop auth) and accepts
 * one whose Authorization SIPp verifies for `user`/`password` for 3 s; it expects the registration and
 * one refresh, and answers 403 to credentials it cannot verify.
 */
export function registrarChallenges(user: string, password: string): string {
  const round = (n: number) => `<recv request="REGISTER"/>
${reply('401 Unauthorized', [`WWW-Authenticate: Digest realm="carrier.test", nonce="reg${n}[pid]", qop="auth", algorithm=MD5`])}
<recv request="REGISTER">
  <action>
    <verifyauth assign_to="ok${n}" username="${user}" password="${password}"/>
    <ereg regexp="&lt;[^&gt;]*&gt;" search_in="hdr" header="Contact:" assign_to="ct${n}"/>
  </action>
</recv>
<nop test="ok${n}" next="good${n}"/>
${uasResponse('403 Forbidden')}
<nop next="end"/>
<label id="good${n}"/>
${reply('200 OK', [`Contact: [$ct${n}];expires=3`])}`;
  return wrap('registrar challenges', `${round(1)}
${round(2)}
<label id="end"/>
<Reference variables="ok1,ok2,ct1,ct2"/>`);
}

/** A registrar that is out of service: 503 to every REGISTER, until none came for 4 s. */
export function registrarUnavailable(): string {
  return wrap('registrar unavailable', `<label id="again"/>
<recv request="REGISTER" timeout="4000" ontimeout="end"/>
${uasResponse('503 Service Unavailable')}
<nop next="again"/>
<label id="end"/>`);
}

/** A registrar that finds the asked expiry too brief: 423 with Min-Expires 120, then 200 to a REGISTER asking for 120. */
export function registrarMinExpires(): string {
  return wrap('registrar min-expires', `<recv request="REGISTER"/>
${reply('423 Interval Too Brief', ['Min-Expires: 120'])}
<recv request="REGISTER">
  <action><ereg regexp="Expires: 120" search_in="msg" check_it="true" assign_to="asked"/></action>
</recv>
${reply('200 OK', ['Expires: 120'])}
<Reference variables="asked"/>`);
}
