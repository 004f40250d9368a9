// Convenience for the operator and the CLI: one spec -> its config text and hash.
import type { BalancedService } from '../../crd/types.generated.js';
import { buildHAProxyModel } from './build-model.js';
import { hashConfigText } from './config-hash.js';
import type { RenderContext } from './context.js';
import { renderHAProxyConfig } from './render-config.js';

export interface RenderedConfig { text: string; hash: string }

export function renderServiceConfig(spec: BalancedService, context: RenderContext): RenderedConfig {
  const text = renderHAProxyConfig(buildHAProxyModel(spec, context));
  return { text, hash: hashConfigText(text) };
}
