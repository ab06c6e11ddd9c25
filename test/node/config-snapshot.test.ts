/** What a node serves of its configuration: everything `show` needs, and never a password. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Settings } from '../../src/config/settings.js';
import { configSnapshot } from '../../src/node/config-snapshot.js';
import { dialConfig } from '../../src/config/dial-config.js';

const settings: Settings = {
  configDir: '/etc/fosip',
  listen: ['udp:127.0.0.1:5060'],
  admin: null,
  hostname: 'edge1',
  logLevel: 'info',
  redis: 'redis://fosip:s3cret@127.0.0.1:6379/0',
  redisOptions: { password: 's3cret', sentinelPassword: 's3cret', connectTimeout: 1000 },
  transport: {},
  timers: {},
  calls: {},
  media: {},
  sipUa: {
    authentication: [{ username: 'u', password: 's3cret', realm: 'carrier.net' }],
    credentials: [{ username: '+15551230000', password: 's3cret' }],
  },
};

describe('config snapshot', () => {
  it('hides every password and keeps the rest', () => {
    const snap = configSnapshot(
      'edge1',
      settings,
      dialConfig({
        dialPeers: [
          {
            file: '/etc/fosip/dialpeers/1.json',
            pointer: '',
            value: { tag: 1, destinationPattern: '2...', authentication: { username: 'trunk', password: 's3cret' } },
          },
        ],
      }),
    );
    const text = JSON.stringify(snap);
    assert.doesNotMatch(text, /s3cret/);
    assert.equal(snap.settings.redis, 'redis://fosip:********@127.0.0.1:6379/0');
    assert.equal(snap.settings.redisOptions['connectTimeout'], 1000);
    assert.equal(snap.settings.sipUa?.authentication?.[0]?.username, 'u');
    assert.equal(snap.dialConfig.dialPeers[0]?.value.authentication?.username, 'trunk');
    assert.equal(snap.dialConfig.dialPeers[0]?.value.destinationPattern, '2...');
    assert.equal(snap.node, 'edge1');
  });
});
