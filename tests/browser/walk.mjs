// Walks the dashboard of a running dam-insights in Debian's chromium: sign-in with the
// demo key the sign-in page offers, the monthly report, a drilldown from a number to
// the events behind it and on to an asset page, a date-range series, the admin
// dashboard and a CSV download. Saves a screenshot of each page, prints each page's
// Server-Timing, and fails on any console error, page error, failed request or HTTP
// error status.
//
// usage: node walk.mjs BASE_URL SCREENSHOT_DIR [MONTH]
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, shots, month = '2026-10'] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node walk.mjs BASE_URL SCREENSHOT_DIR [MONTH]');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const problems = [];
const timings = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
const page = await context.newPage();
page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`); });
page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
page.on('requestfailed', (r) => {
  // A download's navigation is handed to the download manager: not a failure.
  if (r.failure()?.errorText === 'net::ERR_ABORTED' && r.url().includes('/csv/')) return;
  problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
});
page.on('response', (r) => {
  if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  const timing = r.headers()['server-timing'];
  if (timing && r.request().resourceType() === 'document') {
    timings.push({ url: r.url().replace(base, ''), timing });
  }
});

const step = (name) => console.log(`-- ${name}`);
const expect = (ok, what) => { if (!ok) throw new Error(`expected ${what} on ${page.url()}`); };
const shoot = async (name) => {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  console.log(`   screenshot ${name}.png`);
};

try {
  step('sign-in');
  await page.goto(`${base}/`);
  expect(new URL(page.url()).pathname === '/sign-in', 'the sign-in page for a visitor without a key');
  expect(await page.locator('#use-demo-key').count() === 1, 'the demo key offered');
  await shoot('sign-in');
  await Promise.all([page.waitForURL('**/monthly**'), page.click('#use-demo-key')]);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'dami_session');
  expect(session && session.httpOnly && session.sameSite === 'Strict', 'an HttpOnly, SameSite=Strict session cookie');

  step('monthly report');
  await page.goto(`${base}/monthly?month=${month}`);
  expect(await page.locator('.card').count() === 5, 'five summary cards');
  expect(await page.locator('figure.chart svg').count() >= 10, 'the trend charts');
  const downloads = await page.locator('[data-field="summary.downloads"] [data-value]').getAttribute('data-value');
  console.log(`   ${month}: ${downloads} downloads`);
  await shoot('monthly-report');
  await page.screenshot({ path: join(shots, 'monthly-report-top.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1180 } });
  console.log('   screenshot monthly-report-top.png');

  step('phone width');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/monthly?month=${month}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow <= 0, `no sideways scrolling of the page at phone width (overflow ${overflow}px)`);
  await page.screenshot({ path: join(shots, 'monthly-report-phone.png'), fullPage: false });
  console.log('   screenshot monthly-report-phone.png');
  await page.setViewportSize({ width: 1280, height: 800 });

  step('CSV download');
  await page.goto(`${base}/monthly?month=${month}`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#assets a.csv'),
  ]);
  const file = await download.path();
  const lines = readFileSync(file, 'utf8').trim().split('\r\n');
  expect(lines[0] === 'assetId,filename,assetType,downloads,users', `the CSV header (got ${lines[0]})`);
  expect(lines.length > 1, 'CSV rows');
  console.log(`   top-downloaded-assets.csv: ${lines.length - 1} rows`);

  step('drilldown: a number, its events, an asset');
  await Promise.all([page.waitForURL('**/events?**'), page.click('[data-field="summary.downloads"] a')]);
  const total = await page.locator('[data-field="events.totalCount"]').textContent();
  expect(total.replace(/,/g, '') === downloads, `the events behind ${downloads} downloads (found ${total})`);
  await shoot('events');
  await Promise.all([page.waitForURL('**/assets/**'), page.locator('table.events tbody a[href^="/assets/"]').first().click()]);
  expect(await page.locator('[data-field="stats.downloads"]').count() === 1, 'the asset\'s stats');
  expect(await page.locator('table.events tbody tr').count() >= 1, 'the asset\'s history');
  await shoot('asset');

  step('date-range series');
  await page.goto(`${base}/series`);
  const checked = await page.locator('fieldset.metrics input:checked').evaluateAll((inputs) => inputs.map((i) => i.value));
  for (const value of checked) await page.uncheck(`fieldset.metrics input[value="${value}"]`);
  await page.check('input[value="UPLOADS"]');
  await page.check('input[value="DOWNLOADS"]');
  await page.check('input[value="ACTIVE_USERS"]');
  await page.fill('input[name="from"]', '2026-05-01');
  await page.fill('input[name="to"]', '2026-10-31');
  await page.selectOption('select[name="interval"]', 'WEEK');
  await page.selectOption('select[name="a"]', 'SEARCHES');
  await page.selectOption('select[name="b"]', 'DOWNLOADS');
  await Promise.all([page.waitForURL('**/series?**'), page.click('form.filters button[type="submit"]')]);
  expect(await page.locator('#series-chart svg').count() === 1, 'the series chart');
  expect(await page.locator('#series-chart tbody tr').count() >= 26, 'a row per week');
  const r = await page.locator('[data-field="correlation.coefficient"] [data-value]').getAttribute('data-value');
  console.log(`   correlation(SEARCHES, DOWNLOADS) = ${r}`);
  await shoot('series');

  step('admin dashboard');
  await Promise.all([page.waitForURL('**/admin'), page.click('nav a[href="/admin"]')]);
  expect(await page.locator('[data-field="assets.total"]').count() === 1, 'the totals');
  expect(await page.locator('#uploads-per-day svg').count() === 1, 'uploads per day');
  await shoot('admin');

  step('sign-out');
  await Promise.all([page.waitForURL('**/sign-in'), page.click('.sign-out button')]);
  expect(!(await context.cookies()).some((c) => c.name === 'dami_session'), 'the cookie removed');
} catch (err) {
  problems.push(String(err.stack || err));
} finally {
  await browser.close();
}

console.log('\nserver time per page (Server-Timing, ms):');
for (const t of timings) console.log(`   ${t.url}  ${t.timing}`);
if (problems.length) {
  console.error(`\n${problems.length} problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log('\nbrowser walk: 1 passed, 0 failed');
