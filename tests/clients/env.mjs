// What every check needs: the server's GraphQL address and the demo key (set by run.sh),
// and the demo's "last month" in its zone.
import assert from 'node:assert/strict';

export const URL = process.env.DAM_URL;
export const KEY = process.env.DAM_KEY;
assert.ok(URL && KEY, 'DAM_URL and DAM_KEY must be set (run.sh sets them)');

/** Last month in the demo environment's zone (Europe/Amsterdam), as YYYY-MM. */
export function lastMonth() {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .split('-')
    .map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function ok(what) {
  console.log(`ok: ${what}`);
}
