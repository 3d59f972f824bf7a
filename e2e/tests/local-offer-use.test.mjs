// Issue 17: three families use the Local Offer, on a desktop and on phones, arriving from
// a search engine, directly and from social media. One finds nothing and answers "No"
// with a comment; an officer tags it and publishes it as "You said, we did"; and the
// website performance page and the plan's "% found" measure show exactly those visits,
// devices, bounces, sources and answers. A fourth browser asks not to be tracked and is
// not counted; nor is the officer, nor the headless browser the accessibility audit runs
// in (a robot).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, signIn, auditor, screenshot } from '../lib/harness.mjs'

const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36'
const phone = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true }

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

const fitsScreen = page => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)

// The key figures table of the performance page, as { figure: value this period }.
async function keyFigures (page) {
  return page.locator('table').first().evaluate(table => Object.fromEntries(
    [...table.querySelectorAll('tbody tr')].map(tr => [tr.querySelector('th').innerText.trim(), tr.querySelector('td').innerText.split('\n')[0].trim()])))
}

// A breakdown table under `heading`, as { row label: count }.
async function breakdown (page, heading) {
  const table = page.locator(`h2:text-is("${heading}") + div table`)
  return table.evaluate(t => Object.fromEntries(
    [...t.querySelectorAll('tbody tr')].map(tr => [tr.cells[0].innerText.trim(), Number(tr.cells[1].innerText)])))
}

