// Jest's --json results of `npm test`, which may come from more than one Jest process (the unit and
// adapters tiers run beside the integration tier):
//   node scripts/jest-results.js merge OUT IN...   one results file, as a single Jest run writes it
//   node scripts/jest-results.js tally FILE        the closing line CI reads: "Tests: N passed, N failed"
//   node scripts/jest-results.js slowest FILE [N]  the N test files that took longest (where CI time goes)
'use strict';
const fs = require('node:fs');

const [command, file, ...rest] = process.argv.slice(2);
const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));

if (command === 'merge') {
  const parts = rest.filter((f) => fs.existsSync(f)).map(read);
  if (parts.length === 0) process.exit(1);
  const merged = { ...parts[0], testResults: [] };
  for (const key of Object.keys(merged)) {
    if (/^num[A-Z]/.test(key)) merged[key] = parts.reduce((sum, p) => sum + (p[key] ?? 0), 0);
  }
  merged.success = parts.every((p) => p.success);
  merged.wasInterrupted = parts.some((p) => p.wasInterrupted);
  merged.startTime = Math.min(...parts.map((p) => p.startTime));
  merged.testResults = parts.flatMap((p) => p.testResults);
  fs.writeFileSync(file, JSON.stringify(merged));
} else if (command === 'tally') {
  const r = read(file);
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ''));
} else if (command === 'slowest') {
  const r = read(file);
  const rows = r.testResults.map((t) => ({ secs: (t.endTime - t.startTime) / 1000, name: t.name.replace(`${process.cwd()}/`, '') }));
  rows.sort((a, b) => b.secs - a.secs);
  for (const row of rows.slice(0, Number(rest[0] ?? 20))) console.log(`${row.secs.toFixed(1).padStart(7)} s  ${row.name}`);
} else {
  console.error('usage: node scripts/jest-results.js merge OUT IN... | tally FILE | slowest FILE [N]');
  process.exit(2);
}
