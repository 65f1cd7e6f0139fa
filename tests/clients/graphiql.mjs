// GraphiQL in headless Chromium with no outside host: the page's pinned files (GraphiQL
// 4.1.2, React 18.3.1 from unpkg.com) are answered from the same npm packages installed
// here, so the browser checks them against the page's integrity hashes; every other
// outside request is refused. GraphiQL must fetch the schema, take a typed query and
// show the answer; with unpkg.com unreachable too, the page must say why and show a
// curl command with the key.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { KEY, URL, ok } from './env.mjs';

const require = createRequire(import.meta.url);
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));
// unpkg.com/<name>@<version>/<path> → the installed package's file, at that version only.
function localFile(pathname) {
  const match = pathname.match(/^\/((?:@[^/]+\/)?[^/@]+)@([^/]+)\/(.+)$/);
  if (!match) return null;
  const [, name, version, path] = match;
  const dir = packageDir(name);
  const installed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  assert.equal(installed, version, `the page pins ${name}@${version}; ${installed} is installed`);
  return join(dir, path);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const local = new globalThis.URL(URL).host;

async function open(cdnReachable) {
  const page = await browser.newPage();
  const outside = [];
  await page.route('**/*', (route) => {
    const url = new globalThis.URL(route.request().url());
    if (url.host === local) return route.continue();
    if (cdnReachable && url.hostname === 'unpkg.com') {
      const file = localFile(url.pathname);
      if (file) {
        const type = file.endsWith('.css') ? 'text/css' : 'application/javascript';
        return route.fulfill({ path: file, contentType: type, headers: { 'access-control-allow-origin': '*' } });
      }
    }
    outside.push(url.href);
    return route.abort('internetdisconnected');
  });
  return { page, outside };
}

try {
  // Online (unpkg.com answered from the npm packages): GraphiQL works.
  {
    const { page, outside } = await open(true);
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const introspected = page.waitForResponse(
      async (r) => r.url() === URL && r.request().method() === 'POST' && (r.request().postData() || '').includes('__schema'),
      { timeout: 30000 },
    );
    await page.goto(URL, { waitUntil: 'load' });
    const schema = await (await introspected).json();
    assert.equal(schema.errors, undefined, JSON.stringify(schema.errors));
    assert.ok(schema.data.__schema.types.length > 50);
    await page.waitForSelector('.graphiql-container', { timeout: 30000 });
    ok(`GraphiQL: loaded and fetched the schema (${schema.data.__schema.types.length} types)`);

    // The headers start with the demo key.
    const headers = await page.evaluate(() => document.querySelector('.graphiql-editor-tool .graphiql-editor:last-child .CodeMirror')?.CodeMirror?.getValue() ?? '');
    assert.ok(headers.includes(`Bearer ${KEY}`), `headers: ${headers}`);

    // The docs explorer lists the root type's fields.
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer', { timeout: 10000 });
    await page.click('.graphiql-doc-explorer a:has-text("Query")');
    await page.waitForSelector('.graphiql-doc-explorer :text("monthlyReport")', { timeout: 10000 });
    ok('GraphiQL: the docs explorer shows Query.monthlyReport');

    // Type a query and run it.
    const editor = page.locator('.graphiql-query-editor .CodeMirror');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ viewer { environment { name timeZone', { delay: 5 });
    await page.keyboard.press('Escape');
    const typed = await page.evaluate(() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue());
    // CodeMirror closes each brace as it is typed.
    assert.equal(typed.replace(/\s+/g, ''), '{viewer{environment{nametimeZone}}}', `typed: ${typed}`);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(
      () => (document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '').includes('timeZone'),
      null,
      { timeout: 20000 },
    );
    const answer = JSON.parse(await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()));
    assert.deepEqual(answer.data, { viewer: { environment: { name: 'demo', timeZone: 'Europe/Amsterdam' } } });
    ok('GraphiQL: a typed query answered {viewer: {environment: {name: "demo", timeZone: "Europe/Amsterdam"}}}');

    // A key set in the headers is kept by the browser: entered once, there on the next visit.
    const headersEditor = '.graphiql-editor-tool .graphiql-editor:last-child .CodeMirror';
    await page.evaluate(
      ([selector, key]) => document.querySelector(selector).CodeMirror.setValue(JSON.stringify({ Authorization: `Bearer ${key}`, 'X-Kept': 'yes' })),
      [headersEditor, KEY],
    );
    await page.waitForTimeout(1000);
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('.graphiql-container', { timeout: 30000 });
    await page.waitForFunction((selector) => !!document.querySelector(selector)?.CodeMirror, headersEditor, { timeout: 10000 });
    const kept = await page.evaluate((selector) => document.querySelector(selector).CodeMirror.getValue(), headersEditor);
    assert.ok(kept.includes('X-Kept'), `headers after a reload: ${kept}`);
    ok('GraphiQL: the headers set are kept across visits');
    assert.deepEqual(outside, [], 'no other outside request');
    assert.deepEqual(errors, [], 'no page errors');
    await page.close();
  }
  // Offline (unpkg.com unreachable): the page says why, with a curl command and the schema.
  {
    const { page, outside } = await open(false);
    await page.goto(URL, { waitUntil: 'load' });
    await page.waitForSelector('#offline:not([hidden])', { timeout: 30000 });
    const text = await page.locator('#offline').innerText();
    assert.ok(text.includes('GraphiQL could not load'), text);
    assert.ok(text.includes(`Authorization: Bearer ${KEY}`), text);
    assert.ok(outside.every((u) => u.startsWith('https://unpkg.com/')), outside.join(' '));
    const sdl = await (await page.request.get(new globalThis.URL('/schema.graphql', URL).href)).text();
    assert.ok(sdl.includes('type Query'));
    ok('GraphiQL offline: the page says why, shows a curl command with the demo key, and /schema.graphql serves the SDL');
    await page.close();
  }
} finally {
  await browser.close();
}
