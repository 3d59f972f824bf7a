// A small load generator for sendplan, and what it needs to run servers for it: used by
// e2e/tests/servers.test.mjs (two servers on one PostgreSQL, one killed midway) and by
// bench/soak.mjs (the 10-minute soak). Node 20 built-ins only (fetch, child_process), so
// the benchmark runs without `npm ci`; nothing is mocked.
//
// Each client is a browser-like visitor with its own cookie jar and its own client address
// (X-Forwarded-For, believed only because the servers are started with
// SENDPLAN_TRUSTED_PROXIES=127.0.0.1, as behind a load balancer). It signs in, then loops:
// reads of plan pages and public progress pages, and progress updates posted through the
// action's own form (the hidden fields and the form's action URL sent back exactly as
// served). Every update the server acknowledges (303) is recorded, then read back at once
// from another server, and at the end from every surviving server.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'

const here = dirname(fileURLToPath(import.meta.url))
export const repo = join(here, '..', '..')

// ---------------------------------------------------------------------------------------
// Servers

// Starts `sendplan serve` on `databaseUrl`; with `demo`, waits for the demo password too.
// The log (stdout and stderr, the last 4 MB) is kept for reports.
export async function startSendplan ({ bin, databaseUrl, demo = false, env = {}, port = 0, name = 'server', startTimeoutMs = 120000 }) {
  bin = bin || process.env.SENDPLAN_BIN || join(repo, 'target', 'debug', 'sendplan')
  const args = ['serve', ...(demo ? ['--demo'] : []), '--bind', `127.0.0.1:${port}`, '--database-url', databaseUrl]
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SENDPLAN_LOG: 'warn', ...env }
  })
  let out = ''
  const keep = chunk => {
    out += chunk
    if (out.length > 4e6) out = out.slice(-3e6)
  }
  const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })))
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${startTimeoutMs / 1000}s:\n${out}`)), startTimeoutMs)
    const check = () => {
      const url = out.match(/listening on (http:\/\/\S+)/)
      const password = out.match(/Demo password[^:]*: (\S+)/)
      if (url && (!demo || password)) {
        clearTimeout(timer)
        resolve({ url: url[1], password: password?.[1] })
      }
    }
    child.stdout.on('data', chunk => { keep(chunk); check() })
    child.stderr.on('data', chunk => { keep(chunk); check() })
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${out}`)) })
  })
  const { url, password } = await ready
  let alive = true
  exited.then(() => { alive = false })
  const status = () => {
    try { return readFileSync(`/proc/${child.pid}/status`, 'utf8') } catch { return '' }
  }
  const server = {
    name,
    url,
    pid: child.pid,
    databaseUrl,
    email: 'demo@sendplan.invalid',
    password,
    state: 'up', // 'up', 'dying' (a kill is under way: its failures are expected), 'dead'
    log: () => out.replace(/\x1b\[[0-9;]*m/g, ''), // without the terminal colours
    get alive () { return alive },
    exited,
    // Resident memory now and at its peak (VmRSS, VmHWM), in kB, while the process runs.
    memory () {
      const s = status()
      const kb = key => Number(s.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1] || 0)
      return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') }
    },
    // Ends the process the hard way, as a power cut or the OOM killer would.
    async killHard () {
      server.state = 'dying'
      child.kill('SIGKILL')
      await exited
      server.state = 'dead'
    },
    async stop () {
      if (!alive) return
      server.state = 'dying'
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
      await exited
      clearTimeout(timer)
      server.state = 'dead'
    }
  }
  return server
}

// Runs a sendplan command (such as `user add`) on `databaseUrl`, with `input` on stdin.
export function sendplanCommand ({ bin, databaseUrl, args, input = '' }) {
  bin = bin || process.env.SENDPLAN_BIN || join(repo, 'target', 'debug', 'sendplan')
  const result = spawnSync(bin, ['--database-url', databaseUrl, ...args], { input, encoding: 'utf8', env: { ...process.env, SENDPLAN_LOG: 'warn' } })
  if (result.status !== 0) throw new Error(`sendplan ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`)
  return result.stdout
}

// ---------------------------------------------------------------------------------------
// PostgreSQL: a fresh database per run, made and dropped with psql.

export function postgresAdminUrl () {
  return process.env.SENDPLAN_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
}

