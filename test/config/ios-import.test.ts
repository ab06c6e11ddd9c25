/** `fosip import ios` on single blocks: what each IOS line becomes, and what is reported. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importIos } from '../../src/config/ios-import.js';
import { decodeType7 } from '../../src/config/ios-import-global.js';
import { iosRegex } from '../../src/config/ios-words.js';

describe('IOS import', () => {
  it('reads a voip dial-peer, every setting FoSIP has', () => {
    const r = importIos(
      [
        'dial-peer voice 200 voip',
        ' description to the carrier',
        ' destination-pattern +1[2-9]..[2-9]......$',
        ' session protocol sipv2',
        ' session target dns:sbc.carrier.example:5061',
        ' session transport tcp tls',
        ' voice-class codec 3',
        ' voice-class sip profiles 2',
        ' voice-class sip profiles 4 inbound',
        ' voice-class sip options-keepalive profile 1',
        ' voice-class sip early-offer forced',
        ' translation-profile outgoing TO-CARRIER',
        ' preference 2',
        ' huntstop',
        ' max-conn 10',
        ' media flow-around',
        ' dtmf-relay sip-info rtp-nte',
        ' incoming uri via PBX',
        ' incoming called-number 555....',
        ' answer-address 1...',
        ' shutdown',
        '!',
      ].join('\n'),
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.dialPeers, [
      {
        tag: 200,
        description: 'to the carrier',
        destinationPattern: '+1[2-9]..[2-9]......$',
        sessionTarget: 'dns:sbc.carrier.example:5061',
        sessionTransport: 'tls',
        voiceClassCodec: 3,
        sipProfiles: 2,
        sipProfilesInbound: 4,
        optionsKeepaliveProfile: 1,
        earlyOfferForced: true,
        translationProfile: { outgoing: 'TO-CARRIER' },
        preference: 2,
        huntstop: true,
        maxConn: 10,
        media: 'flow-around',
        dtmfRelay: ['sip-info', 'rtp-nte'],
        incomingUri: { via: 'PBX' },
        incomingCalledNumber: '555....',
        answerAddress: '1...',
        shutdown: true,
      },
    ]);
  });

  it('reads classes: codec preferences in order, uri hosts, SIP-profile rules, keepalive, translation rules and profiles', () => {
    const r = importIos(
      [
        'voice class codec 1',
        ' codec preference 2 g729br8',
        ' codec preference 1 g711alaw',
        '!',
        'voice class uri PBX sip',
        ' host ipv4:10.0.0.1',
        ' host dns:pbx.example',
        '!',
        'voice class uri USERS sip',
        ' user-id ^1...',
        '!',
        'voice class sip-profiles 7',
        ' request INVITE sip-header X-Site add "X-Site: berlin"',
        ' response 180 sip-header Server remove',
        ' request ANY peer-header sip From copy "sip:(.*)@" u01',
        ' response ANY sip-header SIP-StatusLine modify "Ringing" "Alerting"',
        '!',
        'voice class sip-options-keepalive 3',
        ' up-interval 20',
        ' down-interval 5',
        ' retry 3',
        ' transport tcp tls',
        '!',
        'voice translation-rule 9',
        ' rule 1 /^0\\(.*\\)/ /+49\\1/',
        ' rule 2 reject /^0900/',
        '!',
        'voice translation-profile IN',
        ' translate called 9',
        ' translate redirect-called 9',
        '!',
      ].join('\n'),
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.codecClasses, [{ kind: 'codec', tag: 1, preferences: ['g711alaw', 'g729r8'] }]);
    assert.deepEqual(r.uriClasses, [
      { kind: 'uri', id: 'PBX', host: ['ipv4:10.0.0.1', 'dns:pbx.example'] },
      { kind: 'uri', id: 'USERS', user: '^1...' },
    ]);
    assert.deepEqual(r.sipProfiles[0]?.rules, [
      { rule: 10, request: 'INVITE', sipHeader: 'X-Site', add: 'berlin' },
      { rule: 20, response: 180, sipHeader: 'Server', remove: true },
      { rule: 30, request: 'ANY', peerHeader: 'From', copy: { match: 'sip:(.*)@', to: 'u01' } },
      { rule: 40, response: 'ANY', statusLine: true, modify: { match: 'Ringing', replace: 'Alerting' } },
    ]);
    assert.deepEqual(r.keepaliveProfiles, [
      { kind: 'sip-options-keepalive', tag: 3, upInterval: 20, downInterval: 5, retry: 3, transport: 'tls' },
    ]);
    assert.deepEqual(r.translationRules, [
      {
        kind: 'translation-rule',
        tag: 9,
        rules: [
          { rule: 1, match: '^0(.*)', replace: '+49\\1' },
          { rule: 2, reject: '^0900' },
        ],
      },
    ]);
    assert.deepEqual(r.translationProfiles, [
      { kind: 'translation-profile', name: 'IN', translate: { called: 9, redirectCalled: 9 } },
    ]);
  });

  it('reports what it cannot translate, with the line number, and never invents a setting', () => {
    const r = importIos(
      [
        'hostname cube',
        'dial-peer voice 5 voip',
        ' codec g723r63',
        ' fax rate disable',
        ' session target sip-server',
        '!',
        'dial-peer voice 6 pots',
        ' port 0/1/0',
      ].join('\n'),
    );
    assert.deepEqual(
      r.problems.map((p) => p.line),
      [1, 3, 4, 5, 7],
    );
    assert.deepEqual(r.dialPeers, [{ tag: 5 }]);
    assert.match(r.problems[1]?.why ?? '', /codec g723r63 is not one FoSIP knows/);
  });

  it('turns IOS regex groups into FoSIP ones and bare parentheses into literals', () => {
    assert.equal(iosRegex('^9\\(..........\\)$'), '^9(..........)$');
    assert.equal(iosRegex('^(555)'), '^\\(555\\)');
    assert.equal(iosRegex('^\\+1'), '^\\+1');
  });

  it('reads the trusted list of voice service voip and sip-ua (type 0 and 7 passwords, registrars) for fosip.json', () => {
    const r = importIos(
      [
        'voice service voip',
        ' ip address trusted list',
        '  ipv4 10.20.0.0 255.255.0.0',
        '  ipv4 192.0.2.7',
        '  ipv4 10.1.0.0 255.0.255.0',
        '  ipv6 2001:db8::/32',
        ' mode border-element',
        ' allow-connections sip to sip',
        ' sip',
        '  early-offer forced',
        '!',
        'sip-ua',
        ' credentials username +15551230000 password 7 0822455D0A16 realm carrier.example',
        ' authentication username trunk password 0 s3cret',
        ' authentication username other password 6 QWERTYhidden',
        ' registrar 1 dns:sbc.carrier.example:5061 expires 600 tcp tls',
        ' registrar 2 ipv4:192.0.2.10',
        ' retry register 5',
        '!',
      ].join('\n'),
    );
    assert.deepEqual(r.settings, {
      trustedList: ['10.20.0.0/16', '192.0.2.7/32', '2001:db8::/32'],
      sipUa: {
        credentials: [{ username: '+15551230000', password: 'cisco', realm: 'carrier.example' }],
        authentication: [{ username: 'trunk', password: 's3cret' }],
        registrar: [
          { target: 'dns:sbc.carrier.example:5061', expires: 600, transport: 'tls' },
          { target: 'ipv4:192.0.2.10' },
        ],
      },
    });
    assert.deepEqual(
      r.problems.map((p) => [p.line, p.why.replace(/:.*/, '')]),
      [
        [5, '255.0.255.0 is not a network mask'],
        [10, 'not imported'],
        [13, 'imported with the type 7 password decoded'],
        [15, 'a type 6 password cannot be read back'],
        [18, 'not imported'],
      ],
    );
  });

  it('decodes type 7 passwords (a fixed key: obfuscation, not encryption) and refuses what is not one', () => {
    assert.equal(decodeType7('0822455D0A16'), 'cisco');
    assert.equal(decodeType7('08'), '');
    assert.equal(decodeType7('ZZ1234'), null);
    assert.equal(decodeType7('0822455D0A1'), null);
  });
});
