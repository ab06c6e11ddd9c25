/** Calls through the SBC between real sipp endpoints (issue: B2BUA calls routed by dial-peers). */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SbcNode } from '../../src/node/node.js';
import { type TestAppOptions, boundPort, startTestApp } from '../helpers/app.js';
import { callee, caller } from '../helpers/sipp-pair.js';
import { freePort } from '../helpers/net.js';
import {
  uacCancel,
  uacExpect,
  uacHoldResume,
  uacHungUp,
  uasCancelled,
  uasHangUp,
  uasHoldResume,
  uasRedirect,
  uasRespond,
} from '../helpers/scenarios.js';
import { uasAnswersDespiteCancel, uasForked, uasPrack, uacPrack } from '../helpers/early-dialog-scenarios.js';

async function emptied(app: SbcNode): Promise<void> {
  await eventually(() => app.callStore.size === 0, { everyMs: 10 });
  assert.equal(app.callStore.size, 0, 'the call store must be empty once calls end');
}

type CalleeOpts = Parameters<typeof callee>[0];
type CallerOpts = Parameters<typeof caller>[1];

/**
 * One call through a fresh SBC: a callee, the SBC with dial-peers made for the callee's port, a caller;
 * both sipp ends must succeed and the call store must be empty afterwards.
 */
async function throughSbc(
  calleeOpts: CalleeOpts,
  appOpts: (port: number) => TestAppOptions,
  callerOpts: CallerOpts,
  via: 'udp' | 'tcp' = 'udp',
) {
  const b = await callee(calleeOpts);
  const app = await startTestApp(appOpts(b.port));
  try {
    const a = await caller(boundPort(app, via), callerOpts);
    const bResult = await b.run;
    assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
    assert.equal(bResult.code, 0, `callee failed:\n${bResult.stderr}\n${bResult.messages.slice(-3000)}`);
    await emptied(app);
    return { a, b: bResult };
  } finally {
    await app.stop();
  }
}

describe('B2BUA calls with sipp', () => {
  it('bridges a basic call; BYE from the caller; the legs share nothing', async () => {
    const b = await callee();
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { called: '2001', holdMs: 10_000 });
      const bResult = await b.run;
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      assert.equal(bResult.code, 0, `callee failed:\n${bResult.stderr}\n${bResult.messages.slice(-3000)}`);
      const aCallId = /Call-ID: (\S+)/.exec(a.messages)?.[1] ?? '';
      const bCallId = /Call-ID: (\S+)/.exec(bResult.messages)?.[1] ?? '';
      assert.ok(aCallId && bCallId && aCallId !== bCallId, 'the legs have different Call-IDs');
      assert.ok(!bResult.messages.includes(aCallId), 'the caller Call-ID leaks to the callee');
      const aTag = /From: sipp <[^>]*>;tag=(\S+)/.exec(a.messages)?.[1] ?? 'none';
      const aPort = /Via: SIP\/2\.0\/UDP 127\.0\.0\.1:(\d+)/.exec(a.messages)?.[1] ?? 'none';
      assert.ok(!bResult.messages.includes(aTag), 'the caller From tag leaks to the callee');
      assert.ok(!bResult.messages.includes(`:${aPort}`), 'the caller address leaks to the callee');
      await emptied(app);
    } finally {
      await app.stop();
    }
  });
});