export function psql (url, sql) {
  const result = spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' })
  if (result.error) throw new Error(`psql could not run (apt-get install postgresql-client): ${result.error.message}`)
  if (result.status !== 0) throw new Error(`psql -c "${sql}" failed against ${url}:\n${result.stderr}`)
  return result.stdout.trim()
}

// Creates a new database on the server of `adminUrl`; returns its URL and a drop().
export function createPostgresDatabase (prefix = 'sendplan_load', adminUrl = postgresAdminUrl()) {
  psql(adminUrl, 'SELECT 1') // unreachable: throws, so a test fails rather than skips
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`
  psql(adminUrl, `CREATE DATABASE ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    drop: () => psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
}

// ---------------------------------------------------------------------------------------
// Mail: the tests' real SMTP server (scripts/smtp-test-server.py, aiosmtpd, STARTTLS and a
// password), as e2e/lib/harness.mjs starts it.

export async function startMail (dir) {
  const child = spawn(join(repo, 'scripts', 'smtp-test-server.py'), ['--dir', dir, '--tls', '--user', 'reminders', '--password', 's3cret'],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SMTP test server did not start in 30s:\n${out}`)), 30000)
    child.stdout.on('data', chunk => {
      out += chunk
      const ready = out.match(/READY (\d+)/)
      if (ready) { clearTimeout(timer); resolve(Number(ready[1])) }
    })
    child.stderr.on('data', chunk => { out += chunk })
    child.on('exit', code => reject(new Error(`the SMTP test server exited with ${code} (exit 2: apt-get install python3-aiosmtpd):\n${out}`)))
  })
  return {
    port,
    dir,
    env: {
      SENDPLAN_SMTP_URL: `smtp://reminders:s3cret@127.0.0.1:${port}?tls=required`,
      SENDPLAN_MAIL_FROM: 'SEND improvement <send@council.example.org>',
      SENDPLAN_SMTP_CA_FILE: join(dir, 'cert.pem')
    },
    messages: () => readMail(dir),
    async stop () {
      child.kill('SIGTERM')
      await new Promise(resolve => child.once('exit', resolve))
    }
  }
}

// Every email the test mail server in `dir` accepted, in the order accepted, with its
// headers (unfolded, names in lower case) and the envelope's recipients.
export function readMail (dir) {
  const folder = join(dir, 'messages')
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .filter(n => /^\d+\.eml$/.test(n))
    .sort((a, b) => parseInt(a) - parseInt(b))
    .map(n => {
      const raw = readFileSync(join(folder, n), 'latin1')
      const [head] = raw.split(/\r?\n\r?\n/)
      const headers = {}
      for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
        const colon = line.indexOf(':')
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      let envelope = {}
      try { envelope = JSON.parse(readFileSync(join(folder, n.replace('.eml', '.json')), 'utf8')) } catch {}
      return { file: n, headers, messageId: headers['message-id'], to: headers.to, subject: headers.subject, rcpt: envelope.to || [], raw }
    })
}

// ---------------------------------------------------------------------------------------
// HTML forms, read as a browser reads them.

export function decodeEntities (text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_, e) => {
    const k = e.toLowerCase()
    if (k[0] === '#') return String.fromCodePoint(k[1] === 'x' ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10))
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[k]
  })
}

