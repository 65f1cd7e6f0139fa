// Runs graphql-http's server audits against the URL given as the first argument.
// Every MUST has to pass, and every SHOULD except those README explains (none today).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const allowedShouldFailures = new Set([]);

const results = await auditServer({ url });
let failed = 0;
for (const r of results) {
  const mark = r.status === 'ok' ? 'ok  ' : r.status === 'warn' ? 'WARN' : 'FAIL';
  const excused = r.status !== 'ok' && allowedShouldFailures.has(r.id);
  console.log(`${mark} ${r.id} ${r.name}${r.status !== 'ok' ? ` — ${r.reason}` : ''}${excused ? ' (explained in README)' : ''}`);
  if (r.status !== 'ok' && !excused && !r.name.startsWith('MAY')) failed += 1;
}
const ok = results.filter((r) => r.status === 'ok').length;
console.log(`graphql-http audit: ${ok} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
