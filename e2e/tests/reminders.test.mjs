// Reminders in a real browser against a real SMTP server: a plan manager sets a board's
// reporting cycle, turns reminders on, and the scheduler inside `sendplan serve` emails
// the digest of who has not updated; the Reminders page then lists it as sent.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, startMailServer, launchBrowser, signIn, auditor, deliveredMail } from '../lib/harness.mjs'

let mail
let mailDir
let server
let browser

before(async () => {
  mailDir = mkdtempSync(join(tmpdir(), 'sendplan-smtp-'))
  mail = await startMailServer(mailDir)
  server = await startServer(undefined, { ...mail.env, SENDPLAN_REMINDER_INTERVAL: '1', SENDPLAN_BASE_URL: 'https://send.example.org' })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
  await mail?.stop()
  if (mailDir) rmSync(mailDir, { recursive: true, force: true })
})

const delivered = () => deliveredMail(mailDir)

test('a plan manager turns reminders on and the digest reaches the mail server', async () => {
  const context = await browser.newContext({ bypassCSP: true })
  const page = await context.newPage()
  const failures = []
  const audit = auditor(page, failures)
  await signIn(page, server)
  const home = page.url()
  await page.locator('.govuk-summary-card__title a').first().click()
  const plan = page.url()
  await page.goto(`${home}/boards/new`)
  await page.getByLabel('Name', { exact: true }).fill('SEND Improvement Board')
  await page.getByRole('button', { name: 'Save' }).click()
  // The board's exception report is due in three days.
  const due = new Date(Date.now() + 3 * 24 * 3600 * 1000)
  await page.goto(`${plan}/cycle/new`)
  await page.getByLabel('Board', { exact: true }).selectOption({ label: 'SEND Improvement Board' })
  await page.getByRole('radio', { name: 'Exception report' }).check()
  await page.getByRole('radio', { name: 'Monthly' }).check()
  await page.locator('#first_due-day').fill(String(due.getUTCDate()))
  await page.locator('#first_due-month').fill(String(due.getUTCMonth() + 1))
  await page.locator('#first_due-year').fill(String(due.getUTCFullYear()))
  await page.getByRole('button', { name: 'Save' }).click()
  await page.goto(plan)
  await page.getByRole('navigation', { name: 'This plan' }).getByRole('link', { name: 'Reminders' }).click()
  assert.match(await page.locator('main').innerText(), /Email reminders are off for this plan/)
  await audit('reminders-off')
  await page.getByRole('button', { name: 'Change reminder settings' }).click()
  await page.getByLabel('Days before a board report is due').fill('sixty')
  await page.getByRole('button', { name: 'Save' }).click()
  assert.match(await page.locator('.govuk-error-summary').innerText(), /whole number of days/)
  await audit('reminder-settings-errors')
  await page.getByLabel('Days before a board report is due').fill('7')
  await page.getByLabel('Send email reminders for this plan').check()
  await page.getByRole('button', { name: 'Save' }).click()
  assert.match(await page.locator('main').innerText(), /Email reminders are on/)
  // The scheduler runs every second here: wait for the digest to reach the server.
  let digest
  for (let i = 0; i < 60 && !digest; i++) {
    digest = delivered().find(m => m.includes('demo@sendplan.invalid') && m.includes('Subject: Before SEND Improvement Board on'))
    if (!digest) await new Promise(resolve => setTimeout(resolve, 500))
  }
  assert.ok(digest, 'the digest reached the SMTP server')
  // The demo account is linked to the plan's busiest lead, so it is reminded as a lead too.
  assert.ok(delivered().some(m => m.includes('<demo@sendplan.invalid>') && !m.includes('Subject: Before SEND') && !/^Subject: .*Local Offer/m.test(m)), 'the linked lead is reminded at the account address')
  assert.match(digest, /These leads have not yet updated their actions/)
  assert.match(digest, /Head of Service – Children and Young People in Care \(no email address, not reminded\): 3\.3/)
  assert.match(digest, /Open the plan in sendplan: https:\/\/send\.example\.org\/p\/\d+\/plans\/\d+/)
  await page.reload()
  assert.match(await page.locator('main').innerText(), /Before SEND Improvement Board on[^\n]*\s+Sent/)
  await audit('reminders-sent')
  await page.getByRole('button', { name: 'Change reminder settings' }).click()
  await audit('reminder-settings')
  await context.close()
  assert.deepEqual(failures, [], failures.join('\n'))
})

test('an overdue Local Offer entry\'s contact is emailed, and "nothing has changed" records the check', async () => {
  // The demo's Friday Night Friends was last checked on 2 June 2026, so it is overdue: the
  // scheduler emails its contact a link at once.
  let email
  for (let i = 0; i < 60 && !email; i++) {
    email = delivered().find(m => m.includes('To: friday-night-friends@example.org') && m.includes('Subject: Please check Friday Night Friends'))
    if (!email) await new Promise(resolve => setTimeout(resolve, 500))
  }
  assert.ok(email, 'the review email reached the SMTP server')
  assert.match(email, /last checked on 2 June 2026/)
  const link = email.match(/https:\/\/send\.example\.org(\/local-offer-review\/[0-9a-f]{64})/)[1]
  // Families see that it may be out of date.
  const context = await browser.newContext({ bypassCSP: true })
  const page = await context.newPage()
  const failures = []
  const audit = auditor(page, failures)
  await page.goto(`${server.url}/local-offer/wolverhampton/search?q=friday+night+friends`)
  await page.locator('.app-result h2 a').first().click()
  const service = page.url()
  assert.match(await page.locator('main').innerText(), /May be out of date/)
  // The contact opens the link without signing in, and confirms nothing has changed.
  await page.goto(`${server.url}${link}`)
  assert.equal(await page.locator('h1').innerText(), 'Check Friday Night Friends')
  await audit('local-offer-review')
  await page.getByRole('button', { name: 'Nothing has changed' }).click()
  assert.equal(await page.locator('h1').innerText(), 'Thank you')
  assert.match(await page.locator('main').innerText(), /marked as checked today/)
  await audit('local-offer-review-thanks')
  // The entry now says it was checked today; the link has done its work.
  await page.goto(service)
  const body = await page.locator('main').innerText()
  assert.doesNotMatch(body, /May be out of date/)
  const today = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
  assert.match(body, new RegExp(`Last checked ${today}`))
  await page.goto(`${server.url}${link}`)
  assert.equal(await page.locator('h1').innerText(), 'This entry has been checked')
  await context.close()
  assert.deepEqual(failures, [], failures.join('\n'))
})
