// Several services' HAProxy configs as one file, for timing `haproxy -c` as the number of
// services grows: the first config whole, then every other config's own frontends and backends
// (global, defaults, resolvers and the stats frontend appear once). Pure.

interface Section { header: string; text: string }

/** Top-level sections (a line without indentation starts one); comments before the first are dropped. */
export function splitSections(config: string): Section[] {
  const sections: Section[] = [];
  for (const line of config.split('\n')) {
    if (/^[a-z]/.test(line)) sections.push({ header: line.trim(), text: `${line}\n` });
    else if (sections.length > 0) sections.at(-1)!.text += `${line}\n`;
  }
  return sections;
}

export function mergeConfigs(configs: readonly string[]): string {
  if (configs.length === 0) return '';
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [i, config] of configs.entries()) {
    for (const section of splitSections(config)) {
      const perService = /^(frontend|backend|listen) /.test(section.header) && section.header !== 'frontend stats';
      if (i > 0 && !perService) continue;
      if (seen.has(section.header)) throw new Error(`section "${section.header}" appears twice: give every service its own name`);
      seen.add(section.header);
      out.push(section.text.trimEnd());
    }
  }
  return `${out.join('\n\n')}\n`;
}
