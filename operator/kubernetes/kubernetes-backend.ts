// The Kubernetes backend: Backend over a KubeApi, in one namespace. What the planner calls a
//   service -> a Deployment + a Service of the same name (headless for the API replicas,
//              LoadBalancer by default for HAProxy). Deployments are written by server-side
//              apply as field manager "bso" (other writers' fields survive: a rollout restart's
//              annotation, labels added by hand); their version is metadata.generation, which
//              only spec changes bump (the Deployment controller's status writes do not), and an
//              update based on an older generation is BSO_CONFLICT, transient;
//              With several replicas, also a PodDisruptionBudget of the same name
//              (disruption-budget.ts), policy/v1 or, where the API server lacks it, v1beta1;
//   network -> a NetworkPolicy; secret -> a Secret; the operator token -> a Secret.
// Every object carries ownerLabels and an ownerReference to its BalancedService (so Kubernetes'
// garbage collector removes it when the BalancedService goes, even with no operator running);
// foreign objects with our names are reported, never written. An object of ours that is being
// deleted is waited for (a transient BSO_CONFLICT until it is gone), not fought.
import type { V1Deployment, V1NetworkPolicy, V1Pod, V1PodDisruptionBudget, V1Secret, V1Service } from '@kubernetes/client-node';
import type { BalancedService, BalancedServiceStatus } from '../../crd/types.generated.js';
import { BsoError } from '../../lib/errors.js';
import type { Backend, Observed, PutResult, ReplicaCounts, StoredSpec, TaskInfo } from '../backend.js';
import type { ControlPlane, DesiredService } from '../core/desired-state.js';
import { LABEL_COMPONENT, LABEL_OWNER, LABEL_REVISION } from '../../contract/names.js';
import type { ObjectKind, ObservedObject, PlanAction } from '../core/plan.js';
import { FIELD_MANAGER, fromDeployment, toDeployment, type TranslateOptions } from './deployment-spec.js';
import { failedRevisionOf } from './deployment-rollout.js';
import { apiVersionOf, BALANCED_SERVICES, DEPLOYMENTS, NETWORK_POLICIES, POD_DISRUPTION_BUDGETS_V1, PODS, SECRETS, SERVICES, type KubeApi } from './kube-api.js';
import { budgetMatches, toPodDisruptionBudget } from './disruption-budget.js';
import { DisruptionBudgetWriter } from './disruption-budget-writer.js';
import { watchHints } from './kube-watch.js';
import type { EndpointsTable } from './pod-endpoints.js';
import { feedPodEndpoints, type PodEndpointsFeedOptions } from './pod-endpoints-feed.js';
import { generatedCredentials, secretContent, toNetworkPolicy, toSecret, toTokenSecret, TOKEN_SECRET } from './owned-objects.js';
import { needsRecreate, serviceMatches, serviceReplacing, toService, type HAProxyServiceType } from './service-objects.js';
import { KubernetesReporter } from './resource-reporter.js';
import { LeaderLease, type LeaderCallbacks, type LeaseTiming } from './leader-lease.js';
import { KubernetesSpecStore } from './spec-store.js';

export interface KubernetesBackendOptions {
  /** How HAProxy is exposed: LoadBalancer (default), NodePort, or ClusterIP (behind your own ingress). */
  haproxyServiceType?: HAProxyServiceType;
  /** Server-side timeout of each watch request (the watch resumes after it). */
  watchTimeoutSeconds?: number;
  /** A repeated event updates its Kubernetes Event at most this often (default 30 s). */
  eventRepeatUpdateMs?: number;
}

type Labelled = { metadata?: { name?: string; uid?: string; labels?: Record<string, string> } };

export class KubernetesBackend implements Backend {
  readonly kind = 'kubernetes' as const;
  readonly namespace: string;
  readonly haproxyServiceType: HAProxyServiceType;
  readonly reporter: KubernetesReporter;
  private readonly specs: KubernetesSpecStore;
  private readonly translate: TranslateOptions;
  private readonly budgets: DisruptionBudgetWriter;

