/** Certificates made with openssl for one test run. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** A self-signed certificate (its own CA) for 127.0.0.1 unless `san` says otherwise, made with openssl for this run. */
export function certificate(dir: string, name: string, san = 'IP:127.0.0.1'): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${san}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}
