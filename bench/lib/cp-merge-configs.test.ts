import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfigs, splitSections } from './cp-merge-configs.js';

const config = (name: string, port: number) => `# comment\n\nglobal\n    master-worker\n\ndefaults\n    mode http\n\nresolvers bso-dns\n    nameserver dns 127.0.0.11:53\n\nfrontend ${name}\n    bind :${port}\n    default_backend ${name}-api\n\nbackend ${name}-api\n    server-template replica 16 tasks.${name}-api:8080\n\nfrontend stats\n    bind :${port + 1}\n`;

test('splitSections keeps each section with its lines', () => {
  assert.deepEqual(splitSections(config('a', 80)).map((s) => s.header), ['global', 'defaults', 'resolvers bso-dns', 'frontend a', 'backend a-api', 'frontend stats']);
});

test('mergeConfigs keeps shared sections once and every service\'s own frontend and backend', () => {
  const merged = mergeConfigs([config('a', 80), config('b', 90), config('c', 100)]);
  const headers = splitSections(merged).map((s) => s.header);
  assert.deepEqual(headers, ['global', 'defaults', 'resolvers bso-dns', 'frontend a', 'backend a-api', 'frontend stats', 'frontend b', 'backend b-api', 'frontend c', 'backend c-api']);
  assert.match(merged, /backend c-api\n {4}server-template replica 16 tasks\.c-api:8080\n/);
  assert.throws(() => mergeConfigs([config('a', 80), config('a', 90)]), /appears twice/);
});
