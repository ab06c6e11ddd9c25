/**
 * The parts sipp scenarios are built from: SDP, the caller's INVITE and in-dialog requests, the callee's
 * responses. The caller's INVITE, CANCEL and non-2xx ACK share one explicit branch (RFC 3261 §9.1,
 * §17.1.1.3); sipp's transaction names tie responses to the right request.
 */
export const SDP = (dir = 'sendrecv') => `v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
a=${dir}`;

/** Audio and a video stream (a re-offer that adds video to an audio call). */
export const AUDIO_VIDEO_SDP = `${SDP()}
m=video [media_port+2] RTP/AVP 96
a=rtpmap:96 H264/90000
a=sendrecv`;

export const wrap = (name: string, body: string): string => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">
${body}
</scenario>`;

export const cdata = (text: string): string => `<![CDATA[\n${text}\n\n]]>`;

export const FROM = 'From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]';
export const TO = 'To: <sip:[service]@[remote_ip]:[remote_port]>';
export const INV_BRANCH = 'z9hG4bK-[pid]-[call_number]-inv';

/** An INVITE with `extra` headers and SDP lines; `from` replaces the From header (keep its tag). */
export function invite(extra: { headers?: string[]; sdp?: string[]; from?: string } = {}): string {
  return `<send retrans="500" start_txn="invite">${cdata(`INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${INV_BRANCH};rport
${extra.from ?? FROM}
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
export function inDialog(method: string, cseq: number, sdp?: string, raw?: { type: string; body: string }): string {
  const body =
    raw !== undefined
      ? `Content-Type: ${raw.type}\nContent-Length: [len]\n\n${raw.body}`
      : sdp === undefined
        ? 'Content-Length: 0'
        : `Content-Type: application/sdp\nContent-Length: [len]\n\n${SDP(sdp)}`;
  const txn =
    method === 'ACK' ? ` ack_txn="${cseq === 1 ? 'invite' : `t${cseq}`}"` : ` retrans="500" start_txn="t${cseq}"`;
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

export const ringing = `<recv response="100" optional="true" response_txn="invite"/>
<recv response="180" optional="true" response_txn="invite"/>
<recv response="183" optional="true" response_txn="invite"/>`;

export const ack2xx = inDialog('ACK', 1);

export const UAS_TO = '[last_To:];tag=[pid]SIPpTag01[call_number]';
export const uasContact = 'Contact: <sip:[local_ip]:[local_port];transport=[transport]>';

/** A response to the last request; `tag` adds our To tag (not in a dialog's later requests, which carry it). */
export function uasResponse(status: string, sdp?: string, tag = true): string {
  const body =
    sdp === undefined ? 'Content-Length: 0' : `Content-Type: application/sdp\nContent-Length: [len]\n\n${SDP(sdp)}`;
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
export function reply(status: string, headers: string[], to = UAS_TO): string {
  return `<send>${cdata(`SIP/2.0 ${status}
[last_Via:]
[last_From:]
${to}
[last_Call-ID:]
[last_CSeq:]
${headers.map((h) => `${h}\n`).join('')}Content-Length: 0`)}</send>`;
}

export const recvInvite = '<recv request="INVITE" rrs="true"/>';

/**
 * SIPp's built-in `uas`, except that an INVITE retransmission that arrives after its 200 is absorbed: the
 * built-in aborts the call on it (it takes the identical INVITE for an unexpected message), and an SBC on a
 * loaded machine legitimately retransmits its INVITE when Timer A fires before it has read the 180.
 */
export const patientUas = wrap(
  'uas (absorbs INVITE retransmissions)',
  `${recvInvite}
${uasResponse('180 Ringing')}
${uasResponse('200 OK', 'sendrecv')}
<recv request="INVITE" optional="true"/>
<recv request="ACK" optional="true" rtd="true"/>
<recv request="BYE"/>
${uasResponse('200 OK', undefined, false)}
<timewait milliseconds="4000"/>`,
);
