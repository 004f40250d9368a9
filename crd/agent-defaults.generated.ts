// Generated from crd/balancedservice.schema.json by `npm run generate`. Do not edit.
// The agent's defaults and limits as the schema declares them (durations as text).

export const SCHEMA_DEFAULTS = {"port":8080,"agentPort":9999,"maintAt":80,"readyAt":60,"metric":"cpu","sampleInterval":"250ms","smoothing":"1s","minMaintTime":"5s","agentInterval":"500ms","weighting":"proportional","maxconnPerServer":100,"healthPath":"/healthz","healthRise":2} as const;

/** minimum/maximum of spec.agent.thresholds.maint and .ready. */
export const THRESHOLD_RANGES = {"maint":{"min":1,"max":100},"ready":{"min":0,"max":99}} as const;

/** The values spec.agent.metric and spec.agent.weighting allow. */
export const METRIC_VALUES: readonly string[] = ["cpu","memory","max"];
export const WEIGHTING_VALUES: readonly string[] = ["proportional","binary"];
