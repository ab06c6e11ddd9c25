/**
 * /metrics, /healthz and /readyz with real SIPp calls: the counters move as calls start and end (answered,
 * failed, rejected), the setup histogram and the per-dial-peer counts follow, RTP ports and packets show
 * while media flows; promtool accepts the alert rules, and the dashboard asks only for metrics that exist.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { boundPort, startTestApp } from '../helpers/app.js';
import { freePort, freeUdpBlock } from '../helpers/net.js';
import { repoRoot } from '../helpers/paths.js';
import { digitCall } from '../helpers/pcap-scenarios.js';
import { uacExpect, uasRespond } from '../helpers/scenarios.js';
import { callee, caller } from '../helpers/sipp-pair.js';

/** The value of one sample (`name{labels} value`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries(
      (m[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=').map((x) => x.replace(/"/g, '')) as [string, string]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return NaN; // a missing series is not a zero: an assertion on it fails
}

describe('Prometheus metrics and health endpoints', () => {
  it('move with SIPp calls: active, ended by outcome, setup time, per dial-peer, RTP ports and packets', async () => {
    const adminPort = await freePort('tcp');
    const answering = await callee({ extra: ['-rtp_echo', '-mp', String(await freeUdpBlock())] });
    const busy = await callee({ scenario: uasRespond('486 Busy Here') });
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      dialPeers: [
        { tag: 10, incomingCalledNumber: '.T' },
        { tag: 1, destinationPattern: '2...', sessionTarget: `ipv4:127.0.0.1:${answering.port}` },
        { tag: 2, destinationPattern: '3...', sessionTarget: `ipv4:127.0.0.1:${busy.port}` },
      ],
    });
    const scrape = async (): Promise<string> => {
      const res = await fetch(`http://127.0.0.1:${adminPort}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      return res.text();
    };
    try {
      const before = await scrape();
      assert.equal(sample(before, 'sbc_calls_active'), 0);
      assert.ok(sample(before, 'sbc_rtp_ports') > 0);
      assert.match(before, /^process_cpu_seconds_total /m, 'Node default metrics');
      assert.match(before, /^sbc_event_loop_lag_seconds /m);
      // every series exists before the first call, at 0 (a rate() or an alert has something to read)
      for (const outcome of ['answered', 'cancelled', 'rejected', 'failed_4xx', 'failed_5xx', 'failed_6xx'])
        assert.equal(sample(before, 'sbc_calls_total', { outcome }), 0, outcome);
      for (const tag of ['1', '2', '10']) {
        assert.equal(sample(before, 'sbc_dialpeer_up', { tag }), 1, `dial-peer ${tag} (no keepalive) is up`);
        for (const direction of ['in', 'out']) {
          assert.equal(sample(before, 'sbc_calls_per_dialpeer_total', { tag, direction }), 0, `${tag} ${direction}`);
          assert.equal(
            sample(before, 'sbc_dialpeer_active_calls', { tag, direction }),
            0,
            `${tag} ${direction} active`,
          );
        }
      }
      for (const method of ['INVITE', 'BYE', 'OPTIONS'])
        assert.equal(
          sample(before, 'sbc_sip_messages_total', { direction: 'in', kind: 'request', method_or_class: method }),
          0,
        );
      assert.equal(
        sample(before, 'sbc_sip_messages_total', { direction: 'out', kind: 'response', method_or_class: '5xx' }),
        0,
      );
      assert.equal(sample(before, 'sbc_shield_headers_dropped_total', { reason: 'malformed' }), 0);
      assert.equal(sample(before, 'sbc_call_setup_seconds_count'), 0);
      assert.equal(sample(before, 'sbc_registrations', { state: 'failed' }), 0);
      assert.equal(sample(before, 'sbc_admission_rejected_total', { reason: 'total-calls' }), 0);

      // an RFC 2833 digit in RTP, then 2.5 s of call
      const call = caller(boundPort(app, 'udp'), {
        scenario: digitCall(0, 2500),
        extra: ['-mp', String(await freeUdpBlock())],
      });
      await eventually(() => app.callStore.list().some((c) => c.state === 'connected'));
      const during = await scrape();
      assert.equal(sample(during, 'sbc_calls_active'), 1);
      assert.equal(sample(during, 'sbc_dialpeer_active_calls', { tag: '10', direction: 'in' }), 1);
      assert.equal(sample(during, 'sbc_dialpeer_active_calls', { tag: '1', direction: 'out' }), 1);
      assert.equal(sample(during, 'sbc_rtp_ports_in_use'), 4, 'two pairs: one facing each leg');
      assert.equal(sample(during, 'sbc_call_setup_seconds_count'), 1, 'the setup time counts at the answer');
      assert.equal((await call).code, 0);

      const failed = await caller(boundPort(app, 'udp'), { scenario: uacExpect(486), called: '3001' });
      assert.equal(failed.code, 0, failed.stderr);
      const rejected = await caller(boundPort(app, 'udp'), { scenario: uacExpect(404), called: '9001' });
      assert.equal(rejected.code, 0, rejected.stderr);
      await eventually(() => app.b2bua.callCount === 0);

      const after = await scrape();
      assert.equal(sample(after, 'sbc_calls_active'), 0);
      assert.equal(sample(after, 'sbc_calls_total', { outcome: 'answered' }), 1);
      assert.equal(sample(after, 'sbc_calls_total', { outcome: 'failed_4xx' }), 1);
      assert.equal(sample(after, 'sbc_calls_total', { outcome: 'rejected' }), 1);
      assert.equal(sample(after, 'sbc_call_setup_seconds_count'), 1, 'only the answered call has a setup time');
      assert.ok(sample(after, 'sbc_call_setup_seconds_sum') > 0);
      assert.equal(sample(after, 'sbc_calls_per_dialpeer_total', { tag: '10', direction: 'in' }), 3);
      assert.equal(sample(after, 'sbc_calls_per_dialpeer_total', { tag: '1', direction: 'out' }), 1);
      assert.equal(sample(after, 'sbc_calls_per_dialpeer_total', { tag: '2', direction: 'out' }), 1);
      assert.equal(sample(after, 'sbc_rtp_ports_in_use'), 0, 'the ports are back');
      assert.ok(sample(after, 'sbc_rtp_packets_total', { direction: 'in' }) > 0, 'RTP was relayed');
      assert.ok(sample(after, 'sbc_rtp_packets_total', { direction: 'out' }) > 0);
      assert.ok(sample(after, 'sbc_rtp_jitter_seconds_count') >= 2, 'each relayed stream leg gives its jitter');
      assert.equal(
        sample(after, 'sbc_sip_messages_total', { direction: 'in', kind: 'request', method_or_class: 'INVITE' }),
        3,
      );
      assert.ok(
        sample(after, 'sbc_sip_messages_total', { direction: 'out', kind: 'response', method_or_class: '2xx' }) >= 1,
      );
      assert.doesNotMatch(after, /call_?id|calledNumber|sip:/i, 'no unbounded label (call, number, URI)');

      assert.equal((await fetch(`http://127.0.0.1:${adminPort}/healthz`)).status, 200);
      const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
      assert.equal(ready.status, 200);
      app.responder.draining = true;
      const draining = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
      assert.equal(draining.status, 503);
      assert.deepEqual(((await draining.json()) as { reasons: string[] }).reasons, ['draining']);
    } finally {
      await app.stop();
      answering.kill();
      busy.kill();
    }
  });

  it('promtool accepts the alert rules and the scrape config, and the dashboard asks only for metrics FoSIP exports', async () => {
    const dir = path.join(repoRoot, 'deploy', 'prometheus');
    const rules = spawnSync('promtool', ['check', 'rules', path.join(dir, 'alerts.yml')], { encoding: 'utf8' });
    assert.equal(rules.status, 0, `${rules.stdout}${rules.stderr}`);
    const config = spawnSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' });
    assert.equal(config.status, 0, `${config.stdout}${config.stderr}`);
    // the alerts' own unit tests: Redis errors, registration failures, admission rejects fire as they should
    const unit = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir, encoding: 'utf8' });
    assert.equal(unit.status, 0, `${unit.stdout}${unit.stderr}`);
    assert.match(unit.stdout, /SUCCESS/);
    const adminPort = await freePort('tcp');
    const app = await startTestApp({
      admin: `127.0.0.1:${adminPort}`,
      dialPeers: [{ tag: 1, destinationPattern: '2...', sessionTarget: 'ipv4:127.0.0.1:5999' }],
    });
    try {
      const scraped = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
      const exported = new Set(
        [...scraped.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap((m) => {
          const name = m[1] as string;
          return m[2] === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
        }),
      );
      const dashboard = JSON.parse(
        fs.readFileSync(path.join(repoRoot, 'deploy', 'grafana', 'fosip-dashboard.json'), 'utf8'),
      ) as {
        panels: Array<{ targets: Array<{ expr: string }> }>;
        templating: { list: Array<{ name: string; query: { query: string } }> };
      };
      // one node or several: every FoSIP series the dashboard reads is narrowed by its instance variable
      const instance = dashboard.templating.list.find((v) => v.name === 'instance');
      assert.match(instance?.query.query ?? '', /^label_values\(sbc_\w+, instance\)$/);
      for (const expr of dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)))
        for (const m of expr.matchAll(/\bsbc_[a-z_]+(\{[^}]*\})?/g))
          assert.match(m[1] ?? '', /instance=~"\$instance"/, `${m[0]} in ${expr}`);
      const alerts = fs.readFileSync(path.join(dir, 'alerts.yml'), 'utf8');
      const used = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), alerts].flatMap((e) =>
        [...e.matchAll(/\b(sbc_[a-z_]+)/g)].map((m) => m[1] as string),
      );
      // FoSIP's own families (prom-client's nodejs_active_*_total gauges draw promtool's _total warning: theirs)
      const ours = scraped
        .split('\n')
        .filter((l) => /^(# (HELP|TYPE) )?sbc_/.test(l))
        .join('\n');
      assert.match(ours, /^# TYPE sbc_calls_total counter$/m);
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: `${ours}\n`, encoding: 'utf8' });
      assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
      assert.equal(`${lint.stdout}${lint.stderr}`.trim(), '', 'and has nothing to say');
      assert.ok(used.length > 10);
      for (const name of used) assert.ok(exported.has(name), `${name} is used but not exported`);
    } finally {
      await app.stop();
    }
  });
});
