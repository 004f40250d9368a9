// A seeded generator of valid BalancedService documents: random values anywhere the schema and
// the semantic rules allow, so the property tests cover far more than the golden files.

export type Random = () => number;

/** mulberry32: small, fast, good enough to spread test values; the same seed gives the same specs. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: Random, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, 0, items.length - 1)]!;
const chars = (r: Random, alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[int(r, 0, alphabet.length - 1)]).join('');

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const LABEL_CHARS = LOWER + '0123456789-';

export function dnsLabel(r: Random, maxLength: number): string {
  const length = int(r, 1, maxLength);
  if (length === 1) return chars(r, LOWER, 1);
  return chars(r, LOWER, 1) + chars(r, LABEL_CHARS, length - 2) + chars(r, LOWER + '0123456789', 1);
}

/** A duration string between min and max milliseconds, in a random unit that expresses it exactly. */
export function duration(r: Random, minMs: number, maxMs: number): string {
  const scale = pick(r, [1, 1000, 60_000, 3_600_000] as const);
  const unit = { 1: 'ms', 1000: 's', 60000: 'm', 3600000: 'h' }[scale];
  const lo = Math.ceil(minMs / scale);
  const hi = Math.min(Math.floor(maxMs / scale), 9_999_999);
  if (lo > hi) return `${Math.max(minMs, 0)}ms`;
  return `${int(r, lo, hi)}${unit}`;
}

function distinctPorts(r: Random): [number, number] {
  const a = int(r, 1, 65535);
  let b = int(r, 1, 65535);
  if (b === a) b = a === 65535 ? 1 : a + 1;
  return [a, b];
}

export function randomSpecDocument(r: Random): Record<string, unknown> {
  const [port, agentPort] = distinctPorts(r);
  const [haproxyPort, statsPort] = distinctPorts(r);
  const maint = int(r, 1, 100);
  const metadata: Record<string, unknown> = { name: dnsLabel(r, 40) };
  if (r() < 0.5) metadata.namespace = dnsLabel(r, 63);
  const haproxy: Record<string, unknown> = {
    port: haproxyPort,
    statsPort,
    balance: pick(r, ['leastconn', 'roundrobin']),
    maxconnPerServer: pick(r, [0, 1, int(r, 0, 100_000), 100_000]),
    slowstart: duration(r, 0, 3_600_000),
    retries: int(r, 0, 10),
    // 1..100: the structure stays the baseline's (0 drops the panic backend)
    panicThreshold: int(r, 1, 100),
    timeouts: {
      connect: duration(r, 1, 3_600_000),
      client: duration(r, 1, 86_400_000),
      server: duration(r, 1, 86_400_000),
      queue: duration(r, 1, 3_600_000),
    },
  };
  if (r() < 0.3) haproxy.statsSecret = dnsLabel(r, 63);
  if (r() < 0.3) haproxy.replicas = int(r, 1, 9);
  if (r() < 0.3) haproxy.nodeLabel = `${r() < 0.5 ? `${dnsLabel(r, 20)}.example/` : ''}${dnsLabel(r, 40)}=${dnsLabel(r, 20)}`;
  return {
    apiVersion: 'bso.dev/v1alpha1',
    kind: 'BalancedService',
    metadata,
    spec: {
      image: `${dnsLabel(r, 20)}:${int(r, 0, 99)}`,
      replicas: pick(r, [0, 1, int(r, 0, 1000), 1000]),
      port,
      healthCheck: {
        path: '/' + chars(r, 'abcXYZ019._~/-', int(r, 0, 60)),
        interval: duration(r, 100, 3_600_000),
        fall: int(r, 1, 100),
        rise: int(r, 1, 100),
      },
      agent: {
        port: agentPort,
        interval: duration(r, 100, 3_600_000),
        metric: pick(r, ['cpu', 'memory', 'max']),
        thresholds: { maint, ready: int(r, 0, maint - 1) },
      },
      haproxy,
    },
  };
}