  constructor(private readonly api: KubeApi, private readonly options: KubernetesBackendOptions = {}) {
    this.namespace = api.namespace;
    this.specs = new KubernetesSpecStore(api);
    this.reporter = new KubernetesReporter(api, (name, status) => this.specs.writeStatus(name, status), options.eventRepeatUpdateMs);
    this.haproxyServiceType = options.haproxyServiceType ?? 'LoadBalancer';
    this.translate = { namespace: api.namespace, haproxyServiceType: this.haproxyServiceType };
    this.budgets = new DisruptionBudgetWriter(api, (object) => this.owned(object));
  }

  listSpecs(): Promise<StoredSpec[]> { return this.specs.list(); }
  getSpec(name: string): Promise<StoredSpec | undefined> { return this.specs.get(name); }
  putSpec(object: BalancedService): Promise<PutResult> { return this.specs.put(object); }
  deleteSpec(name: string): Promise<boolean> { return this.specs.delete(name); }
  /** Writes the BalancedService's status subresource; BSO_NOT_FOUND when it does not exist. */
  async writeStatus(name: string, status: BalancedServiceStatus): Promise<void> { await this.specs.writeStatus(name, status); }

  async listOwners(): Promise<string[]> {
    const lists = await Promise.all([DEPLOYMENTS, SERVICES, SECRETS, NETWORK_POLICIES, await this.budgets.resource()].map((type) => this.api.list<Labelled>(type, LABEL_OWNER)));
    const owners = lists.flatMap((l) => l.items).map((o) => o.metadata?.labels?.[LABEL_OWNER]).filter((o): o is string => !!o);
    return [...new Set(owners)].sort();
  }

  async observe(name: string, wantedNames: readonly string[]): Promise<Observed> {
    const selector = `${LABEL_OWNER}=${name}`;
    const budgetType = await this.budgets.resource();
    const [deployments, services, secrets, policies, budgets] = await Promise.all([
      this.api.list<V1Deployment>(DEPLOYMENTS, selector), this.api.list<V1Service>(SERVICES, selector),
      this.api.list<V1Secret>(SECRETS, selector), this.api.list<V1NetworkPolicy>(NETWORK_POLICIES, selector),
      this.api.list<V1PodDisruptionBudget>(budgetType, selector),
    ]);
    const withName = <T extends Labelled>(items: T[], wanted: string | undefined) => items.find((o) => o.metadata?.name === wanted);
    // A Service or PodDisruptionBudget whose Deployment is gone is still ours to delete (once per name).
    const leftBehind = new Map<string, Labelled>();
    for (const o of [...services.items, ...budgets.items]) {
      const left = o.metadata?.name ?? '';
      if (!withName(deployments.items, left) && !leftBehind.has(left)) leftBehind.set(left, o);
    }
    const owned: ObservedObject[] = [
      ...policies.items.map((p) => this.plain('network', p)),
      ...secrets.items.filter((s) => s.metadata?.labels?.[LABEL_COMPONENT] !== 'control').map((s) => this.plain('secret', s)),
      ...deployments.items.map((d) => this.observedService(d, withName(services.items, d.metadata?.name), withName(budgets.items, d.metadata?.name))),
      ...[...leftBehind.values()].map((o) => this.plain('service', o, `${name}/`)),
    ].sort(byKindAndName);
    const named = await Promise.all(wantedNames.map((wanted) => this.objectsNamed(name, wanted)));
    const terminating = named.flatMap((n) => n.terminating);
    if (terminating.length > 0) {
      throw new BsoError('BSO_CONFLICT', `${terminating.join(', ')} ${terminating.length === 1 ? 'is' : 'are'} being deleted; bso waits until ${terminating.length === 1 ? 'it is' : 'they are'} gone before creating ${terminating.length === 1 ? 'it' : 'them'} again`, { transient: true });
    }
    return { owned, byName: named.flatMap((n) => n.found) };
  }

