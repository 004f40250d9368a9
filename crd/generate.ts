// npm run generate: writes the files derived from the schema and the README's spec reference.
import { readFileSync, writeFileSync } from 'node:fs';
import { generatedFiles, readmeWithSpecReference } from './generated-files.js';

const root = new URL('..', import.meta.url);
for (const [path, content] of Object.entries(await generatedFiles())) {
  writeFileSync(new URL(path, root), content);
  console.log(`wrote ${path}`);
}
const readmeUrl = new URL('README.md', root);
writeFileSync(readmeUrl, readmeWithSpecReference(readFileSync(readmeUrl, 'utf8')));
console.log('wrote README.md (spec reference)');