test('three families browse and search, one comments, the officer publishes, and the figures show exactly them', async () => {
  const local = `${server.url}/local-offer/wolverhampton`

  // 1. A parent on a desktop arrives from Google, searches, opens a service and found it.
  const desktop = await browser.newContext({ userAgent: DESKTOP, viewport: { width: 1280, height: 900 } })
  const a = await desktop.newPage()
  await a.goto(local, { referer: 'https://www.google.co.uk/' })
  await a.getByLabel('What are you looking for?').fill('short breaks')
  await a.getByRole('button', { name: 'Search' }).click()
  await a.waitForURL(/\/search\?/)
  await a.locator('.app-result h2 a').first().click()
  await a.waitForURL(/\/services\//)
  const servicePage = a.url()
  await a.getByRole('button', { name: /^Yes/ }).click()
  assert.equal(await a.locator('h1').innerText(), 'Thank you for your answer')
  await desktop.close()

  // 2. A parent on an iPhone, without JavaScript, comes straight in, finds nothing, says so.
  const iphone = await browser.newContext({ ...phone, userAgent: IPHONE, javaScriptEnabled: false })
  const b = await iphone.newPage()
  await b.goto(local)
  await b.getByLabel('What are you looking for?').fill('zorbing on xylophones')
  await b.getByRole('button', { name: 'Search' }).click()
  await b.waitForURL(/\/search\?/)
  assert.match(await b.locator('main').innerText(), /No services match/)
  assert.equal(await fitsScreen(b), true)
  await screenshot(b, 'local-offer-use-found-nothing-phone')
  await b.getByRole('button', { name: /^No/ }).click()
  assert.equal(await b.locator('h1').innerText(), 'Thank you for your answer')
  assert.match(await b.locator('main').innerText(), /Do not include personal details/)
  await screenshot(b, 'local-offer-use-comment-phone')
  // Sending "No" again (a double tap, a resend) is counted once.
  const again = await b.request.post(`${local}/feedback`, { form: { page: '/search', found: 'no' }, headers: { Origin: server.url } })
  assert.match(await again.text(), /already answered for this page/)
  // From another site, the form is refused.
  const forged = await b.request.post(`${local}/feedback`, { form: { page: '/search', found: 'yes' }, headers: { Origin: 'https://attacker.example' } })
  assert.equal(forged.status(), 403)
  await b.getByLabel('What were you looking for? (optional)').fill('Underwater hockey or any sport in water for a deaf teenager')
  await b.getByRole('button', { name: 'Send comment' }).click()
  assert.equal(await b.locator('h1').innerText(), 'Thank you')
  await iphone.close()

  // 3. A parent on an Android phone follows a link from Facebook to a service, and leaves.
  const android = await browser.newContext({ ...phone, userAgent: ANDROID })
  const c = await android.newPage()
  await c.goto(servicePage, { referer: 'https://l.facebook.com/' })
  await android.close()

  // 4. A browser that asks not to be tracked is not counted, nor is its search.
  const private_ = await browser.newContext({ userAgent: DESKTOP, extraHTTPHeaders: { DNT: '1' } })
  const d = await private_.newPage()
  await d.goto(`${local}/search?q=speech+therapy`)
  await private_.close()

  // The officer triages the comment and publishes it.
  const officer = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })
  const o = await officer.newPage()
  const failures = []
  const audit = auditor(o, failures)
  await signIn(o, server)
  const base = new URL(o.url()).pathname.match(/^\/p\/\d+/)[0]

  await o.goto(`${server.url}${base}/local-offer`)
  const comments = o.locator('a', { hasText: "Families' comments" })
  assert.equal((await comments.innerText()).trim(), "Families' comments (1 new)")
  await comments.click()
  await audit('local-offer-comments')
  await screenshot(o, 'local-offer-use-comments')
  await o.getByRole('link', { name: /Underwater hockey/ }).click()
  await audit('local-offer-comment')
  await o.getByLabel('A service that is missing').check()
  await o.getByLabel('Our response (what we did)').fill('We asked the city swimming club and the deaf children\'s society to add their water sports to the Local Offer.')
  await o.getByLabel('What we will do (optional)').fill('List every inclusive sports club by March.')
  const planSelect = o.getByLabel('Publish in the "You said, we did" of')
  await planSelect.selectOption({ index: 1 })
  const planId = await planSelect.inputValue()
  await o.getByLabel('Publish as "You said, we did"').check()
  // Publishing without the confirmation is refused, and what was typed is kept.
  await o.getByRole('button', { name: 'Save' }).click()
  await assert.doesNotReject(o.getByText('There is a problem').waitFor())
  assert.match(await o.getByLabel('Our response (what we did)').inputValue(), /city swimming club/)
  await o.getByLabel('I have taken out anything that could identify').check()
  await o.getByRole('button', { name: 'Save' }).click()
  await assert.doesNotReject(o.getByText('Comment published as "You said, we did"').waitFor())

  // Families see it on the Local Offer and on the plan's public page. (This reader is
  // the headless browser itself, which is not counted.)
  const family = await browser.newContext({ ...phone, javaScriptEnabled: false })
  const f = await family.newPage()
  await f.goto(`${local}/you-said-we-did`)
  const youSaid = await f.locator('main').innerText()
  assert.match(youSaid, /Underwater hockey or any sport in water for a deaf teenager/)
  assert.match(youSaid, /city swimming club/)
  assert.match(youSaid, /What we will do: List every inclusive sports club by March/)
  assert.equal(await fitsScreen(f), true)
  await screenshot(f, 'local-offer-use-you-said-phone')
  await family.close()
  // It is an entry of the plan's own "You said, we did", which its public page shows.
  await o.goto(`${server.url}${base}/plans/${planId}/you-said`)
  assert.match(await o.locator('main').innerText(), /Underwater hockey or any sport in water/)

  // The performance page shows exactly the three families' visits.
  await o.goto(`${server.url}${base}/local-offer/performance`)
  await audit('local-offer-performance')
  await screenshot(o, 'local-offer-use-performance')
  const figures = await keyFigures(o)
  assert.equal(figures.Visits, '3')
  assert.equal(figures['Unique visitors (counted each day)'], '3')
  assert.equal(figures['Pages viewed'], '6')
  assert.equal(figures['Bounce rate (visits of one page)'], '33.3%')
  assert.equal(figures['Visits on a desktop'], '1')
  assert.equal(figures['Visits on a phone'], '2')
  assert.equal(figures.Searches, '2')
  assert.equal(figures['Searches that found nothing'], '1')
  assert.equal(figures['Found what they were looking for'], '50%')
  assert.deepEqual(await breakdown(o, 'Traffic source'), { Direct: 1, 'Search engine': 1, 'Social media': 1, Campaign: 0, 'Other website': 0 })
  assert.deepEqual(await breakdown(o, 'Desktop against mobile'), { Desktop: 1, Mobile: 2, Tablet: 0 })
  const csv = await (await o.request.get(`${server.url}${base}/local-offer/performance.csv`)).text()
  assert.match(csv, /Key figure,Visits,3,/)

  // Unmet need names the search that found nothing.
  await o.goto(`${server.url}${base}/local-offer/unmet-need`)
  await audit('local-offer-unmet-need')
  assert.match(await o.locator('main').innerText(), /zorbing on xylophones/)

  // The plan's "% found" measure holds the same answer: 1 of 2 (recorded within seconds).
  // (The demo's first plan holds the Local Offer's measures.)
  await o.goto(`${server.url}${base}/plans/${planId}/measures`)
  await o.getByRole('link', { name: 'Local Offer visitors who found what they were looking for' }).click()
  let shown = ''
  for (let i = 0; i < 20 && !/1 of 2 answers/.test(shown); i++) {
    await o.waitForTimeout(500)
    await o.reload()
    shown = await o.locator('main').innerText()
  }
  assert.match(shown, /50%/)
  assert.match(shown, /1 of 2 answers/)

  // The officer's pages fit a phone.
  const small = await browser.newContext({ ...phone })
  const s = await small.newPage()
  await signIn(s, server)
  for (const path of ['/local-offer/performance', '/local-offer/feedback', '/local-offer/unmet-need']) {
    await s.goto(`${server.url}${base}${path}`)
    assert.equal(await fitsScreen(s), true, `${path} scrolls sideways on a phone`)
    await screenshot(s, `local-offer-use${path.replaceAll('/', '-')}-phone`)
  }
  await small.close()
  await officer.close()
  assert.deepEqual(failures, [])
})
