import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { ownerLabels } from '../../contract/names.js';
import { endpointsTableOf } from './pod-endpoints.js';

const pod = (owner: string, status: V1Pod['status'], extra: { component?: 'api' | 'haproxy'; deleting?: boolean } = {}): V1Pod => ({
  metadata: { name: `${owner}-${Math.random()}`, labels: ownerLabels(owner, extra.component ?? 'api'), ...(extra.deleting ? { deletionTimestamp: new Date() } : {}) },
  status,
});
const ready = (podIP: string, more: Partial<NonNullable<V1Pod['status']>> = {}): V1Pod['status'] => ({ phase: 'Running', podIP, conditions: [{ type: 'Ready', status: 'True' }], ...more });

test('one name per BalancedService with running API pods (Ready or not, not being deleted), addresses sorted as numbers, IPv4 only', () => {
  const table = endpointsTableOf([
    pod('web', ready('10.1.0.10')),
    pod('web', ready('10.1.0.9')),
    pod('web', ready('fd00::7', { podIPs: [{ ip: 'fd00::7' }, { ip: '10.1.0.7' }] })), // dual-stack
    pod('web', ready('10.1.0.9')), // the same address twice (host network) counts once
    pod('Shop', ready('10.2.0.1')),
    pod('web', ready('10.1.0.50'), { component: 'haproxy' }),
    // Not ready yet: HAProxy must see it to health-check it, and only then is it Ready.
    pod('new', { phase: 'Running', podIP: '10.4.0.2', conditions: [{ type: 'Ready', status: 'False' }] }),
    pod('new', { phase: 'Running', podIP: '10.4.0.3' }),
    pod('idle', ready('10.3.0.1', { phase: 'Pending' })),
    pod('idle', ready('10.3.0.5', { phase: 'Succeeded' })),
    pod('idle', { phase: 'Failed', podIP: '10.3.0.6' }),
    pod('idle', ready('10.3.0.4'), { deleting: true }),
    pod('idle', { phase: 'Running', podIP: '10.3.0.7' }, { deleting: true }),
    pod('idle', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }),
    { metadata: { name: 'unlabelled' }, status: ready('10.9.0.1') },
  ], 'prod', 'k.example');
  assert.deepEqual([...table], [
    ['new-api.prod.svc.k.example', ['10.4.0.2', '10.4.0.3']],
    ['shop-api.prod.svc.k.example', ['10.2.0.1']],
    ['web-api.prod.svc.k.example', ['10.1.0.7', '10.1.0.9', '10.1.0.10']],
  ]);
});

test('the default cluster domain is the renderer\'s', () => {
  assert.deepEqual([...endpointsTableOf([pod('web', ready('10.1.0.9'))], 'prod').keys()], ['web-api.prod.svc.cluster.local']);
});