function attributes (text) {
  const found = {}
  for (const m of text.matchAll(/([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g)) {
    found[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '')
  }
  return found
}

const textOf = html => decodeEntities(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()

// The forms in `html`: { action, method, fields, html }. `action` is the attribute exactly
// as served (entities decoded, as a browser does), so a one-time token in it goes back.
export function readForms (html) {
  const labels = {}
  for (const m of html.matchAll(/<label\b([^>]*)>([\s\S]*?)<\/label>/gi)) {
    const { for: id } = attributes(m[1])
    if (id) labels[id] = textOf(m[2])
  }
  const forms = []
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(m[1])
    const fields = []
    for (const f of m[2].matchAll(/<input\b([^>]*)>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>|<select\b([^>]*)>([\s\S]*?)<\/select>|<button\b([^>]*)>/gi)) {
      if (f[1] !== undefined) {
        const a = attributes(f[1])
        fields.push({ tag: 'input', type: (a.type || 'text').toLowerCase(), name: a.name, value: a.value ?? (a.type === 'checkbox' || a.type === 'radio' ? 'on' : ''), checked: 'checked' in a, label: labels[a.id] })
      } else if (f[2] !== undefined) {
        const a = attributes(f[2])
        fields.push({ tag: 'textarea', type: 'textarea', name: a.name, value: decodeEntities(f[3].replace(/^\r?\n/, '')), label: labels[a.id] })
      } else if (f[4] !== undefined) {
        const a = attributes(f[4])
        const options = [...f[5].matchAll(/<option\b([^>]*)>([\s\S]*?)(?=<option\b|$)/gi)].map(o => {
          const oa = attributes(o[1])
          return { value: oa.value ?? textOf(o[2]), selected: 'selected' in oa, text: textOf(o[2]) }
        })
        fields.push({ tag: 'select', type: 'select', name: a.name, options, label: labels[a.id] })
      } else {
        const a = attributes(f[6])
        fields.push({ tag: 'button', type: (a.type || 'submit').toLowerCase(), name: a.name, value: a.value ?? '' })
      }
    }
    forms.push({ action: attrs.action ?? '', method: (attrs.method || 'get').toLowerCase(), fields, html: m[0] })
  }
  return forms
}

// The first form in `html` that has a field named `name`.
export function formWith (html, name) {
  return readForms(html).find(f => f.fields.some(x => x.name === name))
}

// What a browser would send for `form` with `values` filled in: text fields and textareas
// take the value given (or keep theirs); checkboxes given an array are checked for those
// values only; radios and selects take the value given. A value for a field the form does
// not have is a mistake and throws.
export function formPairs (form, values = {}) {
  for (const name of Object.keys(values)) {
    if (!form.fields.some(f => f.name === name)) throw new Error(`the form ${form.action} has no field ${name}`)
  }
  const pairs = []
  for (const f of form.fields) {
    if (!f.name || f.type === 'file' || f.tag === 'button' || f.type === 'submit' || f.type === 'image' || f.type === 'reset') continue
    const given = Object.hasOwn(values, f.name) ? values[f.name] : undefined
    if (f.type === 'checkbox') {
      const on = given === undefined ? f.checked : [].concat(given).map(String).includes(f.value)
      if (on) pairs.push([f.name, f.value])
    } else if (f.type === 'radio') {
      const on = given === undefined ? f.checked : String(given) === f.value
      if (on) pairs.push([f.name, f.value])
    } else if (f.tag === 'select') {
      const chosen = given !== undefined ? String(given) : (f.options.find(o => o.selected) || f.options[0])?.value
      if (chosen !== undefined) pairs.push([f.name, chosen])
    } else {
      pairs.push([f.name, given !== undefined ? String(given) : f.value])
    }
  }
  return pairs
}

// ---------------------------------------------------------------------------------------
// A visitor: a cookie jar, a client address, and every request timed.

export class Client {
  constructor (server, { address, timeoutMs = 60000, record } = {}) {
    this.server = server
    this.address = address
    this.timeoutMs = timeoutMs
    this.jar = new Map()
    this.record = record || (() => {})
  }

  cookieHeader () {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  remember (response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...rest] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const gone = value === '' || rest.some(a => /^\s*max-age=0\s*$/i.test(a))
      if (gone) this.jar.delete(name)
      else this.jar.set(name, value)
    }
  }

  // One request, never following redirects (a 303 is the acknowledgement). Returns
  // { status, text, location, ms, server, error }; status 0 is a network error or time-out.
  async request (method, path, { form, kind = 'other', server = this.server } = {}) {
    const headers = {}
    const cookie = this.cookieHeader()
    if (cookie) headers.cookie = cookie
    if (this.address) headers['x-forwarded-for'] = this.address
    let body
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(form).toString()
    }
    const started = performance.now()
    let result
    try {
      const response = await fetch(server.url + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) })
      this.remember(response)
      const text = await response.text()
      result = { status: response.status, text, location: response.headers.get('location'), retryAfter: response.headers.get('retry-after') }
    } catch (error) {
      result = { status: 0, text: '', error: error.cause?.code || error.name || String(error) }
    }
    result.ms = performance.now() - started
    result.server = server
    result.method = method
    result.path = path
    result.kind = kind
    this.record(result)
    return result
  }

  get (path, options) { return this.request('GET', path, options) }
  post (path, form, options) { return this.request('POST', path, { ...options, form }) }

  // Gets `path`, finds the form with a field named `field`, fills it in and posts it to
  // the form's own action URL, exactly as served.
  async submit (path, field, values, { kind = 'other', formKind = kind, server = this.server } = {}) {
    const page = await this.get(path, { kind: formKind, server })
    if (page.status !== 200) return { ...page, formMissing: true }
    const form = formWith(page.text, field)
    if (!form) return { ...page, status: -1, formMissing: true }
    const action = form.action === '' ? path : form.action
    return this.post(action, formPairs(form, typeof values === 'function' ? values(form) : values), { kind, server })
  }

  async signIn (email, password, { server = this.server, kind = 'sign-in' } = {}) {
    const response = await this.submit('/sign-in', 'password', { email, password }, { kind, formKind: kind, server })
    return response
  }
}

