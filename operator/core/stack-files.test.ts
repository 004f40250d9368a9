import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { stackFiles } from './stack-files.js';
import { LABEL_OWNER } from '../../contract/names.js';
import { loadExample } from '../../test/operator/specs.js';

const files = stackFiles(loadExample(), 'examples/hello.yaml');

test('deploy/swarm holds the stack rendered from examples/hello.yaml (refresh: bso render stack -f examples/hello.yaml --output-dir deploy/swarm)', () => {
  for (const [file, text] of Object.entries(files)) {
    assert.equal(readFileSync(new URL(`../../deploy/swarm/${file}`, import.meta.url), 'utf8'), text, file);
  }
});

test('the stack is the seed\'s: two dnsrr replicas with limits and agent env, HAProxy on :80 and :8404 in host mode', () => {
  const stack = parse(files['docker-stack.yml']!) as { services: Record<string, { deploy: Record<string, unknown>; environment?: Record<string, string>; ports?: Array<{ published: number; mode: string }> }> };
  const api = stack.services['hello-api']!;
  assert.equal(api.deploy.replicas, 2);
  assert.equal(api.deploy.endpoint_mode, 'dnsrr');
  assert.deepEqual(api.deploy.resources, { limits: { cpus: '0.5', memory: '256M' } });
  assert.equal(api.environment!.BSO_MAINT_AT, '80');
  assert.deepEqual(stack.services['hello-haproxy']!.ports!.map((p) => [p.published, p.mode]), [[80, 'host'], [8404, 'host']]);
});

test('nothing in the stack looks owned by a BalancedService, so an operator never removes it', () => {
  assert.doesNotMatch(files['docker-stack.yml']!, new RegExp(LABEL_OWNER.replace('.', '\\.')));
});

test('its HAProxy resolves the API service\'s network alias, which a stack keeps unprefixed', () => {
  assert.match(files['haproxy.cfg']!, /server-template replica \d+ hello-api:8080 /);
  assert.match(files['docker-stack.yml']!, /aliases:\n\s+- hello-api/);
});
