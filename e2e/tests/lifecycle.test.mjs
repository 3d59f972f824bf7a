// Every record can be put right (issue 13), in a real browser against the demo data:
// an action is deleted and restored from Recently deleted with its milestones, and one
// with progress updates says why it cannot be deleted; a wrong rating is corrected and
// both updates stay in the history; a "You said, we did" entry is withdrawn and leaves
// the public page at once; a plan is archived, leaves its lead's My actions and is
// brought back; a lead marks their milestone done with its evidence. Every page on the
// way is audited with axe at 1280 and 375 pixels wide, photographed at both (screenshots
// named lifecycle-*), and none may scroll sideways on the phone or answer with an error.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, signIn, auditor, axeViolations, screenshot } from '../lib/harness.mjs'

let server
let browser
const contexts = []

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
})

after(async () => {
  for (const context of contexts) await context.close().catch(() => {})
  await browser?.close()
  await server?.stop()
})

// A browser context the test can audit (bypassCSP only lets the test inject axe-core).
async function newContext (options = {}) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 }, ...options })
  context.setDefaultTimeout(10000)
  contexts.push(context)
  return context
}

// Watches `page` for error answers and script errors, and returns an audit of whatever it
// shows now: axe at 1280 px and at 375 px, a screenshot at each width, and no sideways
// scroll on the phone. Each problem is added to `failures`, so a journey can assert once.
function checker (page, failures) {
  page.on('response', response => {
    // A form sent back with its errors is answered 422; anything else 4xx or 5xx is wrong.
    const status = response.status()
    if (response.request().isNavigationRequest() && (status >= 500 || (status >= 400 && status !== 422))) {
      failures.push(`${response.request().method()} ${response.url()} answered ${response.status()}`)
    }
  })
  page.on('pageerror', error => failures.push(`script error on ${page.url()}: ${error.message}`))
  const audit = auditor(page, failures)
  return async name => {
    const shot = `lifecycle-${name}`
    await page.setViewportSize({ width: 1280, height: 800 })
    await audit(shot)
    await page.setViewportSize({ width: 375, height: 740 })
    const violations = await axeViolations(page)
    if (violations.length) failures.push(`${shot} at 375 px (${page.url()}):\n  ${violations.join('\n  ')}`)
    const wide = await page.evaluate(() => document.documentElement.scrollWidth)
    if (wide > 375) failures.push(`${shot} scrolls sideways at 375 px (${wide} px wide, because of ${await overflowing(page)}): ${page.url()}, screenshots/${shot}-375.png`)
    await screenshot(page, `${shot}-375`)
    await page.setViewportSize({ width: 1280, height: 800 })
  }
}

// The widest of the outermost elements that go past the window, for the report.
function overflowing (page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const name = e => e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '') + [...e.classList].map(c => `.${c}`).join('')
    const culprits = [...document.body.querySelectorAll('*')].filter(e =>
      e.getBoundingClientRect().right > width + 1 && e.parentElement.getBoundingClientRect().right <= width + 1)
    const right = e => Math.round(e.getBoundingClientRect().right)
    culprits.sort((a, b) => right(b) - right(a))
    const widest = culprits.slice(0, 3).map(e => {
      const heading = e.querySelector('caption, th')?.innerText.trim().split('\n')[0].slice(0, 40)
      return `${name(e)}${heading ? ` "${heading}"` : ''} (right edge ${right(e)} px)`
    })
    return `${widest.join(', ') || 'nothing visible'}${culprits.length > 3 ? ` and ${culprits.length - 3} more` : ''}`
  })
}

const main = page => page.locator('main').innerText()
const banner = page => page.locator('.govuk-notification-banner').first().innerText()
const escape = text => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// A link or a link styled as a button (role="button"), by its name.
const control = (page, name) => page.getByRole('link', { name, exact: true }).or(page.getByRole('button', { name, exact: true }))

// Signs the demo administrator in and opens `partnership`'s home page.
async function openPartnership (page, partnership) {
  await signIn(page, server)
  if (partnership !== 'Wolverhampton') {
    await page.goto(`${server.url}/`)
    await page.getByRole('link', { name: new RegExp(partnership) }).click()
    await page.waitForURL(url => /^\/p\/\d+$/.test(url.pathname))
  }
  return page.url()
}

