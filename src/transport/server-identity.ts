/**
 * Whether a TLS server's certificate names the server we meant to reach (CUBE `cn-san validate server`).
 * RFC 5922 §7.1: a SIP domain certificate names its domain as a `sip:` URI subjectAltName or as a DNS
 * subjectAltName (the common name only when there are none); an address is matched against IP
 * subjectAltNames. Node's check covers DNS, IP and the common name; the `sip:` URI form is added here.
 */
import net from 'node:net';
import tls from 'node:tls';

export function serverIdentityError(name: string, cert: tls.PeerCertificate): Error | undefined {
  const err = tls.checkServerIdentity(name, cert);
  if (err === undefined) return undefined;
  const wanted = `uri:sip:${name.toLowerCase()}`;
  const sans = (cert.subjectaltname ?? '').split(/,\s*/).map((s) => s.toLowerCase());
  return sans.includes(wanted) ? undefined : err;
}

/** The SNI a client sends for `name`: none for an address (RFC 6066 §3 allows host names only). */
export function sniFor(name: string): string | undefined {
  return net.isIP(name) === 0 ? name : undefined;
}
