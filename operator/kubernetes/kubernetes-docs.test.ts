// docs/kubernetes.md says what the code does: its RBAC table is permissions.ts, and the defaults
// it names are the code's (the endpoints DNS's too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SECRET_FILE_KEY } from './deployment-spec.js';
import { OPERATOR_PERMISSIONS } from './permissions.js';
import { connectKubernetes } from './connect.js';
import { TOKEN_SECRET } from './owned-objects.js';
import { ENDPOINTS_DNS_TTL_SECONDS } from './endpoints-dns.js';
import { DEFAULT_RELIST_MS } from './pod-endpoints-feed.js';

const doc = readFileSync(new URL('../../docs/kubernetes.md', import.meta.url), 'utf8');

test('docs/kubernetes.md: the RBAC table is exactly permissions.ts', () => {
  const table = doc.slice(doc.indexOf('| Resource | Verbs | Why |'));
  const lines = table.split('\n').slice(2);
  const rows = lines.slice(0, lines.findIndex((line) => !line.startsWith('|')));
  const documented = rows.flatMap((row) => {
    const [resources, verbs] = row.split('|').slice(1, 3).map((cell) => cell.trim());
    return [...resources!.matchAll(/`([^`]+)`/g)].flatMap(([, r]) => verbs!.split(',').map((v) => `${r}:${v.trim()}`));
  }).sort();
  const display = (p: (typeof OPERATOR_PERMISSIONS)[number]) => (p.resource.includes('/') || !p.group ? p.resource : `${p.resource}.${p.group}`);
  assert.deepEqual(documented, OPERATOR_PERMISSIONS.flatMap((p) => p.verbs.map((v) => `${display(p)}:${v}`)).sort());
});

test('docs/kubernetes.md: the Secret key, the token Secret and the default Service type are the code\'s', () => {
  assert.match(doc, new RegExp(`key \`${SECRET_FILE_KEY}\` = \`user:password\``));
  assert.match(doc, new RegExp(`Secret \`${TOKEN_SECRET}\`, key \`${SECRET_FILE_KEY}\``));
  const defaultType = connectKubernetes({ kubeconfig: new URL('./testdata/kubeconfig.yaml', import.meta.url).pathname, env: {} }).haproxyServiceType;
  assert.match(doc, new RegExp(`\`BSO_HAPROXY_SERVICE_TYPE\` \\(default \`${defaultType}\`\\)`));
});

test('docs/kubernetes.md: the endpoints DNS\'s TTL, relist period and flags are the code\'s', () => {
  const section = doc.slice(doc.indexOf('## Clusters without cluster DNS: the endpoints DNS'), doc.indexOf('## Try it against a real control plane'));
  assert.match(section, new RegExp(`TTL ${ENDPOINTS_DNS_TTL_SECONDS} s`));
  assert.match(section, new RegExp(`listed again every ${DEFAULT_RELIST_MS / 1000} s`));
  assert.match(section, /`--endpoints-dns HOST:PORT` \| `BSO_ENDPOINTS_DNS` \|/);
  assert.match(section, /`--endpoints-dns-address IP:PORT` \| `BSO_ENDPOINTS_DNS_ADDRESS` \|/);
});