// The Wolverhampton action lead: an administrator invites them as action lead linked to
// the person who leads action 1.1 (this sendplan has no mail server, so the page shows
// the link to give them), and they accept it in their own browser. Made once, by the
// first journey that needs a lead; the pages of the way there are audited too. What the
// lead's audits find waits until a journey takes it with `drain`.
const LEAD_PERSON = 'Principal Educational Psychologist'
const LEAD_ACTION = 'Develop a strengthened graduated response to assist all education settings to correctly identify SEND'
const LEAD_ACTION_LINK = new RegExp(escape(LEAD_ACTION.slice(0, 40)))
let leadSession
function lead () {
  leadSession ??= (async () => {
    const found = []
    const admin = await (await newContext()).newPage()
    const adminCheck = checker(admin, found)
    const home = await openPartnership(admin, 'Wolverhampton')
    await admin.goto(`${home}/invitations/new`)
    await admin.getByLabel('Email address').fill('pat.lead@council.example.org')
    await admin.getByRole('radio', { name: 'Action lead' }).check()
    await admin.getByLabel('Which person in the plans are they?').selectOption({ label: LEAD_PERSON })
    await adminCheck('invite-lead')
    await admin.getByRole('button', { name: 'Send invitation' }).click()
    const link = await admin.getByLabel('Invitation link for pat.lead@council.example.org').inputValue()
    await adminCheck('invitation-link')
    await admin.context().close()
    const page = await (await newContext()).newPage()
    const check = checker(page, found)
    await page.goto(link)
    await check('invitation-accept')
    await page.getByLabel('Your name').fill('Pat Lead')
    await page.getByLabel('New password', { exact: true }).fill('kettle orbit walnut')
    await page.getByLabel('Type the new password again').fill('kettle orbit walnut')
    await page.getByRole('button', { name: 'Create account and join' }).click()
    await page.waitForURL(/\/my-actions$/)
    return { page, check, myActions: page.url(), drain: failures => failures.push(...found.splice(0)) }
  })()
  return leadSession
}

