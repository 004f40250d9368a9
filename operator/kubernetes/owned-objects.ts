// The other objects bso creates on Kubernetes, by the kind the planner knows them as:
//  - network  -> a NetworkPolicy NAME-net: the API pods accept traffic only from pods of the
//    same BalancedService (its HAProxy), as on Swarm where only the overlay's members reach
//    them. Enforced only by a CNI that implements NetworkPolicy.
//  - secret   -> a Secret holding generated stats credentials under SECRET_FILE_KEY.
//  - control  -> the Secret bso-operator-token the HAProxy supervisors authenticate with.
import { randomBytes } from 'node:crypto';
import type { V1NetworkPolicy, V1NetworkPolicyIngressRule, V1Secret } from '@kubernetes/client-node';
import { LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_OWNER, MANAGED_BY } from '../../contract/names.js';
import { SECRET_FILE_KEY } from './deployment-spec.js';
import { apiVersionOf, NETWORK_POLICIES, SECRETS } from './kube-api.js';

export const TOKEN_SECRET = 'bso-operator-token';

export function toNetworkPolicy(name: string, labels: Record<string, string>, namespace: string): V1NetworkPolicy {
  // A policy without an owner label (not bso's) selects the pods of the name it was given.
  const owner = labels[LABEL_OWNER] ?? name.replace(/-net$/, '');
  return {
    apiVersion: apiVersionOf(NETWORK_POLICIES), kind: NETWORK_POLICIES.kind,
    metadata: { name, namespace, labels: { ...labels } },
    spec: {
      podSelector: { matchLabels: { [LABEL_OWNER]: owner, [LABEL_COMPONENT]: 'api' } },
      policyTypes: ['Ingress'],
      // client-node's model calls it _from (its serializer renames it); bso sends the wire name.
      ingress: [{ from: [{ podSelector: { matchLabels: { [LABEL_OWNER]: owner } } }] } as unknown as V1NetworkPolicyIngressRule],
    },
  };
}

/** user:password as HAProxy's stats page wants it, from a fresh random password. */
export function generatedCredentials(): string {
  return `admin:${randomBytes(18).toString('base64url')}`;
}

export function toSecret(name: string, labels: Record<string, string>, namespace: string, content: string): V1Secret {
  return {
    apiVersion: apiVersionOf(SECRETS), kind: SECRETS.kind,
    metadata: { name, namespace, labels: { ...labels } },
    type: 'Opaque',
    data: { [SECRET_FILE_KEY]: Buffer.from(content).toString('base64') },
  };
}

export function toTokenSecret(namespace: string, token: string): V1Secret {
  return toSecret(TOKEN_SECRET, { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_COMPONENT]: 'control' }, namespace, token);
}

export function secretContent(secret: V1Secret | undefined): string | undefined {
  const data = secret?.data?.[SECRET_FILE_KEY];
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
}
