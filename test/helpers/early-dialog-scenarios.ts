/** sipp scenarios of early dialogs: 100rel and PRACK, a forking callee, the CANCEL/200 race. */
import {
  cdata,
  FROM,
  inDialog,
  INV_BRANCH,
  recvInvite,
  reply,
  SDP,
  TO,
  UAS_TO,
  uasContact,
  uasResponse,
  wrap,
} from './sipp-xml.js';

/** Call with 100rel: PRACK the reliable 180 (RAck names our INVITE CSeq 7), then the call as usual. */
export function uacPrack(): string {
  return wrap(
    'uac with 100rel',
    `<send retrans="500" start_txn="invite">${cdata(`INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
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
<Reference variables="junk,reliable"/>`,
  );
}

/** Send a reliable 180, expect the PRACK (RAck naming our leg's INVITE CSeq 1), then answer. */
export function uasPrack(): string {
  return wrap(
    'uas with 100rel',
    `<recv request="INVITE" rrs="true">
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
<Reference variables="via,cseq,supported,rack"/>`,
  );
}

/** A forking far end: two early dialogs (two To tags), the second one answers. */
export function uasForked(): string {
  const ring = (n: string) =>
    `<send>${cdata(`SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=fork${n}[call_number]
[last_Call-ID:]
[last_CSeq:]
${uasContact}
Content-Length: 0`)}</send>`;
  return wrap(
    'uas forks',
    `${recvInvite}
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
<Reference variables="acked"/>`,
  );
}

/** The CANCEL/200 race: the callee answers although the CANCEL came; it must get ACK and BYE. */
export function uasAnswersDespiteCancel(): string {
  return wrap(
    'uas answers despite the CANCEL',
    `<recv request="INVITE" rrs="true">
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
<Reference variables="via,cseq"/>`,
  );
}
