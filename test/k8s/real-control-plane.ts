// The REAL Kubernetes control plane of the k8s test tier (npm run k8s:up: etcd, kube-apiserver
// and kube-controller-manager 1.20.2 on loopback), as the tests meet it: bso installed from
// deploy/k8s with kubectl, and an API client per identity:
//   operator  the bso-operator ServiceAccount of deploy/k8s (a token from the TokenRequest API),
//             with exactly the RBAC deploy/k8s grants it, nothing more;
//   editor    a user who may edit BalancedServices through the aggregated `edit` ClusterRole
//             (what `bso apply` needs), bound in the test namespace;
//   admin     the control plane's admin, to set the stage.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { ClientNodeKubeApi } from '../../operator/kubernetes/client-node-kube-api.js';
import { fromKubeconfigFiles, kubeTargetFor, type KubeTarget } from '../../operator/kubernetes/kube-config.js';

const exec = promisify(execFile);
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where deploy/k8s installs the operator; its Role is namespaced there. */
export const BSO_NAMESPACE = 'bso-system';
export const EDITOR_USER = 'bso-editor';

export function testKubeconfig(): string {
  const path = process.env.BSO_TEST_KUBECONFIG;
  if (!path) throw new Error('BSO_TEST_KUBECONFIG is unset: run the k8s tier with npm run test:k8s (it starts a control plane)');
  return path;
}

/** kubectl of the control plane's own version (cached by scripts/k8s/build.sh), as admin. */
export async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const kubectlPath = join(dirname(testKubeconfig()), 'bin', 'kubectl');
  const run = exec(kubectlPath, ['--kubeconfig', testKubeconfig(), ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  if (input !== undefined) run.child.stdin?.end(input);
  const { stdout } = await run;
  return stdout;
}

let installed: Promise<void> | undefined;
/**
 * deploy/k8s as `kubectl apply -k` installs it, once per process, with the operator Deployment at
 * 0 replicas: the tests run their own operators (in the test process or as `bso operator` on the
 * host), and an in-cluster one would reconcile beside them (operator-in-a-pod.k8s.test.ts scales
 * it up). Waits until the CRD is established.
 */
export function installBso(): Promise<void> {
  installed ??= (async () => {
    const documents = parseAllDocuments(await kubectl(['kustomize', 'deploy/k8s'])).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { replicas?: number } });
    const operator = documents.find((d) => d.kind === 'Deployment' && d.metadata?.name === 'bso-operator');
    if (!operator?.spec) throw new Error('deploy/k8s has no Deployment bso-operator');
    operator.spec.replicas = 0;
    await kubectl(['apply', '-f', '-'], documents.map((d) => stringify(d)).join('---\n'));
    await kubectl(['wait', '--for', 'condition=Established', '--timeout', '60s', 'crd/balancedservices.bso.dev']);
    await kubectl(['apply', '-f', '-'], `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: bso-test-editor, namespace: ${BSO_NAMESPACE} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: ${EDITOR_USER} }]
`);
  })();
  return installed;
}

export function adminTarget(namespace = BSO_NAMESPACE): KubeTarget {
  return fromKubeconfigFiles([testKubeconfig()], { namespace });
}

/** A bound token for a ServiceAccount (TokenRequest API), asked for as admin. */
export async function serviceAccountToken(namespace: string, name: string, seconds = 3600): Promise<string> {
  const answer = await adminRequest('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds },
  }) as { status?: { token?: string } };
  if (!answer.status?.token) throw new Error(`no token for ServiceAccount ${namespace}/${name}: ${JSON.stringify(answer)}`);
  return answer.status.token;
}

/** The editor's token, which scripts/k8s/up.sh wrote beside the admin kubeconfig. */
export function editorTarget(namespace = BSO_NAMESPACE): KubeTarget {
  return fromKubeconfigFiles([join(dirname(testKubeconfig()), 'editor.kubeconfig')], { namespace });
}

/** The operator's ServiceAccount from deploy/k8s, with a fresh bound token. */
export async function operatorTarget(namespace = BSO_NAMESPACE): Promise<KubeTarget> {
  const token = await serviceAccountToken(namespace, 'bso-operator');
  const cluster = adminTarget(namespace).config.getCurrentCluster()!;
  return kubeTargetFor({ server: cluster.server, namespace, token, caData: caDataOf(cluster) });
}

/** A kubeconfig file for the operator's ServiceAccount, as `bso --kubeconfig` (or $KUBECONFIG) reads it. */
export async function operatorKubeconfig(dir: string): Promise<string> {
  const target = await operatorTarget();
  const cluster = target.config.getCurrentCluster()!;
  const path = join(dir, 'operator.kubeconfig');
  writeFileSync(path, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'bso',
    clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': caDataOf(cluster) } }],
    users: [{ name: 'bso-operator', user: { token: target.config.getCurrentUser()!.token } }],
    contexts: [{ name: 'bso', context: { cluster: 'test', user: 'bso-operator', namespace: BSO_NAMESPACE } }],
  }), { mode: 0o600 });
  return path;
}

/** The cluster's CA as kubeconfig's certificate-authority-data (base64 of the PEM). */
export const caDataOf = (cluster: { caData?: string; caFile?: string }) => cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);

export function apiFor(target: KubeTarget): ClientNodeKubeApi {
  return new ClientNodeKubeApi(target);
}

/** One admin request by path (what ClientNodeKubeApi does not cover: TokenRequest, raw reads). */
export async function adminRequest(method: string, path: string, body?: unknown): Promise<unknown> {
  const { config } = adminTarget();
  const url = new URL(path, config.getCurrentCluster()!.server);
  const options: RequestOptions & { headers: Record<string, string> } = { method, headers: {} };
  await config.applyToHTTPSOptions(options);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      ...options,
      headers: { ...options.headers, accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`));
        else resolve(text ? JSON.parse(text) : undefined);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
