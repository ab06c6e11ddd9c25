import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerCertificate } from 'node:tls';
import { serverIdentityError, sniFor } from '../../src/transport/server-identity.js';

/** The parts of a peer certificate that name it. */
function cert(cn: string, san?: string): PeerCertificate {
  return { subject: { CN: cn }, ...(san !== undefined ? { subjectaltname: san } : {}) } as unknown as PeerCertificate;
}

describe('server identity (RFC 5922 §7.1)', () => {
  it('accepts a DNS subjectAltName naming the server, case-insensitively', () => {
    assert.equal(serverIdentityError('sip.carrier.example', cert('x', 'DNS:SIP.Carrier.example')), undefined);
  });

  it('refuses a certificate naming another host', () => {
    assert.ok(serverIdentityError('sip.carrier.example', cert('x', 'DNS:evil.example')) instanceof Error);
  });

  it('accepts a sip: URI subjectAltName naming the domain', () => {
    assert.equal(
      serverIdentityError('carrier.example', cert('x', 'URI:sip:carrier.example, DNS:other.example')),
      undefined,
    );
  });

  it('matches an address against IP subjectAltNames only', () => {
    assert.equal(serverIdentityError('127.0.0.1', cert('x', 'IP Address:127.0.0.1')), undefined);
    assert.ok(serverIdentityError('127.0.0.2', cert('127.0.0.2', 'DNS:localhost')) instanceof Error);
  });

  it('takes the common name only when there is no subjectAltName', () => {
    assert.equal(serverIdentityError('sbc.example', cert('sbc.example')), undefined);
    assert.ok(serverIdentityError('sbc.example', cert('sbc.example', 'DNS:other.example')) instanceof Error);
  });

  it('sends SNI for a host name, never for an address (RFC 6066 §3)', () => {
    assert.equal(sniFor('sip.carrier.example'), 'sip.carrier.example');
    assert.equal(sniFor('127.0.0.1'), undefined);
    assert.equal(sniFor('::1'), undefined);
  });
});
