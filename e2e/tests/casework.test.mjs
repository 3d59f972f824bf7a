// Issue 18: the SEND team brings in an SEN2 return and acts on it. The casework officer
// (the demo account, given casework) imports a synthetic 2022 return for Wolverhampton in
// the pages, sees the DfE's published figures given back and the open pipeline, opens the
// list of what is overdue and one overdue case, and finds the month's figure on the plan's
// dashboard, where the plan's measures of the clock are worked out from the returns. A plan
// manager without casework sees none of it. Every page is audited with axe, at 1280 px and
// at 375 px, and none scrolls sideways.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { startServer, launchBrowser, signIn, auditor, repo } from '../lib/harness.mjs'

const BIN = process.env.SENDPLAN_BIN || join(repo, 'target', 'debug', 'sendplan')
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

function cli (args, input) {
  const run = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 60000 })
  assert.equal(run.status, 0, `sendplan ${args.join(' ')}: ${run.stderr}`)
  return run.stdout
}

const fitsScreen = page => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)

test('a return is imported in the pages, its pipeline and overdue cases seen, and its figures reach the plan', async () => {
  const file = join(server.dir, 'sen2-2023.xml')
  cli(['casework', 'synthetic', '--la', 'E08000031', '--year', '2022', '--out', file])
  const failures = []
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })
  const page = await context.newPage()
  const audit = auditor(page, failures)
  // Audits the page as it is at 1280 px, then at 375 px, and comes back.
  const both = async name => {
    await audit(`${name}-desktop`)
    assert.equal(await fitsScreen(page), true, `${name} fits 1280 px`)
    await page.setViewportSize({ width: 375, height: 812 })
    await audit(`${name}-phone`)
    assert.equal(await fitsScreen(page), true, `${name} scrolls sideways at 375 px`)
    await page.setViewportSize({ width: 1280, height: 900 })
  }
  await signIn(page, server)
  await page.getByRole('link', { name: 'EHC casework' }).first().click()
  assert.match(await page.locator('h1').innerText(), /EHC casework: 2024/)
  assert.match(await page.locator('main').innerText(), /synthetic return made for the demonstration/)

  // Import the 2022 return through the form.
  await page.getByRole('link', { name: 'Import a return' }).click()
  await both('casework-import')
  await page.getByLabel('SEN2 return or case-system extract').setInputFiles(file)
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await page.waitForURL(/\/casework\?year=2022/)
  const main = await page.locator('main').innerText()
  assert.match(main, /The return for January 2023 is imported: \d+ children and young people/)
  assert.match(main, /Read and not kept: upn/)
  assert.match(await page.locator('h1').innerText(), /EHC casework: 2022/)
  // The DfE published 25.7% within 20 weeks, excluding exceptions, for Wolverhampton in 2022.
  const dfe = page.locator('#dfe + p + div table')
  assert.match(await dfe.locator('tbody tr').first().innerText(), /25\.7% \(90 of 350 plans\)[\s\S]*25\.7% \(90 of 350 plans\)[\s\S]*The same\./)
  assert.match(main, /Within 20 weeks means up to and including day 140/)
  // The pipeline on the return's reference date, week by week.
  assert.match(main, /Open assessments on 16 January 2023/)
  const pipeline = page.locator('#pipeline ~ div table').first()
  const bands = await pipeline.locator('tbody tr').count()
  assert.equal(bands, 7)
  await both('casework-year')

  // What is overdue, and one overdue case.
  await page.getByRole('link', { name: /What is overdue \(\d+\)/ }).click()
  assert.match(await page.locator('h1').innerText(), /Overdue on 16 January 2023/)
  const first = page.locator('main table tbody tr').first()
  const reference = (await first.locator('a').innerText()).trim()
  assert.match(reference, /^[0-9A-F]{10}$/, 'a hashed UPN, never the UPN')
  await both('casework-overdue')
  await first.locator('a').click()
  assert.equal(await page.locator('h1').innerText(), `Case ${reference}`)
  assert.match(await page.locator('main').innerText(), /Overdue/)
  await both('casework-case')

  // The plan's dashboard holds the 20-week measure worked out from the returns, 2022 included.
  await page.goto(`${server.url}/p/1/plans/1/measures`)
  await page.getByRole('link', { name: 'New EHC plans issued within 20 weeks, excluding exceptions (from casework)' }).click()
  const measure = await page.locator('main').innerText()
  assert.match(measure, /2022-01\t33\.3%[^\n]*9 of 27 plans issued/, 'the new return\'s months are recorded')
  assert.match(measure, /A month resting on a count of 1 to 4 is not recorded/)
  await both('casework-measure')
  // The plan sets its target; the month's figure is below it, so the dashboard says so.
  await page.getByText('Change measure', { exact: true }).click()
  await page.getByLabel('Targets').fill('December 2024 = 80')
  await page.getByRole('button', { name: /Save/ }).click()
  await page.waitForURL(/\/measures\/\d+$/)
  await page.goto(`${server.url}/p/1/plans/1/dashboard`)
  assert.match(await page.locator('main').innerText(), /New EHC plans issued within 20 weeks, excluding exceptions \(from casework\)/)
  await both('casework-dashboard')

  // The audit log holds each look at case-level data.
  await page.goto(`${server.url}/p/1/audit`)
  const log = await page.locator('main').innerText()
  assert.match(log, /Casework viewed: case [0-9A-F]{10}/)
  assert.match(log, /Casework viewed: the list of \d+ overdue/)
  await context.close()

  // A plan manager without casework: no menu item, and the pages are refused.
  const password = 'casework journey password 1'
  cli(['user', 'add', 'pm@journey.example', '--name', 'Pat Manager', '--role', 'plan_manager', '--partnership', '1', '--database-url', process.env.SENDPLAN_E2E_DATABASE_URL || `sqlite://${server.dir}/e2e.db`], `${password}\n`)
  const other = await (await browser.newContext()).newPage()
  await signIn(other, { ...server, email: 'pm@journey.example', password })
  assert.equal(await other.getByRole('link', { name: 'EHC casework' }).count(), 0)
  const refused = await other.goto(`${server.url}/p/1/casework/overdue`)
  assert.equal(refused.status(), 403)
  assert.match(await other.locator('main').innerText(), /casework access/)
  assert.deepEqual(failures, [])
})
