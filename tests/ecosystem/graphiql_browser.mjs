// Opens GraphiQL in headless Chromium, runs a query through the editor with
// the API key in the headers, prints the result pane's text as JSON, and
// saves a screenshot.  node graphiql_browser.mjs URL KEY SCREENSHOT CHROMIUM
import { chromium } from 'playwright-core';

const [url, key, screenshot, executablePath] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic'],
});
const failedRequests = [];
const consoleErrors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('requestfailed', (request) => failedRequests.push(request.url()));
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  // What a person does once: paste the key into the pre-wired header (GraphiQL keeps it).
  await page.addInitScript((value) => {
    window.localStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: `Bearer ${value}` }));
  }, key);
  await page.goto(url, { waitUntil: 'networkidle' });
  const editor = page.locator('.graphiql-query-editor .CodeMirror');
  await editor.waitFor();
  await editor.evaluate((element) => element.CodeMirror.setValue('{ campaigns { totalCount nodes { name status } } }'));
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.graphiql-response .CodeMirror');
  await result.filter({ hasText: 'totalCount' }).waitFor({ timeout: 30000 });
  const text = await result.evaluate((element) => element.CodeMirror.getValue());
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ result: JSON.parse(text), failedRequests, consoleErrors }));
} finally {
  await browser.close();
}
