// The console in a real browser (Debian's chromium driven by playwright-core) against a running
// local runner with real data. ConsoleBrowserIT (local-runner) starts the system, makes the data
// and runs this; by hand: CONSOLE_URL=http://localhost:8080/console/ MEMBER_ID=m-42 ... node e2e/console.e2e.mjs
//   CONSOLE_URL        the console, e.g. http://localhost:8080/console/
//   MEMBER_ID          a member with history; EXPECTED_BALANCE its balance as the API gives it
//   PARKED_MESSAGE_ID  a parked queue record; CORRECTED_BODY the earn message to replay it with
//   REDEMPTION_ID      a PENDING redemption of MEMBER_ID worth REDEMPTION_POINTS (cancelled here)
//   REWARD_ID          a reward in the catalog with a stock (its stock is raised by 5 here)
//   EXPECTED_LOTS      MEMBER_ID's open lots as GET /members/{id}/lots gives them (JSON items)
//   EXPECTED_HOLD      the id of MEMBER_ID's newest hold, HELD
//   SCREENSHOTS        where to write the pages' PNGs (optional)
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};
const url = env('CONSOLE_URL');
const memberId = env('MEMBER_ID');
const expectedBalance = Number(env('EXPECTED_BALANCE'));
const parkedId = env('PARKED_MESSAGE_ID');
const correctedBody = env('CORRECTED_BODY');
const redemptionId = env('REDEMPTION_ID');
const redemptionPoints = Number(env('REDEMPTION_POINTS'));
const rewardId = env('REWARD_ID');
const expectedLots = JSON.parse(env('EXPECTED_LOTS', '[]'));
const expectedHold = process.env.EXPECTED_HOLD;
const shots = process.env.SCREENSHOTS;
const fmt = (n) => new Intl.NumberFormat('en-US').format(n);
const started = Date.now();
const step = (s) => console.log(`console e2e: ${((Date.now() - started) / 1000).toFixed(1)}s ${s}`);
function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1440, height: 1000 },
});
context.setDefaultTimeout(20_000);
const page = context.pages()[0] ?? await context.newPage();
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(String(e)));
const apiHeaders = [];
page.on('request', (r) => { if (!r.url().includes('/console/') && !r.url().includes('/_local/')) apiHeaders.push(r.headers()['x-loyalty-source']); });
const shot = async (name) => {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
};
const ready = (id) => page.waitForSelector(`main[data-page="${id}"][data-ready="true"]`);

