/** sipp scenarios of a carrier's side that wants credentials: digest challenges, and registrars. */
import { UAS_TO, reply, uasResponse, wrap } from './sipp-xml.js';

/**
 * A carrier that wants digest credentials: 407 to the INVITE (realm carrier.test, qop auth) and the call
 * only when the INVITE comes again with Proxy-Authorization (SIPp cannot check that header: the test
 * recomputes it), then 401 to the first BYE and 200 only to a BYE whose Authorization SIPp verifies for
 * `user`/`password` (403 otherwise).
 */
export function uasChallenges(user: string, password: string): string {
  const challenge = (status: string, header: string, nonce: string, to: string): string =>
    reply(
      status,
      [`${header}: Digest realm="carrier.test", nonce="${nonce}[pid][call_number]", qop="auth", algorithm=MD5`],
      to,
    );
  return wrap(
    'uas challenges',
    `<recv request="INVITE"/>
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
<Reference variables="authvalid,pa"/>`,
  );
}

/** A carrier that challenges every INVITE (the credentials are wrong): 407, ACK, as often as asked. */
export function uasChallengesForever(): string {
  return wrap(
    'uas challenges forever',
    `<label id="again"/>
<recv request="INVITE" timeout="3000" ontimeout="end"/>
${reply('407 Proxy Authentication Required', [`Proxy-Authenticate: Digest realm="carrier.test", nonce="n[pid][call_number]", algorithm=MD5`])}
<recv request="ACK"/>
<nop next="again"/>
<label id="end"/>`,
  );
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
  return wrap(
    'registrar challenges',
    `${round(1)}
${round(2)}
<label id="end"/>
<Reference variables="ok1,ok2,ct1,ct2"/>`,
  );
}

/** A registrar that is out of service: 503 to every REGISTER, until none came for 4 s. */
export function registrarUnavailable(): string {
  return wrap(
    'registrar unavailable',
    `<label id="again"/>
<recv request="REGISTER" timeout="4000" ontimeout="end"/>
${uasResponse('503 Service Unavailable')}
<nop next="again"/>
<label id="end"/>`,
  );
}

/** A registrar that finds the asked expiry too brief: 423 with Min-Expires 120, then 200 to a REGISTER asking for 120. */
export function registrarMinExpires(): string {
  return wrap(
    'registrar min-expires',
    `<recv request="REGISTER"/>
${reply('423 Interval Too Brief', ['Min-Expires: 120'])}
<recv request="REGISTER">
  <action><ereg regexp="Expires: 120" search_in="msg" check_it="true" assign_to="asked"/></action>
</recv>
${reply('200 OK', ['Expires: 120'])}
<Reference variables="asked"/>`,
  );
}
