// Accounts in a real browser, against a real SMTP server and a real OpenID provider:
// an administrator invites an action lead, the invitation email reaches the mail server,
// the lead accepts it, chooses a password and lands on My actions; the administrator
// removes the lead, whose open session is refused on its next request. Then single
// sign-on: the partnership names its email domain, invites someone at it, and they join
// through the identity provider (oidc-provider) without a password. Every new page is
// audited with axe and photographed at 1280 and 375 pixels wide, and none may scroll
// sideways on the phone.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, startMailServer, launchBrowser, signIn, auditor, freePort, screenshot, deliveredMail } from '../lib/harness.mjs'
import { startOidcProvider } from '../lib/oidc-server.mjs'

let mail
let mailDir
let server
let browser
let oidc

before(async () => {
  mailDir = mkdtempSync(join(tmpdir(), 'sendplan-smtp-'))
  mail = await startMailServer(mailDir)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  oidc = await startOidcProvider({ redirectUri: `${base}/sign-in/sso/callback` })
  server = await startServer(undefined, {
    ...mail.env,
    SENDPLAN_BASE_URL: base,
    SENDPLAN_OIDC_ISSUER: oidc.issuer,
    SENDPLAN_OIDC_CLIENT_ID: oidc.clientId,
    SENDPLAN_OIDC_CLIENT_SECRET: oidc.clientSecret,
    SENDPLAN_OIDC_NAME: 'Council account'
  }, port)
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await server?.stop()
  await mail?.stop()
  await oidc?.stop()
  if (mailDir) rmSync(mailDir, { recursive: true, force: true })
})

const delivered = () => deliveredMail(mailDir)

async function emailTo (address) {
  for (let i = 0; i < 100; i++) {
    const found = delivered().find(m => m.split('\n').some(line => line.startsWith('To: ') && line.includes(address)))
    if (found) return found
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`no email reached ${address}`)
}

// Audits the page at 1280 px (in `audit`), then at 375 px: a screenshot, and no sideways scroll.
async function auditBoth (page, audit, name, failures) {
  await audit(name)
  const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, bypassCSP: true, storageState: await page.context().storageState() })
  const small = await phone.newPage()
  await small.goto(page.url())
  const wide = await small.evaluate(() => document.documentElement.scrollWidth)
  if (wide > 375) failures.push(`${name} scrolls sideways at 375 px (${wide} px wide)`)
  await screenshot(small, `${name}-375`)
  await phone.close()
}

