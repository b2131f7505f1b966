// Opens GraphiQL in headless Chromium with an empty profile, as a newcomer
// does: checks that the page says how to add a key (and sends nothing the
// server would refuse), pastes the key into the Headers tab, waits for the
// Docs pane to load by itself, runs a query through the editor, prints the
// outcome as JSON and saves a screenshot.
//   node graphiql_browser.mjs URL KEY SCREENSHOT CHROMIUM
import { launch } from './launch.mjs';

const [url, key, screenshot, executablePath] = process.argv.slice(2);
const browser = await launch(executablePath);
const failedRequests = [];
const consoleErrors = [];
const refusedResponses = [];
const graphqlPostsBeforeKey = [];
let keyPasted = false;
try {
  // A new context is an empty profile: no key remembered in localStorage.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('requestfailed', (request) => failedRequests.push(request.url()));
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  page.on('request', (request) => {
    if (!keyPasted && request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') {
      graphqlPostsBeforeKey.push(request.postData());
    }
  });
  page.on('response', (response) => { if (response.status() >= 400) refusedResponses.push(response.status()); });
  await page.goto(url, { waitUntil: 'networkidle' });

  const banner = page.locator('#no-key');
  await banner.waitFor({ state: 'visible' });
  const bannerText = await banner.textContent();

  // Paste the key the way a person does: into the Headers editor.
  keyPasted = true;
  await page.locator('.graphiql-editor-tool .CodeMirror').first().waitFor({ state: 'attached' });
  const pasted = await page.evaluate((value) => {
    for (const element of document.querySelectorAll('.graphiql-editor-tool .CodeMirror')) {
      if (element.CodeMirror.getValue().includes('Authorization')) {
        element.CodeMirror.setValue(JSON.stringify({ Authorization: `Bearer ${value}` }, null, 2));
        return true;
      }
    }
    return false;
  }, key);
  await banner.waitFor({ state: 'hidden' });

  // The Docs pane loads without pressing the re-fetch button.
  await page.locator('.graphiql-sidebar button[aria-label*="Documentation Explorer"]').click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.filter({ hasText: 'Root Types' }).waitFor({ timeout: 30000 });
  const docsText = await docs.textContent();

  const editor = page.locator('.graphiql-query-editor .CodeMirror');
  await editor.evaluate((element) => element.CodeMirror.setValue('{ campaigns { totalCount nodes { name status } } }'));
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.graphiql-response .CodeMirror');
  await result.filter({ hasText: 'totalCount' }).waitFor({ timeout: 30000 });
  const text = await result.evaluate((element) => element.CodeMirror.getValue());
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({
    result: JSON.parse(text), bannerText, pasted, docsText, graphqlPostsBeforeKey, refusedResponses,
    failedRequests, consoleErrors,
  }));
} finally {
  await browser.close();
}
