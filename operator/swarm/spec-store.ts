// BalancedService specs stored in the Swarm itself, as config objects labelled as specs:
// an operator started on any manager, or restarted, finds them. Configs are immutable, so each
// changed apply writes generation N+1 and then removes the older ones.
import type Docker from 'dockerode';
import { loadSpecFromStore, unreadableSpec, type SpecFromStore } from '../../crd/spec-from-store.js';
import type { BalancedService } from '../../crd/types.generated.js';
import { BsoError } from '../../lib/errors.js';
import { LABEL_COMPONENT, LABEL_OWNER, LABEL_SPEC_HASH, LABEL_MANAGED_BY, MANAGED_BY } from '../../contract/names.js';
import { specHash } from '../core/spec-hash.js';
import type { PutResult, StoredSpec } from '../backend.js';
import { dockerStatus } from './docker-client.js';

export const LABEL_GENERATION = 'bso.dev/generation';
export const LABEL_CREATED_AT = 'bso.dev/created-at';

interface SpecConfig { id: string; name: string; generation: number; hash: string; createdAt: string; updatedAt: string; data: string }

export const specConfigName = (name: string, generation: number) => `bso-spec-${name}-g${generation}`;

/**
 * The Docker config that stores generation `generation` of spec `name`: `stored` is written as
 * given (put() passes a validated spec; tests pass what an older bso or a hand edit might have).
 */
export function specConfigBody(name: string, generation: number, stored: object, hash: string, createdAt = new Date().toISOString()) {
  return {
    Name: specConfigName(name, generation),
    Labels: {
      [LABEL_OWNER]: name, [LABEL_COMPONENT]: 'spec', [LABEL_MANAGED_BY]: MANAGED_BY,
      [LABEL_GENERATION]: String(generation), [LABEL_SPEC_HASH]: hash, [LABEL_CREATED_AT]: createdAt,
    },
    Data: Buffer.from(JSON.stringify(stored)).toString('base64'),
  };
}

/** What identifies a spec's content: metadata and spec, never status. */
export function storedContentHash(object: BalancedService): string {
  return specHash({ metadata: object.metadata, spec: object.spec });
}

/** A stored config's spec, through the one loader (crd/spec-from-store.ts): defaults or issues. */
function loadStored(owner: string, config: SpecConfig): SpecFromStore {
  const source = `swarm config ${config.name}`;
  let raw: unknown;
  try {
    raw = JSON.parse(config.data);
  } catch (error) {
    return unreadableSpec(owner, source, `is not JSON: ${(error as Error).message}`);
  }
  return loadSpecFromStore(raw, owner, source);
}

export class SwarmSpecStore {
  /**
   * Loaded specs by config ID. A Docker config never changes, so each is validated once, not on
   * every list() (the reconciler lists the specs on each reconcile).
   */
  private readonly loaded = new Map<string, SpecFromStore>();

  constructor(private readonly docker: Docker) {}

  async list(): Promise<StoredSpec[]> {
    const latest = new Map<string, SpecConfig>();
    const firstCreated = new Map<string, string>();
    for (const config of await this.configs()) {
      const owner = config.name.replace(/^bso-spec-/, '').replace(/-g\d+$/, '');
      const current = latest.get(owner);
      if (!current || config.generation > current.generation) latest.set(owner, config);
      const created = firstCreated.get(owner);
      if (!created || config.createdAt < created) firstCreated.set(owner, config.createdAt);
    }
    const out: StoredSpec[] = [];
    const seen = new Set<string>();
    for (const [owner, config] of [...latest].sort(([a], [b]) => a.localeCompare(b))) {
      const loaded = this.loaded.get(config.id) ?? loadStored(owner, config);
      this.loaded.set(config.id, loaded);
      seen.add(config.id);
      out.push({ ...loaded, generation: config.generation, createdAt: firstCreated.get(owner) ?? config.createdAt, updatedAt: config.updatedAt });
    }
    for (const id of this.loaded.keys()) if (!seen.has(id)) this.loaded.delete(id);
    return out;
  }

  async get(name: string): Promise<StoredSpec | undefined> {
    return (await this.list()).find((s) => s.name === name);
  }

  async put(object: BalancedService): Promise<PutResult> {
    const name = object.metadata.name;
    const mine = (await this.configs()).filter((c) => c.name === specConfigName(name, c.generation));
    const latest = mine.reduce<SpecConfig | undefined>((a, c) => (!a || c.generation > a.generation ? c : a), undefined);
    const hash = storedContentHash(object);
    if (latest && latest.hash === hash) return { generation: latest.generation, changed: false };
    const generation = (latest?.generation ?? 0) + 1;
    const stored = { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec };
    try {
      await this.docker.createConfig(specConfigBody(name, generation, stored, hash, mine.map((c) => c.createdAt).sort()[0]) as never);
    } catch (error) {
      if (dockerStatus(error) === 409) throw new BsoError('BSO_CONFLICT', `BalancedService ${name} was changed concurrently; apply again`, { transient: true, cause: error });
      throw error;
    }
    for (const old of mine) await this.removeQuietly(old.id);
    return { generation, changed: true };
  }

  async delete(name: string): Promise<boolean> {
    const mine = (await this.configs()).filter((c) => c.name === specConfigName(name, c.generation));
    for (const config of mine) await this.removeQuietly(config.id);
    return mine.length > 0;
  }

  private async configs(): Promise<SpecConfig[]> {
    const configs = await this.docker.listConfigs({ filters: { label: [`${LABEL_COMPONENT}=spec`] } });
    return configs.map((c) => {
      const spec = c.Spec as { Name?: string; Labels?: Record<string, string>; Data?: string };
      const labels = spec.Labels ?? {};
      return {
        id: c.ID,
        name: spec.Name ?? '',
        generation: Number(labels[LABEL_GENERATION] ?? 0),
        hash: labels[LABEL_SPEC_HASH] ?? '',
        createdAt: labels[LABEL_CREATED_AT] ?? c.CreatedAt ?? '',
        updatedAt: c.CreatedAt ?? '',
        data: Buffer.from(spec.Data ?? '', 'base64').toString('utf8'),
      };
    });
  }

  private async removeQuietly(id: string): Promise<void> {
    try {
      await this.docker.getConfig(id).remove();
    } catch (error) {
      if (dockerStatus(error) !== 404) throw error;
    }
  }
}