test('an administrator invites a lead by email, the lead joins, and removing them ends their session', async () => {
  const failures = []
  const adminContext = await browser.newContext({ bypassCSP: true })
  const admin = await adminContext.newPage()
  const audit = auditor(admin, failures)
  await signIn(admin, server)
  const home = admin.url()
  await admin.goto(`${home}/members`)
  await auditBoth(admin, audit, 'members', failures)
  await admin.getByRole('button', { name: 'Invite someone' }).click()
  await admin.getByLabel('Email address').fill('not an address')
  await admin.getByRole('radio', { name: 'Action lead' }).check()
  await admin.getByRole('button', { name: 'Send invitation' }).click()
  assert.match(await admin.locator('.govuk-error-summary').innerText(), /correct format/)
  await auditBoth(admin, audit, 'invite-errors', failures)
  await admin.getByLabel('Email address').fill('lee.lead@council.example.org')
  await admin.getByLabel('Which person in the plans are they?').selectOption({ index: 1 })
  await admin.getByRole('button', { name: 'Send invitation' }).click()
  assert.match(await admin.locator('.govuk-notification-banner').innerText(), /Invitation sent to lee.lead@council.example.org/)
  assert.match(await admin.locator('main').innerText(), /Waiting/)

  const email = await emailTo('lee.lead@council.example.org')
  assert.match(email, /Subject: You are invited to Wolverhampton on sendplan/)
  const link = email.match(/http:\/\/\S+\/invitations\/[0-9a-f]{64}/)[0]
  // Once sent, the outbox no longer holds the link.
  const leadContext = await browser.newContext({ bypassCSP: true })
  const lead = await leadContext.newPage()
  const leadAudit = auditor(lead, failures)
  await lead.goto(link)
  assert.match(await lead.locator('main').innerText(), /invited to join Wolverhampton on sendplan as action lead/)
  await auditBoth(lead, leadAudit, 'invitation-accept', failures)
  await lead.getByLabel('Your name').fill('Lee Lead')
  await lead.getByLabel('New password', { exact: true }).fill('password1234')
  await lead.getByLabel('Type the new password again').fill('password1234')
  await lead.getByRole('button', { name: 'Create account and join' }).click()
  assert.match(await lead.locator('.govuk-error-summary').innerText(), /too common/)
  assert.equal(await lead.getByLabel('Your name').inputValue(), 'Lee Lead', 'the name typed is kept')
  await leadAudit('invitation-accept-errors')
  await lead.getByLabel('New password', { exact: true }).fill('kettle orbit walnut')
  await lead.getByLabel('Type the new password again').fill('kettle orbit walnut')
  await lead.getByRole('button', { name: 'Create account and join' }).click()
  await lead.waitForURL(/\/my-actions$/)
  assert.equal(await lead.locator('h1').innerText(), 'My actions')
  assert.match(await lead.locator('.govuk-notification-banner').innerText(), /You have joined Wolverhampton/)
  await leadAudit('my-actions-after-joining')
  await lead.goto(`${server.url}/account`)
  await auditBoth(lead, leadAudit, 'account', failures)
  await lead.getByRole('link', { name: /Your sessions/ }).click()
  assert.match(await lead.locator('main').innerText(), /This browser/)
  await auditBoth(lead, leadAudit, 'sessions', failures)
  await lead.goto(`${server.url}/account/password`)
  await auditBoth(lead, leadAudit, 'change-password', failures)

  // The administrator removes the lead; the lead's open page is refused on its next request.
  await admin.goto(`${home}/members`)
  await admin.getByRole('link', { name: 'Lee Lead' }).click()
  await auditBoth(admin, audit, 'member', failures)
  await admin.getByRole('link', { name: /Remove Lee Lead/ }).click()
  await auditBoth(admin, audit, 'member-remove', failures)
  await admin.getByRole('button', { name: 'Remove from the partnership' }).click()
  assert.match(await admin.locator('.govuk-notification-banner').innerText(), /removed from the partnership and signed out/)
  await lead.goto(`${home}/my-actions`)
  await lead.waitForURL(/\/sign-in/)
  assert.equal(await lead.locator('h1').innerText(), 'Sign in')

  // Deployment administration.
  await admin.goto(`${server.url}/admin/accounts`)
  assert.match(await admin.locator('main').innerText(), /lee.lead@council.example.org/)
  await auditBoth(admin, audit, 'admin-accounts', failures)
  await admin.getByRole('link', { name: 'Lee Lead' }).click()
  await auditBoth(admin, audit, 'admin-account', failures)
  await admin.getByRole('button', { name: 'Disable account' }).click()
  assert.match(await admin.locator('.govuk-notification-banner').innerText(), /disabled/)

  // Forgotten password, as a stranger sees it.
  const strangerContext = await browser.newContext({ bypassCSP: true })
  const stranger = await strangerContext.newPage()
  const strangerAudit = auditor(stranger, failures)
  await stranger.goto(`${server.url}/sign-in`)
  await stranger.getByRole('link', { name: 'Forgot your password?' }).click()
  await auditBoth(stranger, strangerAudit, 'forgot-password', failures)
  await stranger.getByLabel('Email address').fill('demo@sendplan.invalid')
  await stranger.getByRole('button', { name: 'Send the link' }).click()
  assert.match(await stranger.locator('main').innerText(), /If demo@sendplan.invalid has a sendplan account/)
  const reset = await emailTo('demo@sendplan.invalid')
  const resetLink = reset.match(/http:\/\/\S+\/reset-password\/[0-9a-f]{64}/)[0]
  await stranger.goto(resetLink)
  await auditBoth(stranger, strangerAudit, 'reset-password', failures)
  await Promise.all([adminContext.close(), leadContext.close(), strangerContext.close()])
  assert.deepEqual(failures, [])
})

