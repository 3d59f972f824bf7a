// Every page of the demo, signed in and in public, opened in Chromium on a 375-pixel phone
// and a 1280-pixel desktop: no page may scroll sideways or be cut off at either width, and
// axe finds nothing on any page at either. Pages are found by following links from the
// home page and the public pages, so a new page is tested without being listed here.
// (axe runs on every page at 375 px, and on the public pages at both widths.)
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, signIn, axeViolations, screenshot } from '../lib/harness.mjs'

let server, browser

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

// Pages of the same kind differ only in their numbers: /p/1/actions/7 and /p/1/actions/9.
// Two of each kind are opened (the first two found), so the run stays minutes long while
// every kind of page is seen with more than one record.
// Numbers and the UUIDs of imported records (a Local Offer's services) are ids: one kind.
const kindOf = path => path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID').replace(/\d+/g, 'N')
const PER_KIND = 2

// Links that are not pages: downloads, signing out, and the same page in a format other
// than HTML (a paper read as HTML is a page, and is checked).
const notAPage = path =>
  /\/sign-out|\.(csv|xlsx|docx|pdf|json|zip|png|svg|css|js)(\?|$)|\/download|[?&]format=(?!html)|\/assets\//.test(path)

// The widest any element reaches past the window, with what it is, so a failure names it.
async function overflow (page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const scroll = document.documentElement.scrollWidth
    if (scroll <= width) return null
    // The outermost elements that reach past the edge, not inside a scrolling region.
    const culprits = []
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect()
      if (box.right <= width + 1 || box.width === 0) continue
      let inside = el.parentElement
      let scrolls = false
      while (inside && inside !== document.body) {
        const style = getComputedStyle(inside)
        if (/(auto|scroll|hidden)/.test(style.overflowX)) { scrolls = true; break }
        inside = inside.parentElement
      }
      if (scrolls) continue
      if (culprits.some(c => c.el.contains(el))) continue
      culprits.push({ el, right: Math.round(box.right) })
    }
    return {
      scroll,
      width,
      culprits: culprits.slice(0, 3).map(c => `${c.el.tagName.toLowerCase()}${c.el.id ? '#' + c.el.id : ''}${c.el.className && typeof c.el.className === 'string' ? '.' + c.el.className.trim().split(/\s+/).join('.') : ''} to ${c.right}px`)
    }
  })
}

async function crawl (context, starts, { allow }) {
  const page = await context.newPage()
  const seen = new Set()
  const perKind = new Map()
  const queue = [...starts]
  const pages = []
  while (queue.length) {
    const path = queue.shift()
    if (seen.has(path)) continue
    seen.add(path)
    const kind = kindOf(path)
    if ((perKind.get(kind) || 0) >= PER_KIND) continue
    const response = await page.goto(server.url + path)
    // Following links never signs anyone out: a page that did would hide every page after it.
    const landed = new URL(page.url()).pathname
    assert.ok(!landed.endsWith('/sign-in') || path.endsWith('/sign-in'), `opening ${path} signed the visitor out (after ${pages.slice(-3).join(', ')})`)
    if (!response || response.status() !== 200 || !/text\/html/.test(response.headers()['content-type'] || '')) continue
    perKind.set(kind, (perKind.get(kind) || 0) + 1)
    pages.push(path)
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')))
    for (const href of links) {
      if (!href || !href.startsWith('/') || href.startsWith('//')) continue
      const next = href.split('#')[0]
      if (!next || notAPage(next) || !allow(next) || seen.has(next)) continue
      queue.push(next)
    }
  }
  await page.close()
  return pages
}

// axe runs at phone width, where most problems appear (the journeys audit the desktop);
// sideways scrolling is checked at both.
async function audit (context, pages, width, label, failures, { withAxe }) {
  const page = await context.newPage()
  await page.setViewportSize({ width, height: 800 })
  for (const path of pages) {
    await page.goto(server.url + path)
    const wide = await overflow(page)
    if (wide) failures.push(`${path} at ${width}px scrolls sideways (${wide.scroll}px in ${wide.width}px): ${wide.culprits.join('; ')}`)
    if (!withAxe) continue
    const violations = await axeViolations(page)
    if (violations.length) failures.push(`${path} at ${width}px:\n  ${violations.join('\n  ')}`)
  }
  // One screenshot of each kind of page at this width, to look at.
  for (const path of pages.filter((p, i) => pages.findIndex(q => kindOf(q) === kindOf(p)) === i)) {
    await page.goto(server.url + path)
    await screenshot(page, `pages-${label}-${kindOf(path).replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '') || 'home'}`)
  }
  await page.close()
}

