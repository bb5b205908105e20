// Prints the plain summary line "N passed, N failed" from vitest's JSON report (argv[2]).
import { readFileSync } from 'node:fs';

const path = process.argv[2] ?? 'build/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch {
  console.log(
    `tests: 0 passed, 1 failed (no vitest report at ${path}: the type check or the runner failed first)`,
  );
  process.exit(0);
}
const passed = report.numPassedTests ?? 0;
// A file that fails to load has no test results of its own: count it as one failure.
const brokenFiles = (report.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).length,
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