// The message an error summary or a field error shows, for reports.
export function errorMessage (html) {
  const summary = html.match(/<div class="govuk-error-summary[\s\S]*?<\/div>\s*<\/div>/)
  if (summary) return textOf(summary[0]).slice(0, 300)
  const h1 = html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/)
  return h1 ? textOf(h1[1]).slice(0, 300) : textOf(html).slice(0, 200)
}

// ---------------------------------------------------------------------------------------
// What to load: every partnership, plan and action the signed-in account reaches, found
// by following links from the start page; each plan published (through its own form) so
// its public progress page can be read.

export async function discover (client, { publish = true } = {}) {
  const start = await client.get('/')
  let partnerships
  if (start.status === 303 && /^\/p\/\d+$/.test(start.location || '')) partnerships = [start.location]
  else partnerships = unique([...start.text.matchAll(/href="(\/p\/\d+)"/g)].map(m => m[1]))
  if (!partnerships.length) throw new Error(`no partnership found on the start page (${start.status})`)
  const plans = []
  const actions = []
  for (const p of partnerships) {
    const home = await client.get(p)
    for (const planPath of unique([...home.text.matchAll(/href="(\/p\/\d+\/plans\/\d+)"/g)].map(m => m[1]))) {
      const page = await client.get(planPath)
      if (page.status !== 200) throw new Error(`${planPath} answered ${page.status}`)
      const [, pid, id] = planPath.match(/\/p\/(\d+)\/plans\/(\d+)/)
      const plan = { pid: Number(pid), id: Number(id), path: planPath, title: textOf(page.text.match(/<h1[^>]*>([\s\S]*?)<\/h1>/)?.[1] || ''), publicPath: `/public/${pid}/plans/${id}`, publicIndex: `/public/${pid}` }
      plan.actions = unique([...page.text.matchAll(/href="(\/p\/\d+\/actions\/\d+)"/g)].map(m => m[1]))
      for (const a of plan.actions) actions.push({ path: a, plan })
      plans.push(plan)
    }
  }
  if (publish) {
    for (const plan of plans) {
      const settings = await client.get(`${plan.path}/publish`)
      const form = formWith(settings.text, 'published')
      if (!form) throw new Error(`no publication form at ${plan.path}/publish (${settings.status})`)
      const published = form.fields.find(f => f.name === 'published')
      if (!published.checked) {
        const summary = form.fields.find(f => f.name === 'summary')
        const saved = await client.post(form.action, formPairs(form, {
          published: ['yes'],
          show: ['ratings', 'measures'],
          ...(summary && !summary.value ? { summary: 'How the partnership is improving support for children and young people with SEND.' } : {})
        }))
        if (saved.status !== 303) throw new Error(`publishing ${plan.path} answered ${saved.status}: ${errorMessage(saved.text)}`)
      }
      let page = await client.get(plan.publicPath)
      // The numeric address moves for good to the readable one (/public/wolverhampton/...):
      // the load reads the readable one, as families' links do.
      if (page.status === 308 && page.location) {
        plan.publicPath = page.location
        plan.publicIndex = page.location.replace(/\/plans\/\d+$/, '')
        page = await client.get(plan.publicPath)
      }
      if (page.status !== 200) throw new Error(`${plan.publicPath} answered ${page.status} after publishing`)
    }
  }
  return { partnerships, plans, actions }
}

function unique (list) { return [...new Set(list)] }

// ---------------------------------------------------------------------------------------
// The load.

export function percentile (sorted, p) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

