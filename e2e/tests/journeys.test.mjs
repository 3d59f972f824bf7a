// The core journeys in a real browser: sign in, find an action, post an update and see
// the new rating; the same without JavaScript; and an accessibility audit of every main
// page with zero violations allowed.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, signIn, axeViolations, screenshot } from '../lib/harness.mjs'

let server
let browser

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function postUpdateJourney (context, rating, narrative, shotPrefix) {
  const page = await context.newPage()
  await signIn(page, server)
  await page.getByRole('link', { name: 'My actions' }).first().click()
  await page.locator('table a').first().click()
  const actionUrl = page.url()
  await page.getByRole('button', { name: 'Post an update' }).click()
  // Submitting with no narrative shows the error summary and keeps the chosen rating.
  await page.getByLabel(rating, { exact: true }).check()
  await page.getByRole('button', { name: 'Post update' }).click()
  await assert.doesNotReject(page.getByText('There is a problem').waitFor())
  assert.equal(await page.getByLabel(rating, { exact: true }).isChecked(), true)
  if (shotPrefix) await screenshot(page, `${shotPrefix}-update-errors`)
  await page.getByLabel('What has happened since the last update?').fill(narrative)
  await page.getByRole('button', { name: 'Post update' }).click()
  await page.waitForURL(actionUrl)
  await assert.doesNotReject(page.getByText('Update posted on action').waitFor())
  assert.match(await page.locator('main').innerText(), new RegExp(`Current rating: ${rating}`))
  assert.match(await page.locator('main').innerText(), new RegExp(narrative))
  if (shotPrefix) await screenshot(page, `${shotPrefix}-action-after-update`)
  await page.getByRole('link', { name: 'Back to the plan' }).click()
  return page
}

test('a lead signs in, posts an update and sees the new rating on the action and the plan', async () => {
  const context = await browser.newContext()
  const page = await postUpdateJourney(context, 'RED', 'Recruitment to the autism team is paused', 'js')
  // The action is now RED on the plan page: filter the plan by that rating to find it.
  await page.getByText('Filter actions').click()
  await page.getByLabel('Current rating').selectOption({ label: 'RED: Action significantly delayed (requiring intervention)' })
  await page.getByRole('button', { name: 'Apply filters' }).click()
  const text = await page.locator('main').innerText()
  assert.match(text, /RED/)
  await screenshot(page, 'plan-filtered')
  await context.close()
})

test('the same journey works with JavaScript switched off', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false })
  await postUpdateJourney(context, 'BLUE', 'Delivered and embedded in practice', null)
  await context.close()
})

test('the main pages have no accessibility violations', async () => {
  // bypassCSP only lets the test inject axe-core; the pages' own policy forbids inline scripts.
  const context = await browser.newContext({ bypassCSP: true })
  const page = await context.newPage()
  const failures = []
  const audit = async (name) => {
    const violations = await axeViolations(page)
    if (violations.length) failures.push(`${name} (${page.url()}):\n  ${violations.join('\n  ')}`)
    await screenshot(page, name)
  }
  await page.goto(`${server.url}/sign-in`)
  await audit('sign-in')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await audit('sign-in-errors')
  await signIn(page, server)
  await audit('partnership-home')
  const home = page.url()
  await page.locator('.govuk-summary-card__title a').first().click()
  await audit('plan')
  const plan = page.url()
  await page.locator('table a').first().click()
  await audit('action')
  await page.getByRole('button', { name: 'Post an update' }).click()
  await audit('post-update')
  await page.getByRole('button', { name: 'Post update' }).click()
  await audit('post-update-errors')
  await page.goto(`${plan}/edit`)
  await audit('edit-plan')
  await page.goto(`${plan}/ratings`)
  await audit('ratings')
  for (const section of ['my-actions', 'inspections', 'people', 'organisations', 'members', 'audit']) {
    await page.goto(`${home}/${section}`)
    await audit(section)
  }
  await page.goto(`${home}/inspections`)
  await page.locator('table a').first().click()
  await audit('inspection')
  await page.goto(`${home}/plans/new`)
  await audit('new-plan')
  await page.goto(`${home}/plans/new`)
  await page.getByRole('button', { name: 'Save' }).click()
  await audit('new-plan-errors')
  await page.goto(`${plan}`)
  const addAction = page.getByRole('link', { name: 'Add an action' }).first()
  await addAction.click()
  await audit('new-action')
  await page.goto(`${plan}/dashboard`)
  await audit('dashboard')
  await page.goto(`${plan}/measures`)
  await audit('measures')
  await page.getByRole('button', { name: 'Add a measure' }).click()
  await audit('new-measure')
  await page.getByLabel('Name', { exact: true }).fill('Longest wait for an autism assessment')
  await page.getByRole('radio', { name: 'Weeks', exact: true }).check()
  await page.getByRole('radio', { name: 'Lower is better' }).check()
  await page.getByRole('radio', { name: 'Monthly', exact: true }).check()
  await page.getByLabel('Baseline value').fill('242')
  await page.locator('#baseline_date-day').fill('1')
  await page.locator('#baseline_date-month').fill('1')
  await page.locator('#baseline_date-year').fill('2022')
  await page.getByLabel('Targets', { exact: true }).fill('June 2023 = 125\nMarch 2024 = 13')
  await page.getByLabel('Tolerance (optional)').fill('10')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('button', { name: 'Record a value' }).click()
  await audit('record-value')
  await page.getByLabel('Period', { exact: true }).fill('June 2023')
  await page.getByLabel('Value', { exact: true }).fill('130')
  await page.getByRole('button', { name: 'Save' }).click()
  assert.match(await page.locator('main').innerText(), /Some concerns/)
  await audit('measure')
  const measure = page.url()
  await page.getByRole('button', { name: 'Import values' }).click()
  await audit('import-values')
  await page.getByRole('button', { name: 'Import the values' }).click()
  await audit('import-values-errors')
  await page.goto(measure)
  await page.getByRole('button', { name: 'Compare with national statistics' }).click()
  await audit('comparators')
  await page.getByRole('button', { name: 'Add the comparators' }).click()
  await audit('comparators-errors')
  await page.goto(`${plan}/surveys`)
  await audit('surveys')
  await page.getByRole('link', { name: 'Voice 4 Parents annual survey 2021' }).click()
  assert.match(await page.locator('main').innerText(), /Not supported at all\s+35%/)
  await audit('survey')
  await page.getByRole('link', { name: "Use question 1 as a measure's value" }).click()
  await audit('survey-to-measure')
  await page.getByRole('button', { name: 'Record the value' }).click()
  await audit('survey-to-measure-errors')
  await page.goto(`${plan}/surveys/new`)
  await audit('new-survey')
  await page.goto(`${server.url}/no-such-page`)
  await audit('not-found')
  await context.close()
  assert.deepEqual(failures, [], failures.join('\n'))
})
