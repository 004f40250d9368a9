// Lint rules. The layer rules keep the pure core (spec -> model -> rendered text, and the
// agent's policy) free of I/O, keep each big client inside the one backend that owns it, and
// keep the images apart:
//   crd/       the API; imports nothing of ours but lib/
//   contract/  what two images must agree on (names, environment, agent reply, supervisor
//              protocol); imports nothing of ours
//   api/       the replica image: imports crd/, contract/, lib/; never operator/, haproxy/, cli/
//   haproxy/   the HAProxy image (supervisor) and the pure renderer: never operator/, api/, cli/
//   operator/  the operator: never api/, cli/ or the supervisor (haproxy/render is its renderer)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IO_MODULES = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'child_process', 'node:child_process', 'http', 'node:http', 'dgram', 'node:dgram'];
const CLIENTS = ['dockerode', '@kubernetes/client-node'];
const CLIENTS_MESSAGE = 'Only the Swarm backend (operator/swarm/) imports dockerode and only the Kubernetes backend (operator/kubernetes/) imports @kubernetes/client-node.';
const PURE_MESSAGE = 'The pure core does no I/O: pass data in, return data out. Put I/O in an edge module.';

const paths = (names, message) => names.map((name) => ({ name, message }));
const layer = (group, message) => ({ group, message });

// The images do not import each other; what both need goes into contract/.
const REPLICA_LAYER = layer(['**/operator/*', '**/haproxy/*', '**/cli/*'], 'api/ is the replica image: it imports crd/, contract/ and lib/, never the operator, HAProxy or the CLI. Put what both need in contract/.');
const OPERATOR_LAYER = layer(['**/api/*', '**/cli/*', '**/haproxy/supervisor/*'], 'operator/ does not import the replica, the CLI or the supervisor; the protocol with the supervisor is in contract/.');

const APART = layer(['**/test/**', '**/bench/**'], 'Product code imports no test or bench code: test machinery lives in test/, the drivers of real parts in bench/lib/.');

/** Imports each folder may not make: other layers (patterns) and, in the pure core, I/O. */
const LAYERS = [
  { files: ['crd/**/*.ts'], pure: true, patterns: [layer(['../*', '!../lib', '!../lib/*'], 'crd/ is the API: it imports nothing of ours but lib/.')] },
  { files: ['contract/**/*.ts'], pure: true, patterns: [layer(['../*'], 'contract/ is what the images agree on: it imports nothing of ours.')] },
  { files: ['lib/**/*.ts'], pure: true, patterns: [layer(['../*'], 'lib/ holds leaf helpers: it imports nothing of ours.')] },
  { files: ['api/**/*.ts'], patterns: [REPLICA_LAYER] },
  { files: ['api/policy/**/*.ts'], pure: true, patterns: [REPLICA_LAYER] },
  { files: ['haproxy/**/*.ts'], patterns: [layer(['**/operator/*', '**/api/*', '**/cli/*'], 'haproxy/ is the HAProxy image and the renderer: never the operator, the replica or the CLI. Put what both need in contract/.')] },
  { files: ['haproxy/render/**/*.ts'], pure: true, patterns: [layer(['**/operator/*', '**/api/*', '**/cli/*', '**/supervisor/*'], 'haproxy/render/ is the pure renderer: it imports crd/, contract/ and lib/ only.')] },
  { files: ['operator/**/*.ts'], patterns: [OPERATOR_LAYER] },
  { files: ['cli/**/*.ts'], patterns: [] },
  { files: ['operator/core/**/*.ts'], pure: true, patterns: [layer(['**/api/*', '**/cli/*', '**/haproxy/supervisor/*', '../swarm/*', '../kubernetes/*'], 'operator/core/ is pure: no backend, no image code.')] },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', '**/*.generated.ts', 'bench/results/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', setImmediate: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: paths(CLIENTS, CLIENTS_MESSAGE) }],
    },
  },
  ...LAYERS.map(({ files, pure, patterns }) => ({
    files,
    ignores: ['crd/generate.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: pure ? paths([...IO_MODULES, ...CLIENTS], PURE_MESSAGE) : paths(CLIENTS, CLIENTS_MESSAGE), patterns: [...patterns, APART] }],
    },
  })),
  {
    files: ['operator/swarm/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: paths(['@kubernetes/client-node'], 'The Swarm backend does not use the Kubernetes client.'), patterns: [OPERATOR_LAYER, APART] }] },
    ignores: ['**/*.test.ts'],
  },
  {
    files: ['operator/kubernetes/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: paths(['dockerode'], 'The Kubernetes backend does not use dockerode.'), patterns: [OPERATOR_LAYER, APART] }] },
    ignores: ['**/*.test.ts'],
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [layer(['**/test/**'], 'bench/ imports product code and its own lib, never test/: what tests and the bench both drive (HAProxy on loopback, spawned replicas, cgroups) lives in bench/lib/.')] }] },
  },
);