  async execute(action: PlanAction): Promise<void> {
    switch (action.type) {
      case 'create':
        if (action.kind === 'network') await this.api.create(NETWORK_POLICIES, await this.owned(toNetworkPolicy(action.name, action.labels, this.namespace)));
        else if (action.kind === 'secret') await this.api.create(SECRETS, await this.owned(toSecret(action.name, action.labels, this.namespace, generatedCredentials())));
        else {
          // Not forced: applied onto a Deployment someone else just created, it conflicts.
          await this.api.apply(DEPLOYMENTS, await this.owned(toDeployment(action.service, this.translate)), { fieldManager: FIELD_MANAGER, force: false });
          await this.ensureCompanion(action.service);
          await this.budgets.ensure(action.service);
        }
        return;
      case 'update':
        await this.updateDeployment(action.service, action.version);
        await this.ensureCompanion(action.service);
        await this.budgets.ensure(action.service);
        return;
      case 'delete':
        if (action.kind === 'network') await this.api.remove(NETWORK_POLICIES, action.name, { uid: action.id });
        else if (action.kind === 'secret') await this.api.remove(SECRETS, action.name, { uid: action.id });
        else await this.deleteService(action.name, action.id);
    }
  }

  async replicaCounts(serviceName: string): Promise<ReplicaCounts> {
    const deployment = await this.api.get<V1Deployment>(DEPLOYMENTS, serviceName);
    return { desired: deployment?.spec?.replicas ?? 0, running: deployment?.status?.readyReplicas ?? 0 };
  }