test('an action is deleted and restored with its milestones; one with updates says why it cannot be deleted', async () => {
  const failures = []
  const page = await (await newContext()).newPage()
  const check = checker(page, failures)
  const home = await openPartnership(page, 'Wolverhampton')
  assert.equal(await page.getByRole('link', { name: 'Recently deleted' }).count(), 1, 'the home page links to Recently deleted')
  await check('partnership-home')
  await page.locator('.govuk-summary-card__title a').first().click()
  const plan = page.url()
  await check('plan')

  // Action 3.3 has no progress updates and three milestones.
  const title = 'Identify all budgets that are allocated to services that could be jointly commissioned'
  await page.getByRole('link', { name: title, exact: true }).click()
  await page.waitForURL(/\/actions\/\d+$/)
  const action = page.url()
  const milestones = await page.locator('main table').filter({ hasText: 'Milestone' }).locator('tbody tr th, tbody tr td:first-child').allInnerTexts()
  const names = milestones.map(m => m.trim()).filter(Boolean)
  assert.equal(names.length, 3, `three milestones: ${names.join(' | ')}`)
  await check('action-before-delete')
  await control(page, 'Edit action').click()
  await page.waitForURL(/\/actions\/\d+\/edit$/)
  assert.equal(await page.getByRole('link', { name: 'Delete this action' }).count(), 1, 'the edit page links to delete the action')
  await check('edit-action')
  await page.getByRole('link', { name: 'Delete this action' }).click()
  await page.waitForURL(/\/delete\/action\/\d+$/)
  assert.equal(await page.locator('h1').innerText(), 'Are you sure you want to delete this action?')
  assert.match(await main(page), /This also deletes its [^\n]*\b3 milestones\b/)
  await check('delete-action')
  await page.getByRole('button', { name: 'Delete action' }).click()
  await page.waitForURL(url => !url.pathname.includes('/delete/'))
  assert.match(await banner(page), new RegExp(`Deleted\\. Action 3\\.3: ${escape(title)} can be restored by an administrator from Recently deleted until \\d{1,2} [A-Z][a-z]+ \\d{4}\\.`))
  assert.equal(await page.getByRole('link', { name: title, exact: true }).count(), 0, 'the action has left the plan')
  await check('deleted-flash')

  // An administrator restores it from Recently deleted.
  await page.goto(home)
  await page.getByRole('link', { name: 'Recently deleted' }).click()
  await page.waitForURL(/\/deleted$/)
  assert.match(await main(page), new RegExp(`Action 3\\.3: ${escape(title.slice(0, 40))}`))
  await check('recently-deleted')
  await page.getByRole('button', { name: /^Restore Action 3\.3/ }).click()
  await page.waitForURL(action)
  assert.match(await banner(page), new RegExp(`Restored Action 3\\.3: ${escape(title)}`))
  const text = await main(page)
  for (const name of names) assert.ok(text.includes(name), `the milestone "${name}" is back`)
  await check('restored-action')
  await page.goto(plan)
  assert.equal(await page.getByRole('link', { name: title, exact: true }).count(), 1, 'the action is back in the plan')
  await page.goto(`${home}/deleted`)
  assert.equal(await page.getByRole('button', { name: /^Restore Action 3\.3/ }).count(), 0, 'restored, it leaves Recently deleted')
  await check('recently-deleted-empty')

  // A milestone's edit page leads to its own deletion; cancelling leaves it be.
  await page.goto(action)
  await page.getByRole('link', { name: `Change milestone ${names[0]}` }).click()
  await page.waitForURL(/\/milestones\/\d+\/edit$/)
  await check('edit-milestone')
  await page.getByRole('link', { name: 'Delete this milestone' }).click()
  await page.waitForURL(/\/delete\/milestone\/\d+$/)
  assert.equal(await page.locator('h1').innerText(), 'Are you sure you want to delete this milestone?')
  await check('delete-milestone')
  await page.getByRole('link', { name: 'Cancel' }).click()
  await page.waitForURL(url => !url.pathname.includes('/delete/'))

  // Action 1.1 has a progress update: its history, which stops the deletion.
  await page.goto(plan)
  await page.getByRole('link', { name: LEAD_ACTION, exact: true }).click()
  await page.waitForURL(/\/actions\/\d+$/)
  await check('action-with-update')
  await page.getByRole('link', { name: 'Delete this action' }).last().click()
  await page.waitForURL(/\/delete\/action\/\d+$/)
  assert.equal(await page.locator('h1').innerText(), 'You cannot delete this action yet')
  const refusal = await main(page)
  assert.match(refusal, /\d+ progress updates? (is|are) its history, which is never deleted\. Withdraw a wrong update instead, or archive the plan\./)
  if (/\b1 progress update are\b/.test(refusal)) failures.push(`${page.url()}: says "1 progress update are its history" (should be "is")`)
  assert.equal(await page.getByRole('button', { name: 'Delete action' }).count(), 0, 'there is nothing to press')
  await check('cannot-delete-action')
  await page.getByRole('link', { name: 'Go back to the action' }).click()
  await page.waitForURL(/\/actions\/\d+$/)
  assert.deepEqual(failures, [], failures.join('\n'))
})

