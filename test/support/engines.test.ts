// package.json's engines states the real minimum: every direct dependency (dev ones too: the test
// command runs them) accepts the Node.js version engines names as its lowest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string> };

type Version = [number, number, number];
const parse = (text: string): Version => { const [a = 0, b = 0, c = 0] = text.split('.').map(Number); return [a, b, c]; };
const compare = (x: Version, y: Version) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** Whether `version` satisfies a range made of ">=X", "^X" and "X - Y"-free terms joined by "||". */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) => alternative.trim().replace(/(>=|<=|>|<|\^|=)\s+/g, '$1').split(/\s+/).every((term) => {
    const m = /^(>=|\^|>|<=|<|=)?v?(\d+(?:\.\d+){0,2})(?:\.x)?$/.exec(term);
    if (!m) throw new Error(`cannot read the engines term ${JSON.stringify(term)} of ${range}`);
    const v = parse(m[2]!);
    switch (m[1]) {
      case '>=': return compare(version, v) >= 0;
      case '>': return compare(version, v) > 0;
      case '<=': return compare(version, v) <= 0;
      case '<': return compare(version, v) < 0;
      case '^': return version[0] === v[0] && compare(version, v) >= 0;
      default: return m[2]!.split('.').every((part, i) => Number(part) === version[i]);
    }
  }));
}

test('engines.node is a minimum every direct dependency accepts', () => {
  const minimum = /^>=(\d+\.\d+(?:\.\d+)?)$/.exec(pkg.engines.node);
  assert.ok(minimum, `engines.node should be ">=X.Y", not ${pkg.engines.node}`);
  const lowest = parse(minimum[1]!);
  const refused: string[] = [];
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const engines = (JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')) as { engines?: { node?: string } }).engines?.node;
    if (engines && !satisfies(lowest, engines)) refused.push(`${name} wants ${engines}`);
  }
  assert.deepEqual(refused, [], `engines.node ${pkg.engines.node} is below what these need`);
});