  async tasks(serviceName: string): Promise<TaskInfo[]> {
    const deployment = await this.api.get<V1Deployment>(DEPLOYMENTS, serviceName);
    const match = deployment?.spec?.selector?.matchLabels;
    if (!match) return [];
    const selector = Object.entries(match).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = (await this.api.list<V1Pod>(PODS, selector)).items.filter((p) => !p.metadata?.deletionTimestamp);
    pods.sort((a, b) => String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')) || String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
    return pods.map((pod, index): TaskInfo => {
      const container = pod.status?.containerStatuses?.[0];
      return {
        id: pod.metadata?.uid ?? pod.metadata?.name ?? '',
        ...(pod.metadata?.name ? { name: pod.metadata.name } : {}),
        slot: index + 1,
        node: pod.spec?.nodeName ?? '',
        state: (pod.status?.phase ?? 'unknown').toLowerCase(),
        address: pod.status?.podIP,
        message: container?.state?.waiting?.message ?? container?.state?.waiting?.reason ?? pod.status?.message,
        containerId: container?.containerID,
        ...(pod.metadata?.labels?.[LABEL_REVISION] ? { revision: pod.metadata.labels[LABEL_REVISION] } : {}),
      };
    });
  }

  async ensureControlPlane(operatorUrl: string): Promise<ControlPlane & { token: string }> {
    let token = secretContent(await this.api.get<V1Secret>(SECRETS, TOKEN_SECRET));
    if (token === undefined) {
      try {
        await this.api.create(SECRETS, toTokenSecret(this.namespace, generatedCredentials().slice('admin:'.length)));
      } catch (error) {
        if (!(error instanceof BsoError && error.code === 'BSO_CONFLICT')) throw error;
      }
      token = secretContent(await this.api.get<V1Secret>(SECRETS, TOKEN_SECRET));
      if (token === undefined) throw new BsoError('BSO_CONFLICT', `Secret ${TOKEN_SECRET} has no key auth yet; will retry`, { transient: true });
    }
    // Pods reach the operator through its Service: no shared network to join.
    return { operatorUrl, tokenConfig: TOKEN_SECRET, token };
  }

  /** Leader election among operator replicas, with the Lease bso-operator in this namespace. */
  leaderLease(identity: string, callbacks: LeaderCallbacks, timing?: LeaseTiming): LeaderLease {
    return new LeaderLease(this.api, identity, callbacks, timing);
  }

  watch(onHint: (name: string | undefined) => void, onError: (error: unknown) => void): () => void {
    return watchHints(this.api, onHint, onError, { timeoutSeconds: this.options.watchTimeoutSeconds });
  }

  /** The endpoints DNS's table of this namespace, fed to `publish` on every change until the returned stop. */
  feedEndpoints(publish: (table: EndpointsTable) => void, options: PodEndpointsFeedOptions = {}): () => void {
    return feedPodEndpoints(this.api, publish, { watchTimeoutSeconds: this.options.watchTimeoutSeconds, ...options });
  }

  /**
   * The object with an ownerReference to the BalancedService its owner label names (controller,
   * not blocking its deletion: that would need the finalizers permission). Without one (the spec
   * was just deleted) it goes out as it is; the operator deletes it by its labels.
   */
  private async owned<T extends Labelled>(object: T): Promise<T> {
    const owner = object.metadata?.labels?.[LABEL_OWNER];
    const resource = owner ? await this.api.get<{ metadata?: { uid?: string } } & Labelled>(BALANCED_SERVICES, owner) : undefined;
    const uid = resource?.metadata?.uid;
    if (!owner || !uid) return object;
    const ownerReferences = [{ apiVersion: apiVersionOf(BALANCED_SERVICES), kind: BALANCED_SERVICES.kind, name: owner, uid, controller: true, blockOwnerDeletion: false }];
    return { ...object, metadata: { ...object.metadata, ownerReferences } };
  }

  /** The objects named `wanted`, ours or foreign (a foreign Deployment, Service or PodDisruptionBudget hides ours), and ours being deleted. */
  private async objectsNamed(owner: string, wanted: string): Promise<{ found: ObservedObject[]; terminating: string[] }> {
    const budgetType = await this.budgets.resource();
    const [deployment, service, secret, policy, budget] = await Promise.all([
      this.api.get<V1Deployment>(DEPLOYMENTS, wanted), this.api.get<V1Service>(SERVICES, wanted),
      this.api.get<V1Secret>(SECRETS, wanted), this.api.get<V1NetworkPolicy>(NETWORK_POLICIES, wanted),
      this.api.get<V1PodDisruptionBudget>(budgetType, wanted),
    ]);
    const found: ObservedObject[] = [];
    const ours = (o: Labelled | undefined) => o?.metadata?.labels?.[LABEL_OWNER] === owner;
    const serviceId = (o: Labelled) => `${o.metadata?.labels?.[LABEL_OWNER] ?? ''}/${o === deployment ? o.metadata?.uid ?? '' : ''}`;
    if (deployment && !ours(deployment)) found.push(this.plain('service', deployment, serviceId(deployment)));
    else if (service && !ours(service)) found.push(this.plain('service', service, serviceId(service)));
    else if (budget && !ours(budget)) found.push(this.plain('service', budget, serviceId(budget)));
    else if (deployment) found.push(this.observedService(deployment, service, budget));
    if (secret) found.push(this.plain('secret', secret));
    if (policy) found.push(this.plain('network', policy));
    const terminating = ([['Deployment', deployment], ['Service', service], ['Secret', secret], ['NetworkPolicy', policy], ['PodDisruptionBudget', budget]] as Array<[string, (Labelled & { metadata?: { deletionTimestamp?: unknown } }) | undefined]>)
      .filter(([, o]) => ours(o) && o?.metadata?.deletionTimestamp).map(([kind]) => `${kind} ${wanted}`);
    return { found, terminating };
  }

  private plain(kind: ObjectKind, object: Labelled, id = object.metadata?.uid ?? ''): ObservedObject {
    return { kind, id, name: object.metadata?.name ?? '', labels: { ...(object.metadata?.labels ?? {}) } };
  }

  private observedService(deployment: V1Deployment, companion: V1Service | undefined, budget: V1PodDisruptionBudget | undefined): ObservedObject {
    const labels = { ...(deployment.metadata?.labels ?? {}) };
    const owner = labels[LABEL_OWNER] ?? '';
    const ownCompanion = companion?.metadata?.labels?.[LABEL_OWNER] === owner ? companion : undefined;
    const ownBudget = budget?.metadata?.labels?.[LABEL_OWNER] === owner ? budget : undefined;
    const service = fromDeployment(deployment, ownCompanion, this.translate);
    // The PodDisruptionBudget is part of the service too: missing, left over or changed reads as
    // drift (as a changed companion Service does, deployment-spec.ts), so an update corrects it.
    if (service && !budgetMatches(toPodDisruptionBudget(service, this.namespace, POD_DISRUPTION_BUDGETS_V1), ownBudget)) service.endpointMode = 'vip' as 'dnsrr';
    // Kubernetes gave up on the API replicas' revision (their progress deadline passed): held by
    // the planner. Only theirs: HAProxy rolls out without bso's deadline, and a held HAProxy
    // would show nowhere in the status.
    const failed = labels[LABEL_COMPONENT] === 'api' ? failedRevisionOf(deployment) : undefined;
    return {
      kind: 'service',
      id: `${owner}/${deployment.metadata?.uid ?? ''}`,
      name: deployment.metadata?.name ?? '',
      labels,
      version: generationOf(deployment),
      service,
      ...(failed ? { failedRevision: failed } : {}),
    };
  }

  /**
   * Applies the Deployment when its generation is still the one the plan was made from. The
   * apply carries the resourceVersion just read, so a write in between is a 409: when only the
   * status moved (the Deployment controller at work), it is tried again at once.
   */
  private async updateDeployment(service: DesiredService, generation: number): Promise<void> {
    const wanted = await this.owned(toDeployment(service, this.translate));
    for (let attempt = 1; ; attempt++) {
      const current = await this.api.get<V1Deployment>(DEPLOYMENTS, service.name);
      if (!current) throw new BsoError('BSO_CONFLICT', `Deployment ${service.name} was deleted while bso was updating it; will retry`, { transient: true });
      if (current.metadata?.generation !== generation) {
        throw new BsoError('BSO_CONFLICT', `Deployment ${service.name} changed (generation ${current.metadata?.generation}, bso planned from ${generation}); will retry`, { transient: true });
      }
      const body = { ...wanted, metadata: { ...wanted.metadata, resourceVersion: current.metadata?.resourceVersion } };
      try {
        await this.api.apply(DEPLOYMENTS, body, { fieldManager: FIELD_MANAGER, force: true });
        return;
      } catch (error) {
        if (!(error instanceof BsoError && error.code === 'BSO_CONFLICT') || attempt >= 3) throw error;
      }
    }
  }

  /** Creates or corrects the Service beside a Deployment; writes nothing when it matches. */
  private async ensureCompanion(service: DesiredService): Promise<void> {
    const wanted = await this.owned(toService(service, this.translate));
    const existing = await this.api.get<V1Service>(SERVICES, service.name);
    if (!existing) {
      await this.api.create(SERVICES, wanted);
      return;
    }
    const owner = service.labels[LABEL_OWNER];
    if (existing.metadata?.labels?.[LABEL_OWNER] !== owner) {
      throw new BsoError('BSO_FOREIGN_OBJECT', `a Service named ${service.name} exists and is not owned by BalancedService ${owner}; remove or rename it`);
    }
    if (serviceMatches(wanted, existing)) return;
    if (needsRecreate(wanted, existing)) {
      await this.api.remove(SERVICES, service.name, { uid: existing.metadata?.uid });
      await this.api.create(SERVICES, wanted);
      return;
    }
    await this.api.replace(SERVICES, serviceReplacing(wanted, existing));
  }

  /** id is OWNER/DEPLOYMENT-UID (the uid is empty when only the Service or PodDisruptionBudget was left). */
  private async deleteService(name: string, id: string): Promise<void> {
    const at = id.lastIndexOf('/');
    const [owner, uid] = at < 0 ? ['', id] : [id.slice(0, at), id.slice(at + 1)];
    if (uid) await this.api.remove(DEPLOYMENTS, name, { uid });
    if (!owner) return;
    const budgetType = await this.budgets.resource();
    for (const type of [SERVICES, budgetType]) {
      const companion = await this.api.get<Labelled>(type, name);
      if (companion?.metadata?.labels?.[LABEL_OWNER] === owner) await this.api.remove(type, name, { uid: companion.metadata.uid });
    }
  }
}

/** The planner's version of a Deployment: its generation, which only spec changes bump. */
function generationOf(deployment: V1Deployment): number {
  const generation = deployment.metadata?.generation;
  if (!Number.isSafeInteger(generation)) {
    throw new BsoError('BSO_BACKEND_UNAVAILABLE', `Deployment ${deployment.metadata?.name} has no metadata.generation; the API server is not a Kubernetes one bso knows`);
  }
  return generation!;
}

const KIND_ORDER: Record<ObjectKind, number> = { network: 0, secret: 1, service: 2 };
function byKindAndName(a: ObservedObject, b: ObservedObject): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name);
}
