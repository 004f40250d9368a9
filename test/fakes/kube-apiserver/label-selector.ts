// Label selectors for the FAKE Kubernetes API server: the equality-based forms only
// (`key`, `!key`, `key=value`, `key==value`, `key!=value`, comma-separated). Set-based forms
// (`key in (a,b)`, `key notin (...)`) are refused, so a caller that needs them fails loudly.

export type LabelRequirement =
  | { op: 'exists' | 'absent'; key: string }
  | { op: 'equals' | 'differs'; key: string; value: string };

export class SelectorError extends Error {}

export function parseLabelSelector(text: string | null | undefined): LabelRequirement[] {
  if (!text) return [];
  return text.split(',').map((raw) => {
    const part = raw.trim();
    if (/\s(in|notin)\s|\(/.test(part)) throw new SelectorError(`the fake API server does not support set-based selectors: ${part}`);
    let match = /^([^!=]+)!=(.*)$/.exec(part);
    if (match) return { op: 'differs', key: match[1]!.trim(), value: match[2]!.trim() };
    match = /^([^!=]+)==?(.*)$/.exec(part);
    if (match) return { op: 'equals', key: match[1]!.trim(), value: match[2]!.trim() };
    if (part.startsWith('!')) return { op: 'absent', key: part.slice(1).trim() };
    if (!part) throw new SelectorError('empty requirement in label selector');
    return { op: 'exists', key: part };
  });
}

export function matchesLabels(requirements: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const have = labels ?? {};
  return requirements.every((r) => {
    const present = Object.hasOwn(have, r.key);
    switch (r.op) {
      case 'exists': return present;
      case 'absent': return !present;
      case 'equals': return present && have[r.key] === r.value;
      case 'differs': return !present || have[r.key] !== r.value;
    }
  });
}
