// The config HAProxy starts with when the operator has not provided one (BSO_HAPROXY_BOOTSTRAP):
// master-worker with the runtime API and no listener of its own. The first config from the
// operator replaces it by a reload.
import { join } from 'node:path';

export function builtInBootstrapConfig(runDir: string): string {
  return [
    '# Bootstrap config of the bso supervisor: waits for the operator\'s config.',
    'global',
    '    master-worker',
    '    log stdout format raw local0 info',
    `    stats socket ${join(runDir, 'runtime.sock')} mode 600 level admin expose-fd listeners`,
    '    hard-stop-after 30s',
    '',
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 30s',
    '    timeout server 30s',
    '',
  ].join('\n');
}