try {
  // Sign in: the local runner mints the operator's token.
  await page.goto(url);
  await page.click('[data-testid=local-signin]');
  await ready('members');
  check((await page.textContent('[data-testid=who]')).includes('points:admin'), 'signed in with points:admin');
  step('signed in');

  // Look a member up: the balance the API gives.
  await page.fill('[data-testid=lookup] input[name=memberId]', memberId);
  await page.click('[data-testid=lookup] button[type=submit]');
  await ready('members');
  await page.waitForSelector('[data-testid=history-table]');
  const shown = (await page.textContent('[data-testid=balance]')).trim();
  check(shown === fmt(expectedBalance), `balance shown ${shown}, the API gives ${expectedBalance}`);
  step(`looked up ${memberId}: balance ${shown}`);

  // Its lots in spending order, each with the points left and the expiry the API gives, and its holds.
  await page.waitForSelector('[data-testid=lots-table]');
  const lots = await page.$$eval('[data-testid=lots-table] tbody tr', (trs) => trs.map((tr) => ({
    type: tr.querySelector('[data-testid=lot-type]').textContent,
    remaining: tr.querySelector('[data-testid=lot-remaining]').textContent,
    expiresAt: tr.querySelector('[data-testid=lot-expires]').getAttribute('data-expires-at'),
    expiresText: tr.querySelector('[data-testid=lot-expires]').textContent,
  })));
  check(lots.length === expectedLots.length, `${lots.length} lots shown, the API gives ${expectedLots.length}`);
  expectedLots.forEach((l, i) => {
    const shownLot = lots[i];
    check(shownLot.type === l.pointType, `lot ${i}: type ${shownLot.type}, the API gives ${l.pointType}`);
    check(shownLot.remaining === fmt(l.remainingPoints), `lot ${i}: ${shownLot.remaining} left, the API gives ${l.remainingPoints}`);
    check(shownLot.expiresAt === (l.expiresAt ?? ''), `lot ${i}: expires ${shownLot.expiresAt}, the API gives ${l.expiresAt}`);
    const text = l.expiresAt ? l.expiresAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : 'never';
    check(shownLot.expiresText === text, `lot ${i}: expiry shown as ${shownLot.expiresText}, expected ${text}`);
  });
  if (expectedHold) {
    await page.waitForSelector('[data-testid=holds-table]');
    const hold = await page.$eval('[data-testid=holds-table] tbody tr', (tr) => ({
      id: tr.querySelector('code').getAttribute('title'), status: tr.querySelector('[data-testid=hold-status]').textContent }));
    check(hold.id === expectedHold && hold.status === 'HELD', `newest hold shown ${JSON.stringify(hold)}, expected ${expectedHold} HELD`);
  }
  step(`lots shown: ${lots.map((l) => `${l.type} ${l.remaining} until ${l.expiresText}`).join('; ')}`);

  // An API validation error, shown as written at its field.
  const adjust = page.locator('[data-testid=adjust-form]');
  await adjust.locator('input[name=points]').fill('0');
  await adjust.locator('input[name=reason]').fill('test a refusal');
  await adjust.locator('button[type=submit]').click();
  await adjust.locator('[data-testid=problem]').waitFor();
  const problem = await adjust.locator('[data-testid=problem]').textContent();
  check(problem.includes('VALIDATION_FAILED') && problem.includes('(400)'), 'problem box: ' + problem);
  const atField = (await adjust.locator('[data-error-for=points]').textContent()).trim();
  check(atField.length > 0 && problem.includes(atField), `the error at the points field (${atField}) is the API's own`);
  check(await adjust.locator('input[name=points].invalid').count() === 1, 'points marked invalid');
  if (shots) await page.locator('[data-testid=adjust-form]').screenshot({ path: join(shots, 'validation-error.png') });
  step(`validation error at its field: "${atField}"`);

  // Adjust the balance and see the new entry in the history.
  const reference = 'console-e2e-' + Date.now().toString(36);
  await adjust.locator('input[name=points]').fill('75');
  await adjust.locator('select[name=type]').selectOption('BONUS');
  await adjust.locator('input[name=reference]').fill(reference);
  await adjust.locator('input[name=reason]').fill('goodwill after a late delivery');
  await adjust.locator('button[type=submit]').click();
  await adjust.locator('[data-testid=notice]').waitFor();
  check(await adjust.locator('[data-testid=problem]').count() === 0, 'no problem after a good adjustment');
  await page.waitForFunction((b) => document.querySelector('[data-testid=balance]')?.textContent?.trim() === b, fmt(expectedBalance + 75));
  const firstRow = page.locator('[data-testid=history-table] tbody tr').first();
  await firstRow.filter({ hasText: reference }).waitFor();
  const row = await firstRow.textContent();
  check(row.includes('ADJUSTMENT') && row.includes('75') && row.includes('operator (console)'), 'new history entry: ' + row);
  step('adjusted +75: new entry in the history, actor operator (console)');

  // History filters and paging: one entry per page.
  await page.fill('[data-testid=history-filters] input[name=limit]', '1');
  await page.click('[data-testid=history-filters] button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-table] tbody tr').length === 1);
  await page.click('[data-testid=next-page]');
  await page.waitForFunction(() => document.querySelector('[data-testid=page-number]')?.textContent === 'page 2');
  await page.fill('[data-testid=history-filters] input[name=limit]', '20');
  await page.click('[data-testid=history-filters] button[type=submit]');
  await page.waitForFunction(() => document.querySelector('[data-testid=page-number]')?.textContent === 'page 1');
  await page.click('[data-testid=statement-form] button[type=submit]');
  await page.waitForSelector('[data-testid=closing]');
  check((await page.textContent('[data-testid=closing]')).trim() === fmt(expectedBalance + 75), 'statement closing balance');
  step('history paging and statement');
  await page.waitForSelector('[data-testid=redemptions-table]');
  await shot('member');

  // Cancel a redemption: the API's error as written first (no reason), then the refund.
  const cancel = page.locator(`[data-testid=cancel-redemption][data-redemption="${redemptionId}"]`);
  await cancel.locator('button[type=submit]').click();
  await cancel.locator('[data-testid=problem]').waitFor();
  const refusal = await cancel.locator('[data-testid=problem]').textContent();
  check(refusal.includes('VALIDATION_FAILED'), 'a cancel without a reason is refused as the API says: ' + refusal);
  check((await cancel.locator('[data-error-for=reason]').textContent()).trim().length > 0, 'the error at the reason field');
  await cancel.locator('input[name=reason]').fill('customer changed their mind');
  await cancel.locator('button[type=submit]').click();
  await page.locator('[data-testid=redemptions] [data-testid=notice]').filter({ hasText: `Cancelled ${redemptionId}` }).waitFor();
  await page.waitForFunction((b) => document.querySelector('[data-testid=balance]')?.textContent?.trim() === b, fmt(expectedBalance + 75 + redemptionPoints));
  check((await page.locator('[data-testid=redemption-status]').allTextContents()).includes('CANCELLED'), 'the redemption is CANCELLED');
  step(`cancelled redemption ${redemptionId}: ${redemptionPoints} points back`);

  // Replay a parked record with a corrected body.
  await page.goto(url + '#/parked');
  await ready('parked');
  const record = page.locator(`[data-testid=parked-record][data-message-id="${parkedId}"]`);
  await record.waitFor();
  await shot('parked');
  await record.locator('textarea').fill(correctedBody);
  await record.locator('[data-testid=replay-corrected]').click();
  await page.locator('[data-testid=notice]').filter({ hasText: `Replayed ${parkedId}` }).waitFor();
  await page.waitForFunction((id) => {
    const r = document.querySelector(`[data-testid=parked-record][data-message-id="${id}"]`);
    return !r || r.getAttribute('data-replayed') === 'true';
  }, parkedId);
  step(`replayed parked ${parkedId} with a corrected body`);

  // Reports: liability by type, totals, over time.
  await page.goto(url + '#/reports');
  await ready('reports');
  await page.waitForSelector('[data-testid=liability-over-time-chart] canvas');
  await page.waitForSelector('[data-testid=liability-by-type-chart] canvas');
  check(Number((await page.textContent('[data-testid=outstanding]')).replace(/,/g, '')) > 0, 'outstanding liability shown');
  step('liability');

  // Program reports over the last 30 days: this run's earns, redeems and redemption are in them.
  await page.waitForSelector('[data-testid=activity-chart] canvas');
  await page.waitForSelector('[data-testid=funnel-chart] canvas');
  await page.waitForSelector('[data-testid=redemption-by-type-chart] canvas');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=activity-note]')?.getAttribute('data-issued') ?? 0) > 0);
  const earned = Number((await page.textContent('[data-testid=funnel-earned]')).replace(/,/g, ''));
  const redeemedMembers = Number((await page.textContent('[data-testid=funnel-redeemed]')).replace(/,/g, ''));
  check(earned >= 1 && redeemedMembers >= 1 && redeemedMembers <= earned, `funnel ${redeemedMembers}/${earned}`);
  check((await page.textContent('[data-testid=redemption-by-type]')).includes('PURCHASE'), 'redemption by type lists PURCHASE');
  await page.waitForSelector('[data-testid=no-anomalies], [data-testid=anomalies-table]');
  await shot('reports');
  step(`program reports: funnel ${redeemedMembers}/${earned}, activity, redemption by type, anomalies`);

  // Program rules: an invalid draft is refused with the error at its field; a valid one is published.
  await page.goto(url + '#/rules');
  await ready('rules');
  const publish = page.locator('[data-testid=rules-publish]');
  await page.fill('[data-testid=rules-draft]', JSON.stringify({ rules: [
    { id: 'visit', event: 'store_visit', pointType: 'BONUS', points: 5, caps: [{ period: 'YEAR', maxEvents: 1 }] }], experiments: [] }, null, 2));
  await publish.locator('button[type=submit]').click();
  await publish.locator('[data-testid=problem]').waitFor();
  const rulesProblem = await publish.locator('[data-testid=problem]').textContent();
  check(rulesProblem.includes('VALIDATION_FAILED') && rulesProblem.includes('(400)'), 'rules problem: ' + rulesProblem);
  const periodError = (await publish.locator('[data-error-for="rules[0].caps[0].period"]').textContent()).trim();
  check(periodError.length > 0, 'the error sits at rules[0].caps[0].period');
  check(await publish.locator('tr.invalid-row').count() >= 1, 'the field\'s row is marked');
  if (shots) await publish.screenshot({ path: join(shots, 'rules-validation-error.png') });
  step(`invalid rule set: "${periodError}" at rules[0].caps[0].period`);
  const before = Number((await page.textContent('[data-testid=rules-version]')).trim());
  await page.fill('[data-testid=rules-draft]', JSON.stringify({ rules: [
    { id: 'visit', event: 'store_visit', pointType: 'BONUS', points: 5, caps: [{ period: 'DAY', maxEvents: 1 }] }], experiments: [] }, null, 2));
  await publish.locator('button[type=submit]').click();
  await publish.locator('[data-testid=notice]').filter({ hasText: `Published version ${before + 1}` }).waitFor();
  await page.waitForFunction((v) => document.querySelector('[data-testid=rules-version]')?.textContent?.trim() === String(v), before + 1);
  const sim = page.locator('[data-testid=simulate-form]');
  await sim.locator('input[name=memberId]').fill(memberId);
  await sim.locator('textarea[name=event]').fill(JSON.stringify({ event: 'store_visit', reference: 'sim-e2e' }));
  await sim.locator('button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=simulate-points]')?.textContent?.trim() === '5');
  await shot('rules');
  step(`published rules version ${before + 1}; a simulated store_visit earns 5`);

  // Tiers: the version in force.
  await page.goto(url + '#/tiers');
  await ready('tiers');
  await page.waitForSelector('[data-testid=tiers-version]');
  step('tiers: version ' + (await page.textContent('[data-testid=tiers-version]')).trim());

  // Rewards: the catalog and a stock change.
  await page.goto(url + '#/rewards');
  await ready('rewards');
  const stockCell = page.locator(`[data-testid=stock][data-reward="${rewardId}"]`);
  await stockCell.waitFor();
  const stockBefore = Number((await stockCell.textContent()).replace(/,/g, ''));
  const stockForm = page.locator('[data-testid=stock-form]');
  await stockForm.locator('input[name=rewardId]').fill(rewardId);
  await stockForm.locator('input[name=delta]').fill('5');
  await stockForm.locator('button[type=submit]').click();
  await stockForm.locator('[data-testid=notice]').waitFor();
  await page.waitForFunction(([id, n]) => document.querySelector(`[data-testid=stock][data-reward="${id}"]`)?.textContent?.trim() === n,
    [rewardId, fmt(stockBefore + 5)]);
  await shot('rewards');
  step(`reward ${rewardId}: stock ${stockBefore} + 5`);

  check(apiHeaders.length > 0 && apiHeaders.every((h) => h === 'console'), 'every API request carries X-Loyalty-Source: console');
  check(consoleErrors.length === 0, 'no page errors: ' + consoleErrors.join('; '));
  step(`passed (${apiHeaders.length} API requests)`);
} catch (e) {
  if (shots) await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => {});
  console.error('console e2e: FAILED: ' + (e?.stack ?? e));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
