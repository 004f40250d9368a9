// The pure HAProxy renderer: spec -> model -> text.
export { buildHAProxyModel, replicasDnsName, SERVER_PREFIX, SERVER_WEIGHT } from './build-model.js';
export { renderHAProxyConfig } from './render-config.js';
export { renderServiceConfig, type RenderedConfig } from './render-service.js';
export { slotsFor, MIN_SLOTS, MAX_SLOTS } from './slots.js';
export { hashConfigText } from './config-hash.js';
export { tokenizeConfig, type ConfigLine } from './config-tokens.js';
export { UnsafeConfigValueError } from './config-text.js';
export * from './context.js';
export type * from './model.js';