test('a partnership signs its domain in through the identity provider, and an invited person joins with it', async () => {
  const failures = []
  const adminContext = await browser.newContext({ bypassCSP: true })
  const admin = await adminContext.newPage()
  const audit = auditor(admin, failures)
  await signIn(admin, server)
  const home = admin.url()
  await admin.goto(`${home}/sign-in`)
  await auditBoth(admin, audit, 'single-sign-on-settings', failures)
  await admin.getByLabel('Email domains that sign in with the identity provider').fill('nhs.example.org')
  await admin.getByRole('radio', { name: 'No, only the identity provider' }).check()
  await admin.getByRole('button', { name: 'Save' }).click()
  assert.match(await admin.locator('.govuk-notification-banner').innerText(), /Single sign-on settings saved/)
  await admin.goto(`${home}/invitations/new`)
  await admin.getByLabel('Email address').fill('sam.viewer@nhs.example.org')
  await admin.getByRole('radio', { name: 'Viewer' }).check()
  await admin.getByRole('button', { name: 'Send invitation' }).click()
  const email = await emailTo('sam.viewer@nhs.example.org')
  const link = email.match(/http:\/\/\S+\/invitations\/[0-9a-f]{64}/)[0]

  const samContext = await browser.newContext({ bypassCSP: true })
  const sam = await samContext.newPage()
  await sam.goto(link)
  assert.match(await sam.locator('main').innerText(), /Accounts at nhs.example.org sign in with Council account/)
  await sam.getByRole('link', { name: 'Join with Council account' }).click()
  await sam.getByPlaceholder('and password').waitFor()
  assert.equal(await sam.getByPlaceholder('Enter any login').inputValue(), 'sam.viewer@nhs.example.org')
  await sam.getByPlaceholder('and password').fill('anything')
  await sam.getByRole('button', { name: 'Sign-in' }).click()
  await sam.getByRole('button', { name: 'Continue' }).click()
  await sam.waitForURL(url => url.pathname === new URL(home).pathname)
  assert.match(await sam.locator('.govuk-notification-banner').innerText(), /You have joined the partnership/)
  assert.match(await sam.locator('header').innerText(), /Sam Viewer/)

  // Password sign-in is switched off for that domain; signing in again goes through the provider.
  await samContext.clearCookies()
  await sam.goto(`${server.url}/sign-in`)
  await sam.getByLabel('Email address').fill('sam.viewer@nhs.example.org')
  await sam.getByLabel('Password').fill('whatever it may be')
  await sam.getByRole('button', { name: 'Sign in' }).click()
  assert.match(await sam.locator('.govuk-error-summary').innerText(), /sign in with Council account/)
  await sam.getByRole('link', { name: 'Sign in with Council account', exact: true }).click()
  await sam.getByPlaceholder('Enter any login').fill('sam.viewer@nhs.example.org')
  await sam.getByPlaceholder('and password').fill('anything')
  await sam.getByRole('button', { name: 'Sign-in' }).click()
  await sam.getByRole('button', { name: 'Continue' }).click()
  await sam.waitForURL(url => !url.pathname.startsWith('/sign-in') && !url.host.includes(String(oidc.port)))
  assert.match(await sam.locator('header').innerText(), /Sam Viewer/)

  // Someone the provider vouches for but without an invitation or account is not let in.
  await samContext.clearCookies()
  await sam.goto(`${server.url}/sign-in/sso`)
  await sam.getByPlaceholder('Enter any login').fill('stranger@nhs.example.org')
  await sam.getByPlaceholder('and password').fill('anything')
  await sam.getByRole('button', { name: 'Sign-in' }).click()
  await sam.getByRole('button', { name: 'Continue' }).click()
  await sam.waitForURL(/\/sign-in\/sso\/callback/)
  assert.equal(await sam.locator('h1').innerText(), 'You do not have a sendplan account yet')
  await auditBoth(sam, auditor(sam, failures), 'single-sign-on-no-account', failures)

  // A forwarded invitation cannot be taken by whoever the provider signs in: only the
  // address it was sent to may accept it.
  await admin.goto(`${home}/invitations/new`)
  await admin.getByLabel('Email address').fill('pat.viewer@nhs.example.org')
  await admin.getByRole('radio', { name: 'Viewer' }).check()
  await admin.getByRole('button', { name: 'Send invitation' }).click()
  const patLink = (await emailTo('pat.viewer@nhs.example.org')).match(/http:\/\/\S+\/invitations\/[0-9a-f]{64}/)[0]
  await samContext.clearCookies()
  await sam.goto(patLink)
  await sam.getByRole('link', { name: 'Join with Council account' }).click()
  await sam.getByPlaceholder('Enter any login').fill('sam.viewer@nhs.example.org')
  await sam.getByPlaceholder('and password').fill('anything')
  await sam.getByRole('button', { name: 'Sign-in' }).click()
  await sam.getByRole('button', { name: 'Continue' }).click()
  await sam.waitForURL(/\/sign-in\/sso\/callback/)
  assert.equal(await sam.locator('h1').innerText(), 'This invitation is for someone else')
  await Promise.all([adminContext.close(), samContext.close()])
  assert.deepEqual(failures, [])
})
