/** dialpeers/ and profiles/: every problem at once, each with its file and JSON pointer. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadDialConfig } from '../../src/config/dial-config.js';
import { compileConfiguration } from '../../src/node/configuration.js';
import { compileDialPeers } from '../../src/routing/dial-peer.js';
import { repoRoot } from '../helpers/paths.js';

function configDir(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fosip-dial-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('dial-peer configuration', () => {
  it('loads the example configuration without a problem', () => {
    const config = loadDialConfig(repoRoot);
    assert.deepEqual(config.problems, []);
    assert.ok(config.dialPeers.length >= 3);
    const compiled = compileConfiguration(undefined, config);
    assert.deepEqual(compiled.problems, []);
    assert.ok(compiled.rewrite.sipProfiles.has(2) && compiled.rewrite.translationProfiles.has('to-carrier'));
    assert.equal(compiled.dialPlan.byTag(200)?.keepalive?.upIntervalMs, 60_000);
  });

  it('reports schema problems of every file at once', () => {
    const dir = configDir({
      'dialpeers/a.json': { tag: 0, preference: 11, sessionTransport: 'sctp', colour: 'red' },
      'dialpeers/b.json': '{ broken',
      'dialpeers/c.json': { description: 'no tag', sessionTarget: 'ipv4:1.2.3' },
      'profiles/uris.json': [
        { kind: 'uri', id: 'ok', host: ['ipv4:10.0.0.1'] },
        { kind: 'uri', id: 'both', user: 'a', pattern: 'b' },
        { kind: 'codec' },
        { kind: 'codec', tag: 2, preferences: ['g711ulaw', 'gsm'] },
        { kind: 'tone' },
      ],
    });
    const { problems } = loadDialConfig(dir);
    const where = problems.map((p) => `${path.basename(p.file)}#${p.pointer}`).sort();
    assert.deepEqual(where, [
      'a.json#',
      'a.json#/preference',
      'a.json#/sessionTransport',
      'a.json#/tag',
      'b.json#',
      'c.json#',
      'uris.json#/1',
      'uris.json#/2',
      'uris.json#/2',
      'uris.json#/3/preferences/1',
      'uris.json#/4/kind',
    ]);
    assert.ok(problems.some((p) => p.message === 'unknown field "colour"'));
    assert.ok(problems.some((p) => p.message.startsWith('not valid JSON')));
  });

  it('reports what only routing can judge: patterns, duplicate tags, unknown classes, bad regexes, targets', () => {
    const dir = configDir({
      'dialpeers/1.json': { tag: 1, destinationPattern: '12T3', sessionTarget: 'ipv4:300.1.1.1' },
      'dialpeers/2.json': { tag: 1, incomingUri: { via: 'nowhere' }, answerAddress: '[9-1]' },
      'profiles/bad.json': { kind: 'uri', id: 'bad', user: '(' },
      'dialpeers/3.json': { tag: 3, voiceClassCodec: 4 },
      'profiles/codecs.json': [
        { kind: 'codec', tag: 5, preferences: ['g711ulaw'] },
        { kind: 'codec', tag: 5, preferences: ['g722'] },
      ],
    });
    const config = loadDialConfig(dir);
    assert.deepEqual(config.problems, []);
    const { problems } = compileDialPeers(config);
    const where = problems.map((p) => `${path.basename(p.file)}#${p.pointer}`).sort();
    assert.deepEqual(where, [
      '1.json#/destinationPattern',
      '1.json#/sessionTarget',
      '2.json#/answerAddress',
      '2.json#/incomingUri/via',
      '2.json#/tag',
      '3.json#/voiceClassCodec',
      'bad.json#/user',
      'codecs.json#/1/tag',
    ]);
  });
});