test('a wrong rating is corrected: the current rating changes and both updates stay in the history', async () => {
  const failures = []
  const page = await (await newContext()).newPage()
  const check = checker(page, failures)
  await openPartnership(page, 'Worcestershire')
  await page.locator('.govuk-summary-card__title a').first().click()
  await page.waitForURL(/\/plans\/\d+$/)
  await check('worcestershire-plan')
  // Action 1.1.3 is "On track" from one progress update.
  await page.getByRole('link', { name: /^Check against Schedule 2 to the 2014 SEND Regulations/ }).click()
  await page.waitForURL(/\/actions\/\d+$/)
  const action = page.url()
  assert.match(await main(page), /Current rating: On track/)
  const history = page.locator('main .govuk-summary-card')
  const before = await history.count()
  assert.ok(before >= 1, 'the action has a progress update')
  const dated = (await history.first().locator('.govuk-summary-card__title').innerText()).match(/^\d{1,2} [A-Z][a-z]+ \d{4}/)[0]
  await check('action-before-correction')

  await page.getByRole('link', { name: /^Correct the update of/ }).first().click()
  await page.waitForURL(/\/updates\/\d+\/correct$/)
  assert.equal(await page.locator('h1').innerText(), 'Correct an update')
  assert.equal(await page.getByLabel('On track', { exact: true }).isChecked(), true, 'the form starts from the update as it is')
  assert.notEqual(await page.getByLabel('What happened').inputValue(), '', 'what happened is filled in')
  await check('correct-update')
  await page.getByLabel('Under consideration', { exact: true }).check()
  await page.getByRole('button', { name: 'Save correction' }).click()
  await page.locator('.govuk-error-summary').waitFor()
  assert.equal(await page.getByLabel('Under consideration', { exact: true }).isChecked(), true, 'the choice is kept')
  await check('correct-update-errors')
  await page.getByLabel('Why are you correcting it?').fill('Wrong rating chosen: the work has not started')
  await page.getByRole('button', { name: 'Save correction' }).click()
  await page.waitForURL(action)
  assert.match(await banner(page), /Update corrected/)
  const text = await main(page)
  assert.match(text, /Current rating: Under consideration/)
  assert.equal(await history.count(), before + 1, 'the correction is a new card; the old one stays')
  const correction = history.first()
  const corrected = history.nth(1)
  assert.match(await correction.innerText(), /Under consideration/)
  assert.match(await correction.innerText(), new RegExp(`Corrects the update of ${dated}`))
  assert.match(await corrected.innerText(), /On track\s*Does not count/)
  assert.match(await corrected.innerText(), /Corrected by Demo administrator on \d{1,2} [A-Z][a-z]+ \d{4}: Wrong rating chosen: the work has not started/)
  assert.equal(await corrected.getByRole('link', { name: /^Correct/ }).count(), 0, 'a corrected update cannot be corrected again')
  await check('action-after-correction')

  // Withdrawing the correction leaves the action with no counting update from it.
  await page.getByRole('link', { name: /^Withdraw the update of/ }).first().click()
  await page.waitForURL(/\/updates\/\d+\/withdraw$/)
  assert.equal(await page.locator('h1').innerText(), 'Withdraw this update?')
  await check('withdraw-update')
  await page.getByRole('button', { name: 'Withdraw update' }).click()
  await page.locator('.govuk-error-summary').waitFor()
  await check('withdraw-update-errors')
  await page.getByLabel('Why are you withdrawing it?').fill('Posted on the wrong action')
  await page.getByRole('button', { name: 'Withdraw update' }).click()
  await page.waitForURL(action)
  assert.match(await history.first().innerText(), /Does not count/)
  assert.match(await history.first().innerText(), /Withdrawn by Demo administrator on \d{1,2} [A-Z][a-z]+ \d{4}: Posted on the wrong action/)
  assert.doesNotMatch(await main(page), /Current rating: Under consideration/)
  await check('action-after-withdrawal')
  assert.deepEqual(failures, [], failures.join('\n'))
})

