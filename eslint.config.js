// Lint rules. The layer rules keep the pure core (spec -> model -> rendered text, and the
// agent's policy) free of I/O, and keep each big client inside the one backend that owns it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const IO_MODULES = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'child_process', 'node:child_process', 'http', 'node:http', 'dgram', 'node:dgram'];
const CLIENTS = ['dockerode', '@kubernetes/client-node'];
const PURE_CORE = ['crd/**/*.ts', 'haproxy/render/**/*.ts', 'operator/core/**/*.ts', 'api/policy/**/*.ts', 'lib/**/*.ts'];

const restrict = (names, message) => ({ paths: names.map((name) => ({ name, message })) });

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', '**/*.generated.ts', 'bench/results/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', setImmediate: 'readonly', structuredClone: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', restrict(CLIENTS, 'Only the Swarm backend (operator/swarm/) imports dockerode and only the Kubernetes backend (operator/kubernetes/) imports @kubernetes/client-node.')],
    },
  },
  {
    files: PURE_CORE,
    ignores: ['crd/generate.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', restrict([...IO_MODULES, ...CLIENTS], 'The pure core does no I/O: pass data in, return data out. Put I/O in an edge module.')],
    },
  },
  {
    files: ['operator/swarm/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', restrict(['@kubernetes/client-node'], 'The Swarm backend does not use the Kubernetes client.')] },
  },
  {
    files: ['operator/kubernetes/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', restrict(['dockerode'], 'The Kubernetes backend does not use dockerode.')] },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
