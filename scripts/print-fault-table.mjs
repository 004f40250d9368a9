#!/usr/bin/env node
// Prints the fault suite's rows (JSON lines written by test/faults/fault-table.ts) as a Markdown
// table, sorted by row number. Usage: print-fault-table.mjs FILE [--out FILE.md]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const [file, flag, out] = process.argv.slice(2);
if (!file) {
  console.error('usage: print-fault-table.mjs ROWS.jsonl [--out TABLE.md]');
  process.exit(2);
}
const rows = existsSync(file)
  ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
  : [];
rows.sort((a, b) => Number.parseFloat(a.row) - Number.parseFloat(b.row) || a.at.localeCompare(b.at));
const cell = (text) => String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');
const lines = [
  '| # | Fault or input | Figure | Lost | Result |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${cell(r.row)} | ${cell(r.fault)} | ${cell(r.figure)} | ${cell(r.lost)} | ${r.passed ? 'pass' : '**FAIL**'} |`),
];
const table = `${lines.join('\n')}\n`;
process.stdout.write(`\n${table}`);
if (flag === '--out' && out) writeFileSync(out, table);