test('every page fits a 375-pixel phone and a 1280-pixel desktop, with no accessibility failures', { timeout: 30 * 60 * 1000 }, async () => {
  const context = await browser.newContext({ bypassCSP: true })
  const page = await context.newPage()
  await signIn(page, server)
  // Wolverhampton's plan published, so the public pages have something to show.
  const plan = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).find(h => /^\/p\/\d+\/plans\/\d+$/.test(h)))
  assert.ok(plan, 'the partnership page links to its plan')
  await page.goto(`${server.url}${plan}/publish`)
  await page.getByLabel('Publish this plan\'s progress page').check()
  await page.getByLabel('Summary in plain language', { exact: true }).fill('We are making it easier for families to get help early.')
  await page.getByLabel(/How many actions are at each rating/).check()
  await page.getByLabel(/New EHC plans issued within 20 weeks/).first().check()
  await page.getByRole('button', { name: 'Save' }).click()
  // A paper issued to a board, so the issued paper and the Reports page's tables are seen.
  await page.goto(`${server.url}${plan.replace(/\/plans\/\d+$/, '')}/boards/new`)
  await page.getByLabel('Name', { exact: true }).fill('SEND Partnership Board')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.goto(`${server.url}${plan}/reports`)
  await page.getByRole('radio', { name: 'Full progress report' }).check()
  await page.getByLabel('Issue it to a board (optional)').selectOption({ label: 'SEND Partnership Board' })
  await page.getByRole('button', { name: 'Produce the report' }).click()
  await page.waitForURL(/\/reports\/\d+$/)
  // The public pages as the partnership's own: its colour, logo, contact details, Local
  // Offer and feedback links (a 1-pixel PNG stands in for a logo).
  const pid = plan.replace(/\/plans\/\d+$/, '')
  await page.goto(`${server.url}${pid}/public-profile`)
  await page.getByLabel('Header colour (optional)').fill('#003a69')
  await page.getByLabel('Logo (optional)').setInputFiles({
    name: 'logo.png',
    mimeType: 'image/png',
    buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
  })
  await page.getByLabel('Email address for families (optional)').fill('send@example.gov.uk')
  await page.getByLabel('Your Local Offer\'s address (optional)').fill('https://www.example.gov.uk/local-offer')
  await page.getByLabel('Where families give feedback (optional)').fill('https://www.example.gov.uk/feedback')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.waitForURL(new RegExp(`${pid}$`))
  // A long pick-list is filtered by any words of a name, job title or organisation, and
  // what is ticked stays in view.
  await page.goto(`${server.url}${pid}/actions/2/edit`)
  const leads = page.locator('#leads-choices .govuk-checkboxes__item')
  const all = await leads.count()
  const ticked = await page.locator('#leads-choices input:checked').count()
  await page.getByLabel('Filter: Leads').fill('wias')
  const visible = await leads.evaluateAll(items => items.filter(i => !i.hidden).map(i => i.innerText))
  assert.ok(visible.length < all && visible.length >= ticked, `${visible.length} of ${all} leads shown`)
  assert.ok(visible.some(text => /Wolverhampton Information, Advice and Support Service/.test(text)), 'people are found by their organisation')
  await page.close()
  // Signed in: everything reachable from the partnerships page, starting with the
  // largest plan's pages (a plan with no actions would otherwise stand for every plan).
  const signedIn = await crawl(context, [plan, '/'], { allow: () => true })
  const publicContext = await browser.newContext({ bypassCSP: true })
  const published = await crawl(publicContext, [1, 2, 3, 4, 5].map(n => `/public/${n}`), { allow: path => path.startsWith('/public') })
  assert.ok(signedIn.length > 40, `the crawl found only ${signedIn.length} signed-in pages`)
  assert.ok(published.length >= 2, `the crawl found only ${published.length} public pages`)
  // Families see the partnership, not sendplan: its name and logo on top, its colour, and
  // how to reach it at the foot of every public page.
  const reader = await publicContext.newPage()
  await reader.goto(server.url + published[0])
  assert.match(await reader.locator('header').innerText(), /Wolverhampton/)
  assert.equal(await reader.locator('header img.app-brand-logo').count(), 1)
  assert.equal(await reader.locator('header').evaluate(h => getComputedStyle(h).backgroundColor), 'rgb(0, 58, 105)')
  const footer = await reader.locator('footer').innerText()
  assert.match(footer, /send@example\.gov\.uk/)
  assert.match(footer, /Local Offer/)
  assert.match(footer, /Tell us what you think/)
  await reader.close()
  const failures = []
  for (const [width, label] of [[375, 'phone'], [1280, 'desktop']]) {
    const withAxe = width === 375
    await audit(context, signedIn, width, label, failures, { withAxe })
    await audit(publicContext, published, width, `public-${label}`, failures, { withAxe: true })
  }
  await context.close()
  await publicContext.close()
  assert.deepEqual(failures, [], `${failures.length} problems in ${signedIn.length + published.length} pages:\n${failures.join('\n')}`)
})
