import fs from 'node:fs';
import path from 'node:path';
import { realPeersDir, tortureDir } from './paths.js';

export interface ManifestRow {
  file: string;
  section: string;
  validity: 'valid' | 'invalid';
  expected: string;
}

export function readManifest(): ManifestRow[] {
  const text = fs.readFileSync(path.join(tortureDir, 'MANIFEST.tsv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [file = '', section = '', validity = '', expected = ''] = line.split('\t');
      return { file, section, validity: validity === 'valid' ? 'valid' : 'invalid', expected };
    });
}

export function tortureMessage(file: string): Buffer {
  return fs.readFileSync(path.join(tortureDir, file));
}

export function realPeerFiles(): string[] {
  return fs
    .readdirSync(realPeersDir)
    .filter((f) => f.endsWith('.sip'))
    .sort();
}

export function realPeerMessage(file: string): Buffer {
  return fs.readFileSync(path.join(realPeersDir, file));
}
