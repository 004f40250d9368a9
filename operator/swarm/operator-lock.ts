// The leader lease on Swarm: the labels of a service of bso's own, bso-operator-lock, with no
// replicas (it never runs a task). Docker versions every service; an update names the version it
// read and is refused ("update out of sequence") when another operator wrote in between, which
// is what makes the election safe (operator/core/leader-election.ts). Only the endpoints the
// socket proxy already allows are used: list, create and update services.
import type Docker from 'dockerode';
import { LABEL_COMPONENT } from '../../contract/names.js';
import type { LeaseRecord, LeaseStore, LeaseTiming } from '../core/leader-election.js';
import { dockerStatus } from './docker-client.js';

export const LOCK_SERVICE = 'bso-operator-lock';
/**
 * Shorter than Kubernetes' 15 s Lease: a standby takes over at most leaseDuration + retryEvery
 * after the leader's last renewal, within 15 s of its death. A leader whose Docker does not
 * answer for 7 s steps down.
 */
export const SWARM_LEASE_TIMING: LeaseTiming = { leaseDurationMs: 10_000, renewDeadlineMs: 7_000, retryEveryMs: 2_000 };
/** Never pulled or run (0 replicas); a service needs an image reference all the same. */
const LOCK_IMAGE = 'bso-operator:latest';
const LABEL = {
  holder: 'bso.dev/lease-holder',
  renewTime: 'bso.dev/lease-renew-time',
  durationSeconds: 'bso.dev/lease-duration-seconds',
  acquireTime: 'bso.dev/lease-acquire-time',
  transitions: 'bso.dev/lease-transitions',
} as const;

interface LockVersion { id: string; index: number; spec: Docker.ServiceSpec }

export class SwarmLockStore implements LeaseStore {
  readonly where = `service ${LOCK_SERVICE}`;

  constructor(private readonly docker: Docker) {}

  async read(): Promise<{ record: LeaseRecord; version: unknown } | undefined> {
    const services = await this.docker.listServices({ filters: { name: [LOCK_SERVICE] } });
    // The list already carries each service's spec and version (the name filter is a prefix match).
    const found = services.find((s) => s.Spec?.Name === LOCK_SERVICE);
    if (!found?.ID) return undefined;
    const labels = found.Spec?.Labels ?? {};
    const version: LockVersion = { id: found.ID, index: found.Version?.Index ?? 0, spec: found.Spec as Docker.ServiceSpec };
    return { record: recordOf(labels), version };
  }

  async create(record: LeaseRecord): Promise<boolean> {
    try {
      await this.docker.createService(specOf(record, undefined) as Docker.CreateServiceOptions);
      return true;
    } catch (error) {
      if (dockerStatus(error) === 409) return false; // another operator created it first
      throw error;
    }
  }

  async write(record: LeaseRecord, version: unknown): Promise<boolean> {
    const { id, index, spec } = version as LockVersion;
    try {
      await this.docker.getService(id).update({ version: index, ...specOf(record, spec) } as never);
      return true;
    } catch (error) {
      const status = dockerStatus(error);
      if (status === 409 || status === 404 || (status === 500 && /update out of sequence/i.test(String((error as Error).message)))) return false;
      throw error;
    }
  }
}

function recordOf(labels: Record<string, string>): LeaseRecord {
  const number = (value: string | undefined, fallback: number) => (value !== undefined && /^\d+$/.test(value) ? Number(value) : fallback);
  return {
    holder: labels[LABEL.holder] ?? '',
    renewTime: labels[LABEL.renewTime] ?? '',
    durationSeconds: number(labels[LABEL.durationSeconds], 15),
    acquireTime: labels[LABEL.acquireTime] || undefined,
    transitions: number(labels[LABEL.transitions], 0),
  };
}

/** The lock service's spec: the record in its labels; the rest as read (or a minimal one). */
function specOf(record: LeaseRecord, current: Docker.ServiceSpec | undefined): Docker.ServiceSpec {
  const base: Docker.ServiceSpec = current ?? {
    Name: LOCK_SERVICE,
    TaskTemplate: { ContainerSpec: { Image: LOCK_IMAGE } },
    Mode: { Replicated: { Replicas: 0 } },
  };
  return {
    ...base,
    Labels: {
      [LABEL_COMPONENT]: 'operator-lock',
      [LABEL.holder]: record.holder,
      [LABEL.renewTime]: record.renewTime,
      [LABEL.durationSeconds]: String(record.durationSeconds),
      ...(record.acquireTime ? { [LABEL.acquireTime]: record.acquireTime } : {}),
      [LABEL.transitions]: String(record.transitions),
    },
  };
}
