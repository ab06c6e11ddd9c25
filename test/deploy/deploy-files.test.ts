/**
 * The deployment files in deploy/: systemd-analyze verifies the unit; the Kubernetes manifests and the
 * compose file are read as YAML and checked against what each kind needs (kubectl's client dry-run asks an
 * API server for its schemas, which a test machine does not have); the Dockerfile runs as non-root with a
 * health check on /healthz.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import { SETTINGS_SCHEMA, isLoopbackAddress } from '../../src/config/settings.js';
import { repoRoot } from '../helpers/paths.js';

const deploy = path.join(repoRoot, 'deploy');

type Obj = Record<string, unknown>;
const obj = (v: unknown, what: string): Obj => {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `${what} is an object`);
  return v as Obj;
};
const list = (v: unknown, what: string): unknown[] => {
  assert.ok(Array.isArray(v), `${what} is a list`);
  return v;
};

/** Every document of a YAML file, each parsed without error. */
function yamlDocuments(file: string): Obj[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  return docs.map((d, i) => {
    assert.deepEqual(
      d.errors.map((e) => e.message),
      [],
      `${file} document ${i}`,
    );
    return obj(d.toJS(), `${file} document ${i}`);
  });
}

/** The checks a Kubernetes object must pass: identity, and for workloads a selector that matches the pod template and containers with images. */
function checkKubernetesObject(o: Obj, where: string): void {
  assert.match(String(o['apiVersion']), /^(v1|apps\/v1|policy\/v1)$/, `${where}: apiVersion`);
  const kind = String(o['kind']);
  assert.ok(
    ['Namespace', 'ConfigMap', 'Service', 'StatefulSet', 'DaemonSet', 'Deployment', 'PodDisruptionBudget'].includes(
      kind,
    ),
    `${where}: kind ${kind}`,
  );
  const meta = obj(o['metadata'], `${where}.metadata`);
  assert.match(String(meta['name']), /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${where}: metadata.name`);
  if (kind !== 'Namespace') assert.equal(meta['namespace'], 'fosip', `${where}: namespace`);
  if (['StatefulSet', 'DaemonSet', 'Deployment'].includes(kind)) {
    const spec = obj(o['spec'], `${where}.spec`);
    const selector = obj(obj(spec['selector'], `${where} selector`)['matchLabels'], `${where} matchLabels`);
    const template = obj(spec['template'], `${where}.template`);
    const labels = obj(obj(template['metadata'], `${where} template metadata`)['labels'], `${where} template labels`);
    for (const [k, v] of Object.entries(selector))
      assert.equal(labels[k], v, `${where}: the selector matches the pod template`);
    const pod = obj(template['spec'], `${where} pod spec`);
    for (const c of list(pod['containers'], `${where} containers`)) {
      const container = obj(c, `${where} container`);
      assert.match(String(container['name']), /^[a-z0-9-]+$/);
      assert.ok(typeof container['image'] === 'string' && container['image'] !== '', `${where}: container image`);
    }
  }
  if (kind === 'ConfigMap')
    for (const v of Object.values(obj(o['data'], `${where}.data`))) assert.equal(typeof v, 'string');
}

describe('deployment files', () => {
  it('systemd-analyze verifies the unit, which raises the file-descriptor limit and drains on stop', () => {
    const unit = path.join(deploy, 'systemd', 'fosip.service');
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'systemd-analyze runs (package systemd)');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '', 'no warning either');
    const text = fs.readFileSync(unit, 'utf8');
    assert.match(text, /^LimitNOFILE=\d{6,}$/m);
    assert.match(text, /^User=fosip$/m, 'not root');
    assert.match(text, /^KillSignal=SIGTERM$/m);
    assert.match(text, /^TimeoutStopSec=(\d+)$/m);
    assert.ok(Number(/^TimeoutStopSec=(\d+)$/m.exec(text)?.[1]) > 60, 'longer than the default drain grace time');
  });

  it('the Kubernetes manifests: valid objects, FoSIP with host networking, readiness on /readyz, Redis through Sentinel', () => {
    const dir = path.join(deploy, 'kubernetes');
    const objects = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .flatMap((f) => yamlDocuments(path.join(dir, f)).map((o, i) => ({ o, where: `${f}#${i}` })));
    for (const { o, where } of objects) checkKubernetesObject(o, where);
    // kubectl apply -f deploy/kubernetes/ applies the files in name order: the namespace must come first
    assert.equal(
      objects[0]?.o['kind'],
      'Namespace',
      `the first object applied is the namespace (${objects[0]?.where})`,
    );
    const daemonSet = (name: string): Obj | undefined =>
      objects.find(({ o }) => o['kind'] === 'DaemonSet' && obj(o['metadata'], 'm')['name'] === name)?.o;
    const rtpengine = daemonSet('rtpengine');
    assert.ok(rtpengine, 'a DaemonSet runs rtpengine beside FoSIP');
    const rtpenginePod = obj(obj(obj(rtpengine['spec'], 'spec')['template'], 'template')['spec'], 'pod');
    assert.equal(rtpenginePod['hostNetwork'], true, "rtpengine on the node's network, its ng on the node's loopback");
    const fosip = daemonSet('fosip');
    assert.ok(fosip, 'a DaemonSet runs FoSIP');
    const pod = obj(obj(obj(fosip['spec'], 'spec')['template'], 'template')['spec'], 'pod');
    assert.equal(pod['hostNetwork'], true);
    assert.ok(Number(pod['terminationGracePeriodSeconds']) > 60, 'room for the drain');
    const container = obj(list(pod['containers'], 'containers')[0], 'container');
    assert.equal(obj(obj(container['readinessProbe'], 'readiness')['httpGet'], 'httpGet')['path'], '/readyz');
    assert.equal(obj(obj(container['livenessProbe'], 'liveness')['httpGet'], 'httpGet')['path'], '/healthz');
    const env = list(container['env'], 'env').map((e) => obj(e, 'env'));
    assert.match(
      String(env.find((e) => e['name'] === 'FOSIP_REDIS_URL')?.['value']),
      /^redis-sentinel:\/\/.+:26379,.+\/fosip$/,
    );
    assert.ok(
      env.some((e) => e['name'] === 'FOSIP_HOSTNAME'),
      'a stable node name for restart recovery',
    );
    const config = objects.find(
      ({ o }) => o['kind'] === 'ConfigMap' && obj(o['metadata'], 'm')['name'] === 'fosip-config',
    )?.o;
    const json = JSON.parse(String(obj(config?.['data'], 'data')['fosip.json'])) as Obj;
    assert.ok(Array.isArray(json['listen']), 'the fosip.json of the ConfigMap is JSON');
    const validate = new Ajv({ allErrors: true }).compile(SETTINGS_SCHEMA);
    assert.ok(validate(json), `the ConfigMap's fosip.json: ${JSON.stringify(validate.errors)}`);
    // an admin API on the node's addresses carries a token, from a Secret mounted where adminTokenFile points
    assert.ok(!isLoopbackAddress(String(json['admin'])), 'the DaemonSet admin listens for Prometheus and kubelet');
    const tokenFile = String(json['adminTokenFile']);
    const mount = list(container['volumeMounts'], 'volumeMounts')
      .map((m) => obj(m, 'volumeMount'))
      .find((m) => tokenFile.startsWith(`${String(m['mountPath'])}/`));
    assert.ok(mount, `a volume is mounted where adminTokenFile (${tokenFile}) is`);
    const volume = list(pod['volumes'], 'volumes')
      .map((v) => obj(v, 'volume'))
      .find((v) => v['name'] === mount['name']);
    assert.ok(volume?.['secret'] !== undefined, 'the admin token comes from a Secret');
    assert.ok(
      objects.some(({ o }) => o['kind'] === 'StatefulSet' && obj(o['metadata'], 'm')['name'] === 'redis'),
      'Redis with Sentinel',
    );
  });

  it('the compose file runs FoSIP with Redis and Prometheus; the Dockerfile is non-root with a health check', () => {
    const [compose] = yamlDocuments(path.join(deploy, 'docker', 'compose.yaml'));
    const services = obj(compose?.['services'], 'services');
    assert.deepEqual(Object.keys(services).sort(), ['fosip', 'prometheus', 'redis', 'rtpengine']);
    const rtpengine = obj(services['rtpengine'], 'rtpengine');
    assert.deepEqual(rtpengine['profiles'], ['rtpengine'], 'rtpengine starts only when asked for');
    const built = obj(rtpengine['build'], 'rtpengine build');
    const rtpengineFile = fs.readFileSync(
      path.join(deploy, 'docker', String(built['context']), String(built['dockerfile'])),
      'utf8',
    );
    assert.match(rtpengineFile, /apt-get install[^\n]*rtpengine-daemon/);
    assert.match(
      rtpengineFile,
      /--listen-ng=127\.0\.0\.1:22222/,
      "rtpengine's ng control on loopback, where fosip.json names it",
    );
    assert.match(rtpengineFile, /^USER (?!root)\S+$/m, 'rtpengine runs as non-root');
    const fosip = obj(services['fosip'], 'fosip');
    assert.equal(obj(fosip['build'], 'build')['dockerfile'], 'deploy/docker/Dockerfile');
    assert.match(String(obj(fosip['environment'], 'environment')['FOSIP_REDIS_URL']), /^redis:\/\//);
    for (const v of list(obj(services['prometheus'], 'prometheus')['volumes'], 'volumes')) {
      const host = String(v).split(':')[0] ?? '';
      assert.ok(fs.existsSync(path.resolve(deploy, 'docker', host)), `${host} exists`);
    }
    const dockerfile = fs.readFileSync(path.join(deploy, 'docker', 'Dockerfile'), 'utf8');
    const users = [...dockerfile.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    assert.ok(users.length > 0 && users.at(-1) !== 'root', 'the image runs as a non-root user');
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*\/healthz/m);
    const admin = /^\s+FOSIP_ADMIN=(\S+)\s*$/m.exec(dockerfile)?.[1];
    assert.ok(admin !== undefined && isLoopbackAddress(admin), `the image's admin API on loopback (${admin})`);
    assert.equal(obj(fosip['environment'], 'environment')['FOSIP_ADMIN'], '127.0.0.1:9090', 'compose: loopback too');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
    assert.ok(copied.length > 0, 'the COPY lines were found (the pattern still matches the Dockerfile)');
    for (const src of copied) assert.ok(fs.existsSync(path.join(repoRoot, src)), `COPY source ${src} exists`);
  });
});
