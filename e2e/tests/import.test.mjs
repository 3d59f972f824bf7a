// Importing a plan from a spreadsheet in a real browser: upload, see the problems by row,
// fix them, check again, import; with an accessibility audit of each step.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, signIn, auditor, screenshot } from '../lib/harness.mjs'

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

const sheet = rows => Buffer.from(['Number,Actions for implementation,Lead Officer,Key Milestones,Completion date,Progress (BRAG)', ...rows].join('\n'))

test('a plan manager imports a tracker spreadsheet, fixing a problem the check found', async () => {
  const context = await browser.newContext({ bypassCSP: true })
  const page = await context.newPage()
  const failures = []
  const audit = auditor(page, failures)
  await signIn(page, server)
  await page.getByRole('button', { name: 'Import a plan from a spreadsheet' }).click()
  await audit('import-upload')
  await page.getByRole('button', { name: 'Upload' }).click()
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Select a spreadsheet or Word document to upload/)
  const broken = sheet([
    '1.1,Publish the autism pathway,Head of Service – Inclusion and Empowerment,Consultation (Nov. 21),Feb 2022,GREEN',
    '1.1,Train SENCOs,New Person,,Autumn Term 2022,PURPLE'
  ])
  await page.getByLabel('Spreadsheet').setInputFiles({ name: 'tracker.csv', mimeType: 'text/csv', buffer: broken })
  await page.getByRole('button', { name: 'Upload' }).click()
  await page.getByLabel('RED, AMBER, GREEN, BLUE, PINK (as Wolverhampton\'s WSOA)').check()
  await page.getByLabel(/Date of ratings in a column/).fill('31/03/2022')
  await page.getByRole('button', { name: 'Check the spreadsheet' }).click()
  const problems = await page.locator('main').innerText()
  assert.match(problems, /action 1\.1 is also on tracker, row 2/)
  await audit('import-problems')
  const fixed = sheet([
    '1.1,Publish the autism pathway,Head of Service – Inclusion and Empowerment,Consultation (Nov. 21),Feb 2022,GREEN',
    '1.2,Train SENCOs,New Person,,Autumn Term 2022,AMBER'
  ])
  await page.goto(`${new URL(page.url()).origin}${new URL(page.url()).pathname.replace(/imports\/\d+$/, 'imports/new')}`)
  await page.getByLabel('Spreadsheet').setInputFiles({ name: 'tracker.csv', mimeType: 'text/csv', buffer: fixed })
  await page.getByRole('button', { name: 'Upload' }).click()
  await page.getByLabel('Title of the plan').fill('Autism pathway tracker')
  await page.getByLabel('RED, AMBER, GREEN, BLUE, PINK (as Wolverhampton\'s WSOA)').check()
  await page.getByLabel(/Date of ratings in a column/).fill('31/03/2022')
  await page.getByRole('button', { name: 'Check the spreadsheet' }).click()
  assert.match(await page.locator('main').innerText(), /Ready to import/)
  await audit('import-ready')
  await page.getByRole('button', { name: 'Import the plan' }).click()
  await page.waitForURL(/\/plans\/\d+$/)
  const plan = await page.locator('main').innerText()
  assert.match(plan, /Imported 2 actions from tracker\.csv/)
  assert.match(plan, /Autism pathway tracker/)
  assert.match(plan, /Publish the autism pathway/)
  await screenshot(page, 'import-done')
  await context.close()
  assert.deepEqual(failures, [], failures.join('\n'))
})

