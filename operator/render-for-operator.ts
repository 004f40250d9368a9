// The HAProxy config the operator serves for a spec: the pure renderer plus the slot count the
// operator remembers per service, so scaling down never shrinks slots (and never reloads).
import type { BalancedService } from '../crd/types.generated.js';
import { buildHAProxyModel } from '../haproxy/render/build-model.js';
import type { Discovery } from '../haproxy/render/context.js';
import { renderHAProxyConfig } from '../haproxy/render/render-config.js';
import { hashConfigText } from '../haproxy/render/config-hash.js';
import { slotsFor } from '../haproxy/render/slots.js';
import type { RenderedConfig } from './core/service-status.js';

export function configRenderer(discovery: Discovery): (spec: BalancedService) => RenderedConfig {
  const slots = new Map<string, number>();
  return (spec) => {
    const name = spec.metadata.name;
    const count = slotsFor(spec.spec.replicas, slots.get(name));
    slots.set(name, count);
    const text = renderHAProxyConfig(buildHAProxyModel(spec, { discovery, slots: count }));
    return { text, hash: hashConfigText(text) };
  };
}