export function latencySummary (values) {
  const sorted = Float64Array.from(values).sort()
  const r = x => x === null ? null : Math.round(x * 10) / 10
  return { count: sorted.length, p50: r(percentile(sorted, 50)), p95: r(percentile(sorted, 95)), p99: r(percentile(sorted, 99)), max: r(sorted.length ? sorted[sorted.length - 1] : null) }
}

const today = () => {
  const d = new Date()
  return { day: String(d.getUTCDate()), month: String(d.getUTCMonth() + 1), year: String(d.getUTCFullYear()) }
}

// The rating an action shows on the plan page: the text of the last cell (Rating) of the
// table row that links to the action; undefined when the page has no such row.
export function ratingOnPlanPage (html, actionPath) {
  const at = html.indexOf(`href="${actionPath}"`)
  if (at < 0) return undefined
  const start = html.lastIndexOf('<tr', at)
  const end = html.indexOf('</tr>', at)
  if (start < 0 || end < 0) return undefined
  const cells = [...html.slice(start, end).matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)]
  return cells.length ? textOf(cells[cells.length - 1][1]) : undefined
}

// Starts `clients` visitors against `servers` (client i's home is servers[i % n]; when its
// home is down it uses another), signed in as `email`, for `seconds`. Returns a handle:
// `done` resolves to the results; `stop()` ends early. Before a deliberate kill, set the
// server's state to 'dying' (killHard does): its failed requests are then counted as
// `killed`, not errors, and its clients move to a surviving server.
//
// Each round a client reads (probability readShare) one of: the plan page, the public
// progress page or the partnership's public index; otherwise it posts a progress update
// on one of its actions through the update form, read from one server and posted to the
// other (with one server, the same). After each acknowledged update it reads the action's
// page from another server than the one that acknowledged it (the note must be there)
// and, when no other client writes to that action, the plan page from that server (its
// rating must be the one just posted): a page older than an acknowledged write is
// "stale". A share of forms (replayShare) is then sent a second time, to the other server,
// as a double submit would be; verifyAcknowledged finds any update shown twice.
export function startLoad ({ servers, clients: count, seconds, email, password, targets, readShare = 0.8, replayShare = 0.1, thinkMs = 0, runId = Date.now().toString(36), signInConcurrency = 3, addressBase = 10, onProgress, progressEveryMs = 10000, timeoutMs = 60000 }) {
  const latencies = new Map() // kind -> [ms]
  const statuses = {} // kind -> { status: n }
  const errors = []
  let errorCount = 0
  let killed = 0
  const acks = []
  const stale = []
  const replays = []
  let stopped = false
  const startedAt = new Date()
  let loadStartedAt = null
  let loadEndedAt = null

  const record = r => {
    if (!latencies.has(r.kind)) latencies.set(r.kind, [])
    const s = (statuses[r.kind] ||= {})
    const key = r.status === 0 ? `network:${r.error}` : String(r.status)
    s[key] = (s[key] || 0) + 1
    if (r.status === 0 && r.server.state !== 'up') { killed++; return }
    latencies.get(r.kind).push(r.ms)
  }
  const fail = (r, why) => {
    if (r.status === 0 && r.server.state !== 'up') return // expected: the server is being killed
    errorCount++
    if (errors.length < 50) {
      errors.push({ at: new Date().toISOString(), kind: r.kind, method: r.method, path: r.path, server: r.server.name, status: r.status, error: r.error, why, message: r.text ? errorMessage(r.text) : undefined, retryAfter: r.retryAfter || undefined })
    }
  }

  const readTargets = []
  for (const plan of targets.plans) {
    readTargets.push({ kind: 'read:plan', path: plan.path, weight: 2 })
    readTargets.push({ kind: 'read:public', path: plan.publicPath, weight: 1.5 })
    readTargets.push({ kind: 'read:public-index', path: plan.publicIndex, weight: 0.5 })
  }
  const totalWeight = readTargets.reduce((t, x) => t + x.weight, 0)
  const pickRead = () => {
    let r = Math.random() * totalWeight
    for (const t of readTargets) { r -= t.weight; if (r <= 0) return t }
    return readTargets[readTargets.length - 1]
  }
  // Client i writes to actions i, i + count, ...: when there are at least as many actions
  // as clients, nobody else writes to them, so the plan page's rating can be checked.
  const actions = targets.actions
  if (!actions.length) throw new Error('no actions to update')
  const exclusive = actions.length >= count
  const ownActions = i => exclusive ? actions.filter((_, k) => k % count === i) : [actions[i % actions.length]]

  const alive = () => servers.filter(s => s.state === 'up')
  const serverFor = home => home.state === 'up' ? home : (alive()[0] || home)
  const otherThan = server => alive().find(s => s !== server) || server

  const visitors = Array.from({ length: count }, (_, i) => {
    const client = new Client(servers[i % servers.length], { address: `${addressBase}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, record, timeoutMs })
    return { i, client, home: servers[i % servers.length], actions: ownActions(i), writes: 0 }
  })

  // A few sign-ins at a time: every attempt counts against the account's limit (5) until a
  // success clears it, so more than that many at once for the one demo account would be
  // refused as too many attempts, rightly.
  async function signInAll () {
    let next = 0
    const worker = async () => {
      while (next < visitors.length && !stopped) {
        const v = visitors[next++]
        for (let attempt = 1; ; attempt++) {
          const server = serverFor(v.home)
          const r = await v.client.signIn(email, password, { server })
          if (r.status === 303) break
          if (r.status === 0 && server.state !== 'up' && attempt < 5) continue
          fail(r, 'sign-in was not accepted')
          throw new Error(`client ${v.i} could not sign in on ${server.name}: ${r.status} ${r.error || errorMessage(r.text)}`)
        }
      }
    }
    await Promise.all(Array.from({ length: signInConcurrency }, worker))
  }

  async function read (v) {
    const t = pickRead()
    const server = serverFor(v.home)
    const r = await v.client.get(t.path, { kind: t.kind, server })
    if (r.status !== 200) fail(r, 'a page did not answer 200')
  }

  async function write (v) {
    const action = v.actions[v.writes % v.actions.length]
    const n = ++v.writes
    const note = `load ${runId} client ${v.i} update ${n}`
    // Behind a load balancer without sticky sessions the form and its answer can reach
    // different servers: the form is read from one and posted to the other (one-time
    // tokens and sessions are in the database, so either must accept it).
    const formServer = serverFor(v.home)
    const page = await v.client.get(`${action.path}/updates/new`, { kind: 'write:form', server: formServer })
    if (page.status !== 200) return fail(page, 'the update form did not answer 200')
    const form = formWith(page.text, 'narrative')
    if (!form) return fail({ ...page, status: -1 }, 'no update form on the page')
    const ratings = form.fields.filter(f => f.name === 'rating_id' && f.type === 'radio')
    if (!ratings.length) return fail({ ...page, status: -1 }, 'the update form offers no rating')
    const rating = ratings[Math.floor(Math.random() * ratings.length)]
    const d = today()
    const values = { rating_id: rating.value, narrative: note }
    for (const [k, v2] of Object.entries({ 'update_date-day': d.day, 'update_date-month': d.month, 'update_date-year': d.year })) {
      if (form.fields.some(f => f.name === k)) values[k] = v2
    }
    const pairs = formPairs(form, values)
    const server = otherThan(formServer)
    const posted = await v.client.post(form.action, pairs, { kind: 'write:post', server })
    if (posted.status !== 303) return fail(posted, 'the update was not acknowledged with 303')
    const ack = { note, action: action.path, plan: action.plan.path, rating: rating.label, server: server.name, formFrom: formServer.name, client: v.i, at: Date.now(), ackedAfterMs: Date.now() - loadStartedAt }
    acks.push(ack)
    // Read it back at once from another server (the same one if it is alone).
    const reader = otherThan(server)
    const shown = await v.client.get(action.path, { kind: 'check:action', server: reader })
    if (shown.status === 0 && reader.state !== 'up') return
    if (shown.status !== 200) return fail(shown, 'the action page did not answer 200 after an update')
    if (!shown.text.includes(`${note}<`)) {
      stale.push({ ...ack, page: action.path, readFrom: reader.name, status: shown.status, why: 'the acknowledged note is not on the action page' })
    }
    if (exclusive && rating.label) {
      const plan = await v.client.get(action.plan.path, { kind: 'check:plan', server: reader })
      if (plan.status === 0 && reader.state !== 'up') return
      if (plan.status !== 200) return fail(plan, 'the plan page did not answer 200 after an update')
      const shownRating = ratingOnPlanPage(plan.text, action.path)
      if (shownRating !== undefined && shownRating !== rating.label) {
        stale.push({ ...ack, page: action.plan.path, readFrom: reader.name, shown: shownRating, why: `the plan page shows ${JSON.stringify(shownRating)} for ${action.path}, not the ${JSON.stringify(rating.label)} just posted` })
      }
    }
    // Now and then the same form is sent again, as a double click or a resubmitted page
    // would, to the other server: it must not post the update twice (checked at the end).
    if (Math.random() < replayShare) {
      const again = await v.client.post(form.action, pairs, { kind: 'write:replay', server: reader })
      if (again.status === 0 && reader.state !== 'up') return
      if (again.status === 0 || again.status >= 500) return fail(again, 'a resubmitted form failed')
      replays.push({ note, status: again.status })
    }
  }

  async function loop (v, until) {
    while (!stopped && Date.now() < until) {
      if (!alive().length) return
      try {
        if (Math.random() < readShare) await read(v)
        else await write(v)
      } catch (error) {
        errorCount++
        if (errors.length < 50) errors.push({ at: new Date().toISOString(), kind: 'client', why: String(error?.stack || error) })
      }
      if (thinkMs) await new Promise(resolve => setTimeout(resolve, thinkMs * (0.5 + Math.random())))
    }
  }

  const snapshot = () => {
    const kinds = {}
    for (const [kind, values] of latencies) kinds[kind] = latencySummary(values)
    const tally = prefix => [...latencies].filter(([k]) => k.startsWith(prefix)).reduce((t, [, v]) => t + v.length, 0)
    return {
      runId,
      clients: count,
      servers: servers.map(s => s.name),
      startedAt: startedAt.toISOString(),
      loadStartedAt: loadStartedAt && new Date(loadStartedAt).toISOString(),
      seconds: ((loadEndedAt || Date.now()) - (loadStartedAt || Date.now())) / 1000,
      kinds,
      statuses,
      reads: tally('read:'),
      writes: acks.length,
      writeAttempts: tally('write:post'),
      checks: tally('check:'),
      requests: [...latencies].filter(([k]) => k !== 'sign-in').reduce((t, [, v]) => t + v.length, 0),
      reads_latency: latencySummary([...latencies].filter(([k]) => k.startsWith('read:')).flatMap(([, v]) => v)),
      writes_latency: latencySummary(latencies.get('write:post') || []),
      errorCount,
      errors,
      killed,
      replays: replays.length,
      replayStatuses: replays.reduce((t, r) => ({ ...t, [r.status]: (t[r.status] || 0) + 1 }), {}),
      acks,
      stale
    }
  }

  let progressTimer
  const done = (async () => {
    await signInAll()
    loadStartedAt = Date.now()
    const until = loadStartedAt + seconds * 1000
    if (onProgress) progressTimer = setInterval(() => onProgress(snapshot()), progressEveryMs)
    await Promise.all(visitors.map(v => loop(v, until)))
    loadEndedAt = Date.now()
    clearInterval(progressTimer)
    return snapshot()
  })()
  done.catch(() => clearInterval(progressTimer))
  return {
    done,
    stop () { stopped = true },
    snapshot,
    get started () { return loadStartedAt !== null },
    visitors
  }
}

// Reads every acknowledged update back from each of `servers` through `client` (signed
// in): one action page per action and server. Returns the updates missing, and those
// shown more than once (a resubmitted form posted twice), with where.
export async function verifyAcknowledged (client, acks, servers) {
  const byAction = new Map()
  for (const ack of acks) {
    if (!byAction.has(ack.action)) byAction.set(ack.action, [])
    byAction.get(ack.action).push(ack)
  }
  const missing = []
  const duplicated = []
  const failures = []
  for (const server of servers) {
    for (const [action, list] of byAction) {
      const page = await client.get(action, { kind: 'verify', server })
      if (page.status !== 200) {
        failures.push({ action, server: server.name, status: page.status, error: page.error })
        continue
      }
      for (const ack of list) {
        const times = page.text.split(`${ack.note}<`).length - 1
        if (times === 0) missing.push({ ...ack, readFrom: server.name })
        if (times > 1) duplicated.push({ ...ack, readFrom: server.name, times })
      }
    }
  }
  return { checked: acks.length, actions: byAction.size, servers: servers.map(s => s.name), missing, duplicated, failures }
}