// A real-shaped tracker (fixtures/trackers): nine dated RAG columns with commentary, area
// banner rows, a lead cell naming two people and a hidden second sheet, from upload to the
// action's history. Each page is audited at 1280 and 375 pixels, with no sideways scroll.
test('a tracker with nine dated RAG columns comes in with its history', async () => {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  const failures = []
  const audit = auditor(page, failures)
  const both = async name => {
    await page.setViewportSize({ width: 1280, height: 800 })
    await audit(name)
    await page.setViewportSize({ width: 375, height: 740 })
    await audit(`${name}-375`)
    const wide = await page.evaluate(() => document.documentElement.scrollWidth)
    if (wide > 375) failures.push(`${name} scrolls sideways at 375 px (${wide} px wide)`)
    await page.setViewportSize({ width: 1280, height: 800 })
  }
  await signIn(page, server)
  await page.getByRole('button', { name: 'Import a plan from a spreadsheet' }).click()
  const file = new URL('../../fixtures/trackers/03_rag_history_nine_reviews.xlsx', import.meta.url)
  await page.getByLabel('Spreadsheet').setInputFiles(file.pathname)
  await page.getByRole('button', { name: 'Upload' }).click()
  const check = await page.locator('main').innerText()
  assert.match(check, /WSOA tracker/)
  assert.match(check, /Old tracker Mar 20/, 'the hidden sheet is listed, not taken')
  assert.match(check, /Read from “May 20”/)
  assert.match(check, /Read from “August 22”/)
  await page.getByLabel('Title of the plan').fill('RAG history tracker')
  await page.getByRole('button', { name: 'Check the spreadsheet' }).click()
  const ready = await page.locator('main').innerText()
  assert.match(ready, /Ready to import/, ready.slice(0, 2000))
  assert.match(ready, /11 actions/)
  await both('import-tracker-check')
  await page.getByRole('button', { name: 'Import the plan' }).click()
  await page.waitForURL(/\/plans\/\d+$/)
  await both('import-tracker-plan')
  // A yearly narrative of area 1's progress, rated, shown under the area's heading.
  const planUrl = page.url()
  await page.getByRole('link', { name: /Add progress of this area/ }).first().click()
  await page.getByLabel('Progress', { exact: true }).fill('Done: toolkit published.\nDifference: more children identified at SEN Support.\nNext: SENCO training.')
  await page.getByLabel('Rating (optional)').selectOption({ label: 'GREEN (Action on track)' })
  await both('import-tracker-area-progress-form')
  await page.getByRole('button', { name: 'Save the update' }).click()
  await page.waitForURL(/\/plans\/\d+/)
  const withProgress = await page.locator('main').innerText()
  assert.match(withProgress, /Progress of area 1 saved/)
  assert.match(withProgress, /Progress of this area, \d+ \w+ \d{4}: GREEN/)
  assert.match(withProgress, /Difference: more children identified at SEN Support/)
  await both('import-tracker-plan-progress')
  await page.goto(planUrl)
  await page.getByRole('link', { name: /Publish a co-produced graduated response toolkit/ }).first().click()
  const action = await page.locator('main').innerText()
  assert.match(action, /“May 20”/)
  assert.match(action, /“August 22”/)
  assert.match(action, /Draft shared with SENCO network/, 'the commentary is in the same update')
  assert.match(action, /Jane Smith/)
  assert.match(action, /Amir Khan/)
  await both('import-tracker-action')
  await context.close()
  assert.deepEqual(failures, [], failures.join('\n'))
})

// A Written Statement of Action as the council published it, in Word: its tables read as
// sheets, the heading before each table its area, checked and imported.
test('a WSOA published as a Word document is imported from its tables', async () => {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  const failures = []
  const audit = auditor(page, failures)
  await signIn(page, server)
  await page.getByRole('button', { name: 'Import a plan from a spreadsheet' }).click()
  const file = new URL('../../fixtures/word/wolverhampton-wsoa.docx', import.meta.url)
  await page.getByLabel('Spreadsheet').setInputFiles(file.pathname)
  await page.getByRole('button', { name: 'Upload' }).click()
  const check = await page.locator('main').innerText()
  assert.match(check, /Table 1/)
  assert.match(check, /Actions for implementation/)
  await page.getByLabel('Title of the plan').fill('WSOA from Word')
  await page.getByRole('button', { name: 'Check the spreadsheet' }).click()
  const ready = await page.locator('main').innerText()
  assert.match(ready, /68 actions in 6 areas/, ready.slice(0, 1500))
  await audit('import-word-ready')
  await page.getByRole('button', { name: 'Import the plan' }).click()
  await page.waitForURL(/\/plans\/\d+$/)
  assert.match(await page.locator('main').innerText(), /Imported 68 actions from wolverhampton-wsoa\.docx/)
  await context.close()
  assert.deepEqual(failures, [], failures.join('\n'))
})