test('a "You said, we did" entry is withdrawn and leaves the public page at once', async () => {
  const failures = []
  const page = await (await newContext()).newPage()
  const check = checker(page, failures)
  await openPartnership(page, 'Warwickshire')
  await page.locator('.govuk-summary-card__title a').first().click()
  await page.waitForURL(/\/plans\/\d+$/)
  const plan = page.url()
  await check('warwickshire-plan')
  // The plan's public page is published first.
  await control(page, 'Public page').click()
  await page.waitForURL(/\/publish$/)
  await check('publish')
  await page.getByLabel('Publish this plan\'s progress page').check()
  await page.getByLabel('Summary in plain language', { exact: true }).fill('We are making it quicker to get an assessment and easier to find help.')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('The public progress page is published').waitFor()

  await page.goto(plan)
  await control(page, 'You said, we did').click()
  await page.waitForURL(/\/you-said$/)
  const list = page.url()
  await check('you-said-empty')
  await control(page, 'Add an entry').click()
  await page.getByLabel('You said', { exact: true }).fill('Nobody told us when the assessment would happen.')
  await page.getByLabel('We did', { exact: true }).fill('We now write to every family within five working days.')
  await page.locator('#said_on-day').fill('1')
  await page.locator('#said_on-month').fill('3')
  await page.locator('#said_on-year').fill('2023')
  await page.getByLabel('Show this entry on the public progress page').check()
  await check('new-you-said')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.waitForURL(list)
  assert.match(await main(page), /Nobody told us when the assessment would happen\.\s+We now write to every family within five working days\.\s+Published/)
  await check('you-said-published')

  // A family reads it on the public page.
  const publicPage = plan.replace(/\/p\/(\d+)\/plans\//, '/public/$1/plans/')
  const family = await newContext()
  const visitor = await family.newPage()
  const visitorCheck = checker(visitor, failures)
  await visitor.goto(publicPage)
  assert.match(await main(visitor), /We now write to every family within five working days/)
  await visitorCheck('public-plan-with-entry')

  // The "You said" text opens the entry to change it.
  await page.getByRole('link', { name: 'Nobody told us when the assessment would happen.' }).click()
  await page.waitForURL(/\/you-said\/\d+\/edit$/)
  assert.equal(await page.getByLabel('We did', { exact: true }).inputValue(), 'We now write to every family within five working days.')
  await check('edit-you-said')
  await page.goto(list)

  // One press withdraws it; the family's next visit no longer shows it.
  await page.getByRole('button', { name: 'Withdraw the entry of 1 March 2023' }).click()
  await page.waitForURL(list)
  const withdrawn = await main(page)
  assert.doesNotMatch(withdrawn, /Nobody told us[^\n]*Published/)
  assert.equal(await page.getByRole('button', { name: /^Publish again/ }).count(), 1, 'it can be published again')
  await check('you-said-withdrawn')
  await visitor.reload()
  assert.doesNotMatch(await main(visitor), /five working days/)
  await visitorCheck('public-plan-after-withdrawal')

  // And published again, it is back.
  await page.getByRole('button', { name: /^Publish again/ }).click()
  await page.waitForURL(list)
  assert.match(await banner(page), /Entry published on the public page/)
  await check('you-said-published-again')
  await visitor.reload()
  assert.match(await main(visitor), /We now write to every family within five working days/)
  assert.deepEqual(failures, [], failures.join('\n'))
})

test('an archived plan leaves its lead\'s My actions and the home page, and is brought back', async () => {
  const failures = []
  const leader = await lead()
  await leader.page.goto(leader.myActions)
  assert.equal(await leader.page.getByRole('link', { name: new RegExp(`^1\\.1 ${escape(LEAD_ACTION.slice(0, 40))}`) }).count(), 1, 'the lead sees action 1.1 in My actions')
  await leader.check('lead-my-actions')

  const page = await (await newContext()).newPage()
  const check = checker(page, failures)
  const home = await openPartnership(page, 'Wolverhampton')
  await check('home-before-archiving')
  const planCard = page.locator('.govuk-summary-card__title a').first()
  const title = await planCard.innerText()
  await planCard.click()
  const plan = page.url()
  await page.getByRole('link', { name: 'Archive this plan' }).click()
  await page.waitForURL(/\/archive$/)
  assert.equal(await page.locator('h1').innerText(), 'Archive this plan?')
  await check('archive-plan')
  await page.getByRole('button', { name: 'Archive plan' }).click()
  await page.locator('.govuk-error-summary').waitFor()
  await check('archive-plan-errors')
  await page.getByLabel('Why is it being archived?').fill('Replaced by the priority action plan approved in December 2026')
  await page.getByRole('button', { name: 'Archive plan' }).click()
  await page.waitForURL(plan)
  const archived = await main(page)
  assert.match(archived, /Plan archived/)
  assert.match(archived, /Archived on \d{1,2} [A-Z][a-z]+ \d{4} by Demo administrator: Replaced by the priority action plan approved in December 2026/)
  assert.equal(await page.getByRole('button', { name: 'Bring this plan back' }).count(), 1)
  await check('archived-plan')

  await page.goto(home)
  const archivedList = await main(page)
  const [active, underArchived] = archivedList.split('Archived plans')
  assert.ok(underArchived !== undefined, 'the home page has an Archived plans section')
  assert.ok(!active.includes(title), 'the plan has left the active plans')
  assert.ok(underArchived.includes(title), 'the plan is listed under Archived plans')
  await check('home-with-archived-plan')

  await leader.page.goto(leader.myActions)
  assert.equal(await leader.page.getByRole('link', { name: LEAD_ACTION_LINK }).count(), 0, 'the archived plan\'s action has left My actions')
  await leader.check('lead-my-actions-archived')

  // Brought back, it is where it was.
  await page.getByRole('link', { name: title }).click()
  await page.waitForURL(plan)
  await page.getByRole('button', { name: 'Bring this plan back' }).click()
  await page.waitForURL(plan)
  assert.match(await banner(page), /Plan brought back from the archive/)
  assert.equal(await page.getByRole('link', { name: 'Archive this plan' }).count(), 1)
  await check('plan-brought-back')
  await page.goto(home)
  assert.doesNotMatch(await main(page), /Archived plans/)
  await leader.page.goto(leader.myActions)
  assert.equal(await leader.page.getByRole('link', { name: LEAD_ACTION_LINK }).count(), 1, 'the action is back in My actions')
  leader.drain(failures)
  assert.deepEqual(failures, [], failures.join('\n'))
})

test('a lead marks a milestone of their action done, with what shows it was done', async () => {
  const failures = []
  const leader = await lead()
  const page = leader.page
  await page.goto(leader.myActions)
  await page.getByRole('link', { name: LEAD_ACTION_LINK }).click()
  await page.waitForURL(/\/actions\/\d+$/)
  const action = page.url()
  // The lead may mark milestones done, but not correct someone else's update.
  assert.equal(await page.getByRole('link', { name: /^Correct the update/ }).count(), 0, 'a lead cannot correct the administrator\'s update')
  await leader.check('lead-action')
  const markDone = page.getByRole('link', { name: /^Mark done milestone / }).first()
  const milestone = (await markDone.innerText()).replace(/^Mark done\s+milestone\s+/, '').trim()
  await markDone.click()
  await page.waitForURL(/\/milestones\/\d+\/done$/)
  assert.equal(await page.locator('h1').innerText(), 'Mark this milestone done')
  assert.match(await main(page), new RegExp(escape(milestone)))
  await leader.check('mark-milestone-done')
  await page.getByRole('button', { name: 'Mark as done' }).click()
  await page.locator('.govuk-error-summary').waitFor()
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter what shows it was done/)
  await leader.check('mark-milestone-done-errors')
  await page.locator('#done_date-day').fill('3')
  await page.locator('#done_date-month').fill('3')
  await page.locator('#done_date-year').fill('2022')
  await page.getByLabel('What shows it was done?').fill('Minutes of the core group, 3 March 2022, item 4')
  await page.getByRole('button', { name: 'Mark as done' }).click()
  await page.waitForURL(action)
  assert.match(await banner(page), /Milestone marked done/)
  const row = page.locator('main table tbody tr').filter({ hasText: milestone })
  const cells = await row.innerText()
  assert.match(cells, /Done 3 March 2022/)
  assert.match(cells, /Evidence: Minutes of the core group, 3 March 2022, item 4/)
  assert.equal(await row.getByRole('link', { name: /^Mark done/ }).count(), 0, 'a done milestone has nothing left to mark')
  await leader.check('lead-action-milestone-done')
  leader.drain(failures)
  assert.deepEqual(failures, [], failures.join('\n'))
})

