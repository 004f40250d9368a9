// Module resolution hooks (see record-imports.mjs): log each resolved URL, change nothing.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (process.env.BSO_IMPORTS_LOG) appendFileSync(process.env.BSO_IMPORTS_LOG, `${result.url}\n`);
  return result;
}
