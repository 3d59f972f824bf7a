// Starts a real sendplan server on a free port with a fresh demo database, and a real
// Chromium (Debian's package) driven by playwright-core. Nothing is mocked.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
export const repo = join(here, '..', '..')
export const screenshots = join(repo, 'e2e', 'screenshots')

// A free port on 127.0.0.1, for a server whose address another must know before it starts
// (the identity provider must know where to send people back to).
export async function freePort () {
  const { createServer } = await import('node:net')
  const probe = createServer()
  await new Promise(resolve => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise(resolve => probe.close(resolve))
  return port
}

// Starts sendplan on a database in `dir` (a new folder unless given, so a test can
// restart the server on the same data), with `env` added to its environment, on `port`
// (any free one unless given).
export async function startServer (dir = mkdtempSync(join(tmpdir(), 'sendplan-e2e-')), env = {}, port = 0) {
  const bin = process.env.SENDPLAN_BIN || join(repo, 'target', 'debug', 'sendplan')
  // SENDPLAN_E2E_DATABASE_URL runs the same journeys on another database (PostgreSQL).
  const database = process.env.SENDPLAN_E2E_DATABASE_URL || `sqlite://${dir}/e2e.db`
  const child = spawn(bin, ['serve', '--demo', '--bind', `127.0.0.1:${port}`, '--database-url', database], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SENDPLAN_LOG: 'warn', ...env }
  })
  let out = ''
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sendplan did not start in 60s:\n${out}`)), 60000)
    child.stdout.on('data', chunk => {
      out += chunk
      const url = out.match(/listening on (http:\/\/\S+)/)
      const password = out.match(/Demo password[^:]*: (\S+)/)
      if (url && password) {
        clearTimeout(timer)
        resolve({ url: url[1], password: password[1] })
      }
    })
    child.stderr.on('data', chunk => { out += chunk })
    child.on('exit', code => reject(new Error(`sendplan exited with ${code}:\n${out}`)))
  })
  const { url, password } = await ready
  return {
    url,
    dir,
    email: 'demo@sendplan.invalid',
    password,
    // Ends the process the hard way, as a power cut or the OOM killer would.
    async killHard () {
      child.kill('SIGKILL')
      await new Promise(resolve => child.once('exit', resolve))
    },
    async stop () {
      child.kill('SIGTERM')
      await new Promise(resolve => child.once('exit', resolve))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export async function launchBrowser () {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  })
}

export async function signIn (page, server) {
  await page.goto(`${server.url}/sign-in`)
  await page.getByLabel('Email address').fill(server.email)
  await page.getByLabel('Password').fill(server.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(url => !url.pathname.startsWith('/sign-in'))
  // The demo account belongs to every demo partnership: open Wolverhampton's.
  if (new URL(page.url()).pathname === '/') {
    await page.getByRole('link', { name: /Wolverhampton/ }).click()
    await page.waitForURL(url => url.pathname.startsWith('/p/'))
  }
}

// Runs axe-core against the page with the WCAG 2.0-2.2 A and AA rules and returns the
// violations, each with the selectors it failed on.
export async function axeViolations (page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') })
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
  })
  return result.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)
}

// An audit of whatever `page` shows now: axe's violations are added to `failures` under
// `name`, and a screenshot is kept, so a test can audit each step and assert once.
export function auditor (page, failures) {
  return async name => {
    const violations = await axeViolations(page)
    if (violations.length) failures.push(`${name} (${page.url()}):\n  ${violations.join('\n  ')}`)
    await screenshot(page, name)
  }
}

export async function screenshot (page, name) {
  mkdirSync(screenshots, { recursive: true })
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true })
}

// Starts the real SMTP server of the tests (scripts/smtp-test-server.py, aiosmtpd) with
// STARTTLS required, in `dir`; each email it accepts is written to dir/messages/N.eml.
// (One implementation, in the load generator, which must run without playwright.)
export { startMail as startMailServer } from './load.mjs'

// The emails the test mail server in `dir` accepted, with folded headers unfolded and
// quoted-printable bodies decoded, as a mail client shows them.
export function deliveredMail (dir) {
  let names = []
  try { names = readdirSync(join(dir, 'messages')).filter(n => n.endsWith('.eml')) } catch { return [] }
  return names.map(n => {
    const raw = readFileSync(join(dir, 'messages', n), 'latin1').replace(/\r\n[ \t]+/g, ' ')
    const bytes = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
    return Buffer.from(bytes, 'latin1').toString('utf8')
  })
}
