import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repo root (tests run from dist/test/..., sources live beside it). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `../shared` beside the clone, as CI lays it out; FOSIP_SHARED overrides. */
export const sharedDir = process.env['FOSIP_SHARED'] ?? path.resolve(repoRoot, '..', 'shared');
export const tortureDir = path.join(sharedDir, 'conformance', 'sip-torture');
export const realPeersDir = path.join(sharedDir, 'conformance', 'real-peers');
