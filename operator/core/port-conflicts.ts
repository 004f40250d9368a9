// Two BalancedServices cannot publish the same host port. The one applied first keeps it; the
// later one gets a terminal BSO_PORT_TAKEN in its status. Pure.
import type { BalancedService } from '../../crd/types.generated.js';

export interface SpecWithAge { object: BalancedService; createdAt: string }

export function publishedPorts(object: BalancedService): number[] {
  return [object.spec.haproxy.port, object.spec.haproxy.statsPort];
}

/** For the named spec: a message per port already published by an older spec, or []. */
export function portConflictsFor(name: string, specs: readonly SpecWithAge[]): string[] {
  const self = specs.find((s) => s.object.metadata.name === name);
  if (!self) return [];
  const older = specs.filter((s) => s !== self && isOlder(s, self));
  const messages: string[] = [];
  for (const port of publishedPorts(self.object)) {
    const holder = older.find((s) => publishedPorts(s.object).includes(port));
    if (holder) messages.push(`port ${port} is already published by BalancedService ${holder.object.metadata.name}`);
  }
  return messages;
}

function isOlder(a: SpecWithAge, b: SpecWithAge): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.object.metadata.name < b.object.metadata.name);
}