test('the timeline tells Oxfordshire\'s history in date order, and an intervention known only to the month is recorded', async () => {
  const failures = []
  const page = await (await newContext()).newPage()
  const check = checker(page, failures)
  const home = await openPartnership(page, 'Oxfordshire')
  await page.getByRole('link', { name: /^Timeline/ }).click()
  await page.waitForURL(`${home}/timeline`)
  const text = await main(page)
  const order = [
    'Joint local area SEND inspection, 25 September 2017',
    'Written statement of action (2017 inspection)',
    'Revisit (2016 framework)',
    'Area SEND inspection, 17 July 2023',
    'Improvement notice',
    'Deep dive',
    'Monitoring inspection (2023 framework)'
  ]
  let at = 0
  for (const title of order) {
    const found = text.indexOf(title, at)
    assert.ok(found >= 0, `${title} is missing or out of order`)
    at = found
  }
  await check('timeline')

  await control(page, 'Record an intervention or review').click()
  await page.getByRole('radio', { name: 'Review at 12 months' }).check()
  await page.getByRole('radio', { name: 'Department for Education and NHS England' }).check()
  // A day without a month is refused, with what was typed kept.
  await page.locator('#date-day').fill('5')
  await page.locator('#date-year').fill('2024')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.locator('.govuk-error-summary').waitFor()
  assert.match(await main(page), /must include a month when it includes a day/)
  await check('intervention-errors')
  await page.locator('#date-day').fill('')
  await page.locator('#date-month').fill('11')
  await page.getByLabel('Outcome (optional)').fill('Formal monitoring continues')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.waitForURL(`${home}/timeline`)
  const after = await main(page)
  assert.match(after, /November 2024/)
  assert.match(after, /Review at 12 months/)
  await check('timeline-with-review')

  // The 2023 inspection's page: only its first day is known, and its revisit is a
  // monitoring inspection with the 2023 framework's judgements.
  await page.getByRole('link', { name: 'Area SEND inspection, 17 July 2023' }).click()
  const inspection = await main(page)
  assert.match(inspection, /From 17 July 2023/)
  assert.match(inspection, /Effective action taken/)
  await check('monitored-inspection')
  assert.deepEqual(failures, [], failures.join('\n'))
})