describe('B2BUA call flows with sipp scenarios', () => {
  const dp = (port: number, extra: Record<string, unknown> = {}) => ({
    tag: 10,
    destinationPattern: '2...',
    sessionTarget: `ipv4:127.0.0.1:${port}`,
    ...extra,
  });

  it('relays the callee hanging up (BYE from the callee)', async () => {
    const { a, b } = await throughSbc({ scenario: uasHangUp() }, (port) => ({ dialPeers: [dp(port)] }), {
      scenario: uacHungUp(),
    });
    const callerPort = /Via: SIP\/2\.0\/UDP 127\.0\.0\.1:(\d+)/.exec(a.messages)?.[1] ?? 'none';
    assert.ok(!b.messages.includes(`:${callerPort}`), 'the caller address leaks to the callee');
  });

  it('passes a 486 from the callee to the caller', async () => {
    await throughSbc({ scenario: uasRespond('486 Busy Here') }, (port) => ({ dialPeers: [dp(port)] }), {
      scenario: uacExpect(486),
    });
  });

  it('answers 404 when no outbound dial-peer matches', async () => {
    const app = await startTestApp({ dialPeers: [dp(9)] });
    try {
      const a = await caller(boundPort(app, 'udp'), { scenario: uacExpect(404), called: '3001' });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  it('answers 503 with a Warning once max-conn is reached', async () => {
    const b = await callee({ calls: 1 });
    const app = await startTestApp({ dialPeers: [dp(b.port, { maxConn: 1 })] });
    try {
      const first = caller(boundPort(app, 'udp'), { holdMs: 5000 }); // up until the second call has had its 503
      await eventually(() => app.b2bua.callCount > 0);
      const second = await caller(boundPort(app, 'udp'), { scenario: uacExpect(503) });
      assert.equal(second.code, 0, `second caller failed:\n${second.stderr}\n${second.messages.slice(-3000)}`);
      assert.match(second.messages, /Warning: 399 fosip-test "Maximum Number of Connections reached for dial-peer 10"/);
      assert.equal((await first).code, 0);
      await b.run;
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  it('cancels: the callee gets the CANCEL, the caller gets 487', async () => {
    await throughSbc({ scenario: uasCancelled() }, (port) => ({ dialPeers: [dp(port)] }), { scenario: uacCancel() });
  });

  it('maps a 488 to 500 as CUBE does, and passes it unchanged with errorPassThrough', async () => {
    for (const [passThrough, expected] of [
      [false, 500],
      [true, 488],
    ] as const) {
      const b = await callee({ scenario: uasRespond('488 Not Acceptable Here', false) });
      const app = await startTestApp({ dialPeers: [dp(b.port)], errorPassThrough: passThrough });
      try {
        const a = await caller(boundPort(app, 'udp'), { scenario: uacExpect(expected) });
        assert.equal(
          a.code,
          0,
          `caller failed (pass-through ${passThrough}):\n${a.stderr}\n${a.messages.slice(-3000)}`,
        );
        assert.equal((await b.run).code, 0);
        await emptied(app);
      } finally {
        await app.stop();
      }
    }
  });

  it('handles the CANCEL/200 race: the caller gets 487, the answered callee gets ACK and BYE', async () => {
    await throughSbc({ scenario: uasAnswersDespiteCancel() }, (port) => ({ dialPeers: [dp(port)] }), {
      scenario: uacCancel(),
    });
  });

  it('relays a rejection after ringing', async () => {
    await throughSbc({ scenario: uasRespond('603 Decline') }, (port) => ({ dialPeers: [dp(port)] }), {
      scenario: uacExpect(603),
    });
  });

  it('relays hold and resume re-INVITEs, then INFO and UPDATE, inside the dialog', async () => {
    await throughSbc({ scenario: uasHoldResume() }, (port) => ({ dialPeers: [dp(port)] }), {
      scenario: uacHoldResume(),
    });
  });
});

describe('B2BUA hunting and transports with sipp', () => {
  // short timers so that Timer B (64*T1) fires in 3.2 s
  const timers = { T1: 50, T2: 400, T4: 500 };

  it('hunts to the next dial-peer when the first target never answers (Timer B)', async () => {
    const silent = await freePort('udp'); // nothing listens there
    const b = await callee();
    const app = await startTestApp({
      timers,
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${silent}`, preference: 0 },
        { tag: 2, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, preference: 1 },
      ],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { holdMs: 500 });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      assert.equal((await b.run).code, 0);
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  it('hunts to the next dial-peer on 503, and not past a huntstop dial-peer', async () => {
    const busy = await callee({ scenario: uasRespond('503 Service Unavailable', false) });
    const b = await callee();
    const app = await startTestApp({
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${busy.port}`, preference: 0 },
        { tag: 2, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, preference: 1 },
      ],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { holdMs: 500 });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      assert.equal((await busy.run).code, 0);
      assert.equal((await b.run).code, 0);
      await emptied(app);
    } finally {
      await app.stop();
    }
    const busy2 = await callee({ scenario: uasRespond('503 Service Unavailable', false) });
    const stop = await startTestApp({
      dialPeers: [
        {
          tag: 1,
          destinationPattern: '2...',
          sessionTarget: `ipv4:127.0.0.1:${busy2.port}`,
          preference: 0,
          huntstop: true,
        },
        { tag: 2, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, preference: 1 },
      ],
    });
    try {
      const a = await caller(boundPort(stop, 'udp'), { scenario: uacExpect(503) });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      await emptied(stop);
    } finally {
      await stop.stop();
    }
  });

  it('hunts on a status added to calls.huntStatuses', async () => {
    const busy = await callee({ scenario: uasRespond('486 Busy Here', false) });
    const b = await callee();
    const app = await startTestApp({
      huntStatuses: [486, 503],
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${busy.port}`, preference: 0 },
        { tag: 2, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, preference: 1 },
      ],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { holdMs: 300 });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      assert.equal((await b.run).code, 0);
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  it('reaches a dns: session target (A/AAAA of localhost, an address we can send from)', async () => {
    const b = await callee();
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `dns:localhost:${b.port}` }],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { holdMs: 300 });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      assert.equal((await b.run).code, 0);
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  it('hunts past a dns: target that does not resolve', async () => {
    const b = await callee();
    const app = await startTestApp({
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: 'dns:no-such-host.invalid:5060', preference: 0 },
        { tag: 2, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, preference: 1 },
      ],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { holdMs: 300 });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      assert.equal((await b.run).code, 0);
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  it('follows a 302 from the callee to the Contact it names', async () => {
    const second = await callee();
    const first = await callee({ scenario: uasRedirect(second.port) });
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${first.port}` }],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { holdMs: 300 });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      assert.equal((await first.run).code, 0);
      const s = await second.run;
      assert.equal(s.code, 0);
      assert.match(s.messages, /INVITE sip:2002@127\.0\.0\.1/);
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  it('does not hunt on 486 (user busy)', async () => {
    const busy = await callee({ scenario: uasRespond('486 Busy Here', false) });
    const app = await startTestApp({
      dialPeers: [
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${busy.port}`, preference: 0 },
        { tag: 2, destinationPattern: '2...', sessionTarget: 'ipv4:127.0.0.1:9', preference: 1 },
      ],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { scenario: uacExpect(486) });
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  for (const [from, to] of [
    ['udp', 'tcp'],
    ['tcp', 'udp'],
  ] as const) {
    it(`bridges a caller on ${from.toUpperCase()} to a callee on ${to.toUpperCase()}`, async () => {
      const b = await callee({ transport: to, scenario: uasHangUp() });
      const app = await startTestApp({
        dialPeers: [
          { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}`, sessionTransport: to },
        ],
      });
      try {
        const a = await caller(boundPort(app, from), { transport: from, scenario: uacHungUp() });
        const bResult = await b.run;
        assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-3000)}`);
        assert.equal(bResult.code, 0, `callee failed:\n${bResult.stderr}\n${bResult.messages.slice(-3000)}`);
        await emptied(app);
      } finally {
        await app.stop();
      }
    });
  }
});

describe('B2BUA early dialogs with sipp', () => {
  it('carries 100rel end to end: the reliable 180 and its PRACK (RAck remapped to the callee leg)', async () => {
    const b = await callee({ scenario: uasPrack() });
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { scenario: uacPrack() });
      const bResult = await b.run;
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-4000)}`);
      assert.equal(bResult.code, 0, `callee failed:\n${bResult.stderr}\n${bResult.messages.slice(-4000)}`);
      await emptied(app);
    } finally {
      await app.stop();
    }
  });

  it('shows a forking far end as two early dialogs and confirms the one that answered', async () => {
    const b = await callee({ scenario: uasForked() });
    const app = await startTestApp({
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${b.port}` }],
    });
    try {
      const a = await caller(boundPort(app, 'udp'), { holdMs: 300 });
      const bResult = await b.run;
      assert.equal(a.code, 0, `caller failed:\n${a.stderr}\n${a.messages.slice(-4000)}`);
      assert.equal(bResult.code, 0, `callee failed:\n${bResult.stderr}\n${bResult.messages.slice(-4000)}`);
      const tags = (status: string) =>
        [...a.messages.matchAll(new RegExp(`SIP/2\\.0 ${status}[\\s\\S]*?To: [^\\r\\n]*;tag=([^\\s;>]+)`, 'g'))].map(
          (m) => m[1],
        );
      const ringing = [...new Set(tags('180'))];
      assert.equal(ringing.length, 2, 'two early dialogs toward the caller');
      assert.equal(tags('200 OK')[0], ringing[1], 'the answer confirms the second fork');
      await emptied(app);
    } finally {
      await app.stop();
    }
  });
});
