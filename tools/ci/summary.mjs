// Prints the plain closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON report,
// and fails when the report is missing, a suite failed to load, or no test ran.
import { readFileSync } from 'node:fs';

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.error(`no test report at ${path}: ${error.message}`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// a test file that fails to import counts no failed test, but fails its suite
const failed = report.numFailedTests + (report.numFailedTestSuites > 0 && report.numFailedTests === 0 ? 1 : 0);
console.log(`${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) {
  console.error('no tests ran');
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
