// Opens the ops page in headless Chromium with an empty profile, pastes the
// admin key, waits for the campaign's row, applies discounts through the API
// (from here, not from the page), and waits for the row's figures to change
// without a reload; then opens the campaign's detail, saves a screenshot and
// prints the outcome as JSON.
//   node dashboard_browser.mjs BASE_URL KEY CAMPAIGN_ID CUSTOMER_IDS(comma) SCREENSHOT CHROMIUM
import { launch } from './launch.mjs';

const [base, key, campaignId, customers, screenshot, executablePath] = process.argv.slice(2);
const browser = await launch(executablePath);
const failedRequests = [];
const consoleErrors = [];
let navigations = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const page = await context.newPage();
  page.on('requestfailed', (request) => failedRequests.push(request.url()));
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  page.on('framenavigated', () => { navigations += 1; });
  await page.goto(`${base}/dashboard`, { waitUntil: 'networkidle' });
  await page.locator('#key').fill(key);
  await page.locator('#key-form button[type=submit]').click();
  const row = page.locator(`tr[data-id="${campaignId}"]`);
  await row.waitFor({ timeout: 30000 });
  await page.locator('#connection.live').waitFor({ timeout: 30000 });
  const before = await row.locator('td.used').textContent();
  const navigationsBefore = navigations;

  const apply = `mutation($i: ApplyDiscountInput!) { applyDiscount(input: $i) { usage { id } userErrors { code } } }`;
  for (const customerId of customers.split(',')) {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: apply, variables: { i: { campaignId, customerId, cartValue: '600' } } }),
    });
    const body = await response.json();
    if (!body.data || body.data.applyDiscount.userErrors.length) throw new Error(JSON.stringify(body));
  }
  await page.waitForFunction(
    (id) => document.querySelector(`tr[data-id="${id}"] td.used`).textContent === '30.00', campaignId,
    { timeout: 30000 });
  // The burn rate follows once the page reads the stats again (within a second or two).
  await page.waitForFunction(
    (id) => document.querySelector(`tr[data-id="${id}"] td.burn`).textContent === '30.00', campaignId,
    { timeout: 30000 });
  const after = await row.locator('td.used').textContent();
  const remaining = await row.locator('td.remaining').textContent();
  await row.click();
  await page.locator('#events li').first().waitFor({ timeout: 30000 });
  const events = await page.locator('#events li').allTextContents();
  const chartPaths = await page.locator('#burndown path').count();
  const storedKey = await page.evaluate(() => sessionStorage.getItem('campaign-service-admin-key'));
  const keyInLocalStorage = await page.evaluate(() => JSON.stringify(localStorage).includes('csk_'));
  const formHidden = await page.locator('#key-form').isHidden();
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({
    before, after, remaining, events, chartPaths, reloaded: navigations !== navigationsBefore,
    keyKept: storedKey === key, keyInLocalStorage, formHidden, failedRequests, consoleErrors,
  }));
} finally {
  await browser.close();
}
