// The hostile-input suite (issue 12, item 8). A corpus of crafted files and fields
// (e2e/lib/hostile-corpus.mjs) is sent to every upload and form route, each as the
// least-privileged role that can reach it, found by following links as that role: the
// answer must be a 4xx that says what is wrong (a form page with a GOV.UK error summary
// naming the field, or an error page with a heading), or, for text that is strange but
// valid, a success that stored exactly what was sent. After every request /health must
// answer 200 within 100 ms, and the server's resident memory (VmHWM, its peak) must stay
// under 200 MB. Run with HOSTILE_RESULTS=file.json to write the figures (bench/hostile.sh).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startServer, repo } from '../lib/harness.mjs'
import * as corpus from '../lib/hostile-corpus.mjs'

const BIN = process.env.SENDPLAN_BIN || join(repo, 'target', 'debug', 'sendplan')
const HEALTH_LIMIT_MS = Number(process.env.HOSTILE_HEALTH_MS || 100)
const RSS_LIMIT_MB = Number(process.env.HOSTILE_RSS_MB || 200)
const BOMB_MB = Number(process.env.HOSTILE_BOMB_MB || 500)
const RESULTS = process.env.HOSTILE_RESULTS
// More environment for the server, as NAME=value pairs separated by spaces (to try, say,
// MALLOC_MMAP_THRESHOLD_=1048576 and see what the memory would be).
const SERVER_ENV = Object.fromEntries((process.env.HOSTILE_SERVER_ENV || '').split(/\s+/).filter(Boolean).map(p => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]))
const FORM = 'application/x-www-form-urlencoded'

// Everything the tests share: the server, the people, the routes, what was seen.
const S = {
  failures: [], // { phase, route, role, case, problem }
  warnings: [],
  cases: [], // { phase, route, role, case, status, ms, ok }
  health: [], // ms, after each hostile request
  background: [], // ms, probed every 100 ms throughout
  healthFailures: [],
  rss: [], // kB, with each probe
  routes: new Map() // pattern -> route
}

// ---------------------------------------------------------------------------------------
// HTTP, as plain as it gets: node:http, so a body can be sent chunked, slowly or too big,
// and an answer sent before the body is read is still seen.

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const backgroundAgent = new http.Agent({ keepAlive: true, maxSockets: 1 })

function send (path, options = {}) {
  const { body, chunked = false } = options
  if (body !== undefined && (chunked || body.length > 1 << 20)) return sendRaw(path, options)
  return sendHttp(path, options)
}

// A request on its own connection, written as bytes, whose answer is read even when the
// server answers (and stops reading) before the body has all been sent: node:http gives
// up on the answer when a write fails.
// With `pauseAfter`, only that many bytes of the body are sent, and the rest never: a
// client that stops to read the answer (the answer to a body over the limit must come
// once the limit is passed, without the rest).
function sendRaw (path, { method = 'POST', headers = {}, body, chunked = false, timeout = 120000, pauseAfter = Infinity } = {}) {
  return new Promise(resolve => {
    const url = new URL(path, S.base)
    const payload = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')
    const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close']
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`)
    lines.push(chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${payload.length}`)
    const started = performance.now()
    const received = []
    let settled = false
    const socket = net.connect(Number(url.port), url.hostname)
    const done = () => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ ...parseResponse(Buffer.concat(received)), ms: performance.now() - started, sent: payload.length })
    }
    const timer = setTimeout(() => { received.length = 0; received.push(Buffer.from('')); settled = true; socket.destroy(); resolve({ error: `no answer within ${timeout / 1000} s`, ms: performance.now() - started, sent: payload.length }) }, timeout)
    socket.on('data', chunk => {
      received.push(chunk)
      const r = parseResponse(Buffer.concat(received))
      if (r.complete) done()
    })
    socket.on('close', done)
    socket.on('error', () => {})
    // Like a browser, stop sending once an answer has come: a server that answers without
    // reading the rest closes the connection, and what is still being sent would reset it
    // and lose the answer.
    const answered = () => settled || socket.destroyed || received.length > 0
    socket.on('connect', async () => {
      try {
        socket.write(lines.join('\r\n') + '\r\n\r\n')
        await new Promise(resolve => setTimeout(resolve, 50))
        for (let i = 0; i < payload.length && !answered() && i < pauseAfter; i += 16384) {
          const piece = payload.subarray(i, i + 16384)
          const data = chunked ? Buffer.concat([Buffer.from(piece.length.toString(16) + '\r\n'), piece, Buffer.from('\r\n')]) : piece
          if (!socket.write(data)) await new Promise(resolve => socket.once('drain', resolve))
          await new Promise(resolve => setImmediate(resolve))
        }
        if (chunked && !answered() && payload.length <= pauseAfter) socket.write('0\r\n\r\n')
      } catch {}
    })
  })
}

// Status, headers and text of a raw HTTP/1.1 answer, and whether all of it has come.
function parseResponse (bytes) {
  const end = bytes.indexOf('\r\n\r\n')
  if (end < 0) return bytes.length ? { error: `an answer cut short: ${JSON.stringify(bytes.toString('latin1').slice(0, 80))}` } : { error: 'the connection closed without an answer' }
  const [statusLine, ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const headers = {}
  for (const line of headerLines) {
    const at = line.indexOf(':')
    const key = line.slice(0, at).trim().toLowerCase()
    const value = line.slice(at + 1).trim()
    headers[key] = key === 'set-cookie' ? [...(headers[key] || []), value] : value
  }
  let rest = bytes.subarray(end + 4)
  let complete = false
  if (headers['content-length'] !== undefined) {
    complete = rest.length >= Number(headers['content-length'])
    rest = rest.subarray(0, Number(headers['content-length']))
  } else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
    const out = []
    let at = 0
    for (;;) {
      const eol = rest.indexOf('\r\n', at)
      if (eol < 0) break
      const size = parseInt(rest.subarray(at, eol).toString('latin1'), 16)
      if (size === 0) { complete = true; break }
      if (rest.length < eol + 2 + size) break
      out.push(rest.subarray(eol + 2, eol + 2 + size))
      at = eol + 4 + size
    }
    rest = Buffer.concat(out)
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text: rest.toString('utf8'), complete }
}

function sendHttp (path, { method = 'GET', headers = {}, body, chunked = false, timeout = 120000, via = agent } = {}) {
  return new Promise(resolve => {
    const url = new URL(path, S.base)
    const payload = body === undefined ? null : (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'))
    const h = { ...headers }
    if (payload && !chunked) h['content-length'] = String(payload.length)
    if (payload && chunked) h['transfer-encoding'] = 'chunked'
    const started = performance.now()
    let settled = false
    const done = result => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...result, ms: performance.now() - started, sent: payload ? payload.length : 0 })
    }
    const big = payload && payload.length > 1 << 20
    const request = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: h, agent: big ? false : via
    }, response => {
      const chunks = []
      response.on('data', c => chunks.push(c))
      response.on('end', () => done({ status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', e => done({ error: `the answer broke off: ${e.code || e.message}` }))
    })
    const timer = setTimeout(() => { request.destroy(); done({ error: `no answer within ${timeout / 1000} s` }) }, timeout)
    // An answer may be on its way when the server stops reading what is being sent.
    request.on('error', e => setTimeout(() => done({ error: `connection failed: ${e.code || e.message}` }), 200))
    if (!payload) return request.end()
    if (!chunked) return request.end(payload)
    ;(async () => {
      for (let i = 0; i < payload.length && !settled && !request.destroyed; i += 65536) {
        if (!request.write(payload.subarray(i, i + 65536))) await new Promise(resolve => request.once('drain', resolve))
      }
      request.end()
    })().catch(() => {})
  })
}

// A person's browser: cookies kept, redirects not followed.
function client (name, { forwardedFor = false } = {}) {
  const jar = new Map()
  let n = 0
  return {
    name,
    async request (path, options = {}) {
      const headers = { ...(options.headers || {}) }
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
      if (cookie && !options.noCookie) headers.cookie = cookie
      // Forms sent before signing in are throttled per client address; behind a trusted
      // proxy each hostile request comes from its own documentation address, so the
      // throttle (tested elsewhere) does not stand in for the answer under test.
      if (forwardedFor) headers['x-forwarded-for'] = `198.51.100.${++n % 250 + 1}`
      let response = await send(path, { ...options, headers })
      // A kept-alive connection the server has just closed: a page is asked for again.
      if (response.error && options.body === undefined) response = await send(path, { ...options, headers })
      for (const line of [].concat(response.headers?.['set-cookie'] || [])) {
        const [pair] = line.split(';')
        const at = pair.indexOf('=')
        const [key, value] = [pair.slice(0, at).trim(), pair.slice(at + 1)]
        if (/max-age=0/i.test(line) || value === '') jar.delete(key)
        else jar.set(key, value)
      }
      return response
    },
    get (path) { return this.request(path) },
    forget () { jar.clear() },
    cookies () { return [...jar].map(([k, v]) => `${k}=${v}`).join('; ') }
  }
}

// ---------------------------------------------------------------------------------------
// Pages and forms

const unescapeHtml = text => text
  .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
  .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&nbsp;/g, '\u00A0')
  .replace(/&amp;/g, '&')

function attributes (text) {
  const out = {}
  for (const m of text.matchAll(/([^\s="'<>/]+)(?:\s*=\s*"([^"]*)")?/g)) out[m[1].toLowerCase()] = unescapeHtml(m[2] ?? '')
  return out
}

// The forms of a page that post, with their fields in order (radios and checkboxes as one
// field with options).
function parseForms (html) {
  const forms = []
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = attributes(m[1])
    if ((attrs.method || 'get').toLowerCase() !== 'post') continue
    const fields = []
    const byName = new Map()
    const field = (name, kind) => {
      if (!byName.has(name)) { const f = { name, kind, value: '', options: [] }; byName.set(name, f); fields.push(f) }
      return byName.get(name)
    }
    for (const t of m[2].matchAll(/<input\b([^>]*)>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>|<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      if (t[1] !== undefined) {
        const a = attributes(t[1])
        const type = (a.type || 'text').toLowerCase()
        if (!a.name || type === 'submit' || type === 'button' || type === 'image') continue
        if (type === 'radio' || type === 'checkbox') field(a.name, type).options.push({ value: a.value ?? 'on', checked: 'checked' in a })
        else field(a.name, type).value = a.value ?? ''
      } else if (t[2] !== undefined) {
        const a = attributes(t[2])
        if (a.name) field(a.name, 'textarea').value = unescapeHtml(t[3]).replace(/^\r?\n/, '')
      } else {
        const a = attributes(t[4])
        if (!a.name) continue
        const f = field(a.name, 'select')
        for (const o of t[5].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)) {
          const oa = attributes(o[1])
          f.options.push({ value: oa.value ?? unescapeHtml(o[2]).trim(), checked: 'selected' in oa, label: unescapeHtml(o[2]).trim() })
        }
      }
    }
    const action = attrs.action || ''
    forms.push({ action, path: action.split('?')[0], multipart: /multipart/i.test(attrs.enctype || ''), fields })
  }
  return forms
}

// What a browser would send for the form as it stands.
function baselinePairs (form) {
  const pairs = []
  for (const f of form.fields) {
    if (f.kind === 'file') continue
    if (f.kind === 'radio' || f.kind === 'checkbox') {
      for (const o of f.options.filter(o => o.checked)) pairs.push([f.name, o.value])
    } else if (f.kind === 'select') {
      const chosen = f.options.find(o => o.checked) || f.options[0]
      if (chosen) pairs.push([f.name, chosen.value])
    } else pairs.push([f.name, f.value])
  }
  return pairs
}

// `pairs` with the fields of `values` (name -> value) replaced (or added).
function withValues (pairs, values) {
  const out = []
  const done = new Set()
  for (const [k, v] of pairs) {
    if (k in values) {
      if (!done.has(k)) { done.add(k); out.push([k, values[k]]) }
    } else out.push([k, v])
  }
  for (const [k, v] of Object.entries(values)) if (!done.has(k)) out.push([k, v])
  return out
}

function percentEncode (value) {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8')
  let out = ''
  for (const b of bytes) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b === 0x2D || b === 0x2E || b === 0x5F || b === 0x2A) out += String.fromCharCode(b)
    else if (b === 0x20) out += '+'
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0')
  }
  return out
}
const encodeForm = pairs => pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')

const errorSummary = html => {
  const block = html.match(/govuk-error-summary__list">([\s\S]*?)<\/ul>/)
  if (!block) return []
  return [...block[1].matchAll(/<a href="([^"]*)">([\s\S]*?)<\/a>/g)].map(m => ({ href: unescapeHtml(m[1]), text: unescapeHtml(m[2]) }))
}
const heading = html => unescapeHtml((html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/) || [])[1] || '').replace(/<[^>]+>/g, '').trim()
const mainText = html => unescapeHtml(((html.match(/<main[\s\S]*?<\/main>/) || [html])[0]).replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim()
const pattern = path => path.split('?')[0]
  .replace(/\/(invitations|reset-password)\/[A-Za-z0-9_-]{16,}/, '/$1/TOKEN')
  // Local Offer records are named by their ORUK ids (UUIDs): one route for all of them.
  .replace(/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/g, '/KEY')
  .replace(/\/\d+(?=\/|$)/g, '/N')
const randomOnce = () => randomBytes(16).toString('hex')

// ---------------------------------------------------------------------------------------
// The server process: its memory, and /health

function serverPid (server) {
  // The harness does not expose the child: find it by the database folder it was given,
  // or, on another database, by the process that holds the listening socket.
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      if (cmd.includes(server.dir) && cmd.includes('serve')) return Number(entry)
    } catch {}
  }
  const port = Number(new URL(server.url).port)
  const inodes = new Set()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/)
        if (cols.length > 9 && parseInt(cols[1].split(':')[1], 16) === port && cols[3] === '0A') inodes.add(cols[9])
      }
    } catch {}
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`)
        const inode = target.match(/^socket:\[(\d+)\]$/)
        if (inode && inodes.has(inode[1])) return Number(entry)
      }
    } catch {}
  }
  throw new Error('could not find the server process')
}

function memory () {
  const status = readFileSync(`/proc/${S.pid}/status`, 'utf8')
  const kb = name => Number((status.match(new RegExp(`${name}:\\s+(\\d+) kB`)) || [])[1])
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

async function health (via = healthAgent) {
  const r = await send('/health', { via, timeout: 10000 })
  return { ok: r.status === 200, ms: r.ms, status: r.status, error: r.error }
}

// After each hostile request: /health answers 200 within the limit, and memory is read.
async function probe (label) {
  const h = await health()
  const last = S.cases[S.cases.length - 1]
  if (last) last.healthMs = Number(h.ms.toFixed(1))
  S.health.push(h.ms)
  if (!h.ok) S.healthFailures.push(`${label}: /health answered ${h.status ?? h.error}`)
  if (h.ms > HEALTH_LIMIT_MS) S.healthFailures.push(`${label}: /health took ${h.ms.toFixed(1)} ms`)
  try { S.rss.push(memory().rss) } catch (e) { S.healthFailures.push(`${label}: the server process is gone (${e.message})`) }
}

// /health every 100 ms for the whole suite, whatever else is going on.
function startBackgroundProbe () {
  let running = true
  const loop = (async () => {
    while (running) {
      const h = await health(backgroundAgent)
      S.background.push(h.ms)
      if (!h.ok) S.healthFailures.push(`background probe: /health answered ${h.status ?? h.error}`)
      try { S.rss.push(memory().rss) } catch {}
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  })()
  return async () => { running = false; await loop }
}

// ---------------------------------------------------------------------------------------
// Judging an answer

const LEAK = /panicked at|stack backtrace|RUST_BACKTRACE|\bsrc\/[\w/]+\.rs:\d+|sqlx::|SqliteError|error returned from database|called `(Option|Result)::unwrap/i

// What is wrong with an answer that should be a refusal or (if `mayAccept`) a success.
// `invalid`: the fields the error summary must name; `message`: what one of their errors
// must say. Returns { problems, accepted }.
function judge (r, { invalid = [], names = invalid, message = null, messageFor = names, mayAccept = false, expect = null, expectText = null, within = null, signOut = false } = {}) {
  const problems = []
  if (r.error) return { problems: [r.error], accepted: false }
  const text = r.text || ''
  if (r.status >= 500) problems.push(`answered ${r.status}: ${heading(text) || text.slice(0, 200)}`)
  if (LEAK.test(text)) problems.push(`the answer shows internals: ${text.match(LEAK)[0]}`)
  if (within && r.ms > within) problems.push(`took ${(r.ms / 1000).toFixed(1)} s (at most ${within / 1000} s)`)
  if (expect && !expect.includes(r.status)) problems.push(`answered ${r.status} (${heading(text) || text.slice(0, 120)}), not ${expect.join(' or ')}`)
  const refused = r.status >= 400 && r.status < 500
  if (refused) {
    if (!/<h1/i.test(text)) problems.push(`answered ${r.status} without a page saying why: ${JSON.stringify(text.slice(0, 160))}`)
    if (r.status === 413) {
      const stated = text.match(/at most (\d+) (KB|MB)/)
      if (!stated) problems.push('413 without the limit')
      else if (Number(stated[1]) * (stated[2] === 'MB' ? 1048576 : 1024) >= r.sent) problems.push(`413 says "${stated[0]}" for ${(r.sent / 1024).toFixed(0)} KB sent: the limit named is not the one reached`)
    }
    if (expectText && !expectText.test(mainText(text))) problems.push(`the page does not say ${expectText}: "${mainText(text).slice(0, 240)}"`)
    if (r.status === 422) {
      const summary = errorSummary(text)
      if (!summary.length) problems.push('422 without an error summary')
      const naming = fields => {
        const anchors = fields.flatMap(n => [n, n.replace(/-(day|month|year)$/, '')])
        return summary.filter(s => anchors.some(a => s.href === `#${a}` || s.href.startsWith(`#${a}-`)))
      }
      if (names.length) {
        const named = naming(names)
        if (!named.length) problems.push(`the error summary does not name ${names.join(', ')}: ${summary.map(s => `${s.href} ${s.text}`).join(' | ').slice(0, 300)}`)
        else if (message && messageFor.length && !naming(messageFor).some(s => message.test(s.text))) problems.push(`the error for ${messageFor.join(', ')} does not say ${message}: ${naming(messageFor).map(s => s.text).join(' | ').slice(0, 300)}`)
      }
    }
    if (/too many/i.test(mainText(text))) return { problems, accepted: false, throttled: true }
    return { problems, accepted: false }
  }
  if (r.status >= 200 && r.status < 400) {
    if (r.status === 303 && /^\/sign-in/.test(r.headers.location || '') && !signOut) problems.push(`sent to sign in (${r.headers.location}): the session was lost`)
    else if (!mayAccept || invalid.length) problems.push(`accepted (${r.status}${r.headers.location ? ' to ' + r.headers.location : ''}) what it should refuse`)
    return { problems, accepted: problems.length === 0 }
  }
  return { problems, accepted: false }
}

// What a server that takes `value` may keep (it trims, and may write it on one line or in
// composed form).
function storedForms (value, also = []) {
  const t = value.trim()
  const oneLine = t.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ').split(/\s+/).filter(Boolean).join(' ')
  return new Set([t, t.normalize('NFC'), oneLine, t.replace(/\r\n/g, '\n'), ...also.map(a => a.trim())])
}

function record (phase, route, name, r, verdict, ms) {
  const ok = verdict.problems.length === 0
  let rssMB = null
  try { rssMB = Number((memory().rss / 1024).toFixed(1)) } catch {}
  // What the answer said, in short: its errors, or its heading.
  const said = r.status >= 400 ? (errorSummary(r.text || '').map(e => `${e.href} ${e.text}`).join(' | ') || heading(r.text || '') || (r.text || '').slice(0, 100)).slice(0, 240) : undefined
  S.cases.push({ phase, route: route.pattern, role: route.role, case: name, status: r.status ?? r.error, ms: Math.round(ms ?? r.ms ?? 0), ok, throttled: !!verdict.throttled, rssMB, said })
  for (const problem of verdict.problems) S.failures.push({ phase, route: route.pattern, role: route.role, case: name, problem })
}

// ---------------------------------------------------------------------------------------
// Fields: what kind each is, and so what each hostile value must do there

const FREE_TEXT = new Set(['name', 'title', 'label', 'meaning', 'job_title', 'chair', 'series', 'run_by', 'audience',
  'description', 'narrative', 'summary', 'text', 'said', 'response', 'purpose', 'members', 'attendees', 'agenda',
  'outcomes', 'inspectors', 'main_findings', 'success_criteria', 'evidence_of_success', 'impact_measures',
  'accountability_measures', 'intended_outcome', 'definition', 'note', 'i_statement', 'impact_indicators', 'milestones'])
const WHOLE = new Set(['stale_after_days', 'days_before_board', 'milestone_days', 'respondents'])
const NUMBER = new Set(['value', 'baseline_value', 'tolerance'])

function kindOf (route, f) {
  if (f.name === '_csrf' || f.kind === 'file') return 'skip'
  if (f.kind === 'hidden') return 'hidden'
  if (['radio', 'checkbox', 'select'].includes(f.kind)) return 'choice'
  if (f.kind === 'password') return 'password'
  if (f.kind === 'email' || f.name === 'email') return 'email'
  if (/-(day|month|year)$/.test(f.name)) return 'datePart'
  if (WHOLE.has(f.name)) return 'whole'
  if (NUMBER.has(f.name) || /^resource-\d+-amount$/.test(f.name)) return 'number'
  if (f.name === 'period' && /values\/new|questions\/N\/measure/.test(route.pattern)) return 'period'
  if (f.name === 'targets') return 'targets'
  if (FREE_TEXT.has(f.name) || /^(commentary|area|easy)-\d+$/.test(f.name)) return 'free'
  return 'text' // other text: codes, numbers of items, domains, links
}
const fieldsOf = (route, form, ...kinds) => form.fields.filter(f => kinds.includes(kindOf(route, f)))

// The form as a person would send it to succeed, as far as can be told without knowing
// it: what the page holds, a first choice where nothing is chosen, plain text in empty
// text fields, a date in empty dates (not end, done or since dates), the values of the
// matching edit form, and an item number not yet used.
let uniqueNumber = 1000
function validPairs (route, form) {
  const pairs = baselinePairs(form)
  const has = name => pairs.some(([k, v]) => k === name && v !== '')
  const values = {}
  for (const f of form.fields) {
    const kind = kindOf(route, f)
    if (f.kind === 'radio' && !f.options.some(o => o.checked) && !/remove|confirm|delete/.test(f.name)) values[f.name] = f.options[0].value
    else if (kind === 'free' && !has(f.name)) values[f.name] = 'Hostile test'
    else if (kind === 'datePart' && !route.editLike && !has(f.name) && !/end|done|since|published|baseline/.test(f.name)) values[f.name] = { day: '1', month: '4', year: '2023' }[f.name.match(/(day|month|year)$/)[1]]
    else if (kind === 'email' && !has(f.name)) values[f.name] = `someone-${randomOnce().slice(0, 10)}@hostile.example`
    else if (kind === 'password' && !has(f.name)) values[f.name] = 'a long enough test password 7'
    else if ((f.name === 'value' || kind === 'whole') && !has(f.name)) values[f.name] = '5'
    else if (kind === 'period' && !has(f.name)) values[f.name] = '2023-06' // the measure found for the action lead is monthly
  }
  Object.assign(values, route.borrowed || {})
  if (!route.editLike && form.fields.some(f => f.name === 'number')) {
    // The same place in the plan, a number not used yet.
    const segments = String(values.number || '1').split('.')
    segments[segments.length - 1] = String(1000 + ++uniqueNumber % 8999)
    values.number = segments.join('.')
  }
  if (!route.editLike && form.fields.some(f => f.name === 'la_code')) values.la_code = `E9${String(++uniqueNumber).padStart(7, '0')}`
  return withValues(pairs, values)
}

// ---------------------------------------------------------------------------------------
// Opening a form and sending it

async function openForm (route) {
  // Each hostile sending before sign-in is a new visitor (a reset or an invitation that
  // works signs the visitor in).
  if (route.anonymous) route.client.forget()
  for (let attempt = 0; attempt < 2; attempt++) {
    const page = await route.client.get(route.page)
    if (page.status === 303 && /^\/sign-in/.test(page.headers.location || '') && route.signIn) {
      S.warnings.push(`${route.pattern}: ${route.role} was signed out; signing in again`)
      await route.signIn()
      continue
    }
    const form = page.status === 200 && parseForms(page.text).find(f => pattern(f.path) === route.pattern)
    if (form) return form
    if (route.refresh && attempt === 0) { route.page = await route.refresh(); continue }
    throw new Error(`${route.page} as ${route.role} answered ${page.status ?? page.error} without the form for ${route.pattern}: ${heading(page.text || '')}`)
  }
  throw new Error(`${route.page}: could not open the form`)
}

async function postPairs (route, form, pairs, { path = form.action, type = FORM, body, chunked = false, noCookie = false, pauseAfter } = {}) {
  return route.client.request(path, { method: 'POST', headers: { 'content-type': type }, body: body ?? encodeForm(pairs), chunked, noCookie, pauseAfter })
}

function multipartOf (pairs, file, { boundary = `hostile${randomOnce()}` } = {}) {
  const parts = pairs.map(([name, value]) => ({ name, value: Buffer.isBuffer(value) ? value : String(value) }))
  if (file) parts.push({ name: 'file', filename: file.name, type: file.type || 'application/octet-stream', value: file.bytes })
  return { boundary, body: corpus.multipart(boundary, parts) }
}

async function postMultipart (route, form, pairs, file, options = {}) {
  const { boundary, body } = options.prebuilt || multipartOf(pairs, file)
  return route.client.request(options.path || form.action, {
    method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body, chunked: !!options.chunked, noCookie: !!options.noCookie, pauseAfter: options.pauseAfter
  })
}

// Sends one hostile case and judges it; then /health and memory. `check` may look further
// at an accepted answer (round trip).
async function attempt (phase, route, name, sendIt, expectation, check) {
  let r
  try {
    r = await sendIt()
  } catch (e) {
    r = { error: `could not send: ${e.message}` }
  }
  const verdict = judge(r, expectation)
  if (verdict.accepted && check) {
    try {
      const more = await check(r)
      for (const p of more.problems || []) verdict.problems.push(p)
      for (const w of more.warnings || []) S.warnings.push(`${route.pattern} ${name}: ${w}`)
    } catch (e) {
      verdict.problems.push(`checking what was stored failed: ${e.message}`)
    }
  }
  record(phase, route, name, r, verdict)
  await probe(`${route.pattern} ${name}`)
  return { r, verdict }
}

// After a form was accepted: what each target field holds now must be what was sent.
function roundTrip (route, targets) {
  return async response => {
    const problems = []
    const warnings = []
    if (route.editLike) {
      const form = await openForm(route)
      for (const { name, stored } of targets) {
        const f = form.fields.find(x => x.name === name)
        if (!f) { warnings.push(`${name} is no longer on the form`); continue }
        if (!stored.has(f.value)) problems.push(`stored ${JSON.stringify(f.value).slice(0, 160)} in ${name}, not what was sent (${JSON.stringify([...stored][0]).slice(0, 160)})`)
        if (f.value.includes('\u0000')) problems.push(`a NUL byte was stored in ${name}`)
      }
      return { problems, warnings }
    }
    let to = response.headers.location
    if (!to) return response.status === 200 ? { warnings: ['answered 200, not checked'] } : { warnings: ['accepted without saying where it went'] }
    let page = await route.client.get(to)
    for (let hops = 0; page.status >= 300 && page.status < 400 && page.headers.location && hops < 3; hops++) {
      to = page.headers.location
      page = await route.client.get(to)
    }
    if (page.status !== 200) return { problems: [`after saving, ${to} answered ${page.status}`] }
    const text = unescapeHtml(page.text)
    if (text.includes('\u0000')) problems.push(`the page after saving (${to}) holds a NUL byte`)
    for (const { name, stored } of targets) {
      const visible = [...stored].filter(s => s && !/[\r\n]/.test(s) && s.length <= 300)
      if (![...stored].some(s => /[\r\n]/.test(s)) && visible.length && !visible.some(s => text.includes(s))) warnings.push(`${name}: not seen on ${to} after saving (not checked)`)
    }
    return { problems, warnings }
  }
}

// ---------------------------------------------------------------------------------------
// Setting up: accounts, a linked action lead, the things only some routes need

function cli (args, input) {
  const run = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 60000 })
  if (run.status !== 0) throw new Error(`sendplan ${args.join(' ')} failed: ${run.stderr}${run.stdout}`)
  return run.stdout
}

// The demonstration Local Offer's Sunshine Play Trust and its Saturday club (their ORUK
// ids, fixed in fixtures/local_offer/wolverhampton-demo.json).
const SUNSHINE = 'dc83b915-993f-54dd-aeac-a9af995b8b42'
const SUNSHINE_CLUB = '4b9b941c-793d-5e7c-847e-009dd369e5b4'

function addAccount (email, name, { role, partnership, organisation, casework = false, admin = false } = {}) {
  const password = `hostile ${randomBytes(12).toString('hex')}`
  const args = ['user', 'add', email, '--database-url', S.database, '--name', name]
  if (admin) args.push('--admin')
  if (role) args.push('--role', role, '--partnership', String(partnership))
  if (organisation) args.push('--organisation', organisation)
  if (casework) args.push('--casework')
  cli(args, `${password}\n`)
  return { email, password }
}

async function signedIn (name, account) {
  const c = client(name)
  c.signIn = async () => {
    const page = await c.get('/sign-in')
    const form = parseForms(page.text).find(f => f.path === '/sign-in')
    const r = await c.request(form.action, { method: 'POST', headers: { 'content-type': FORM }, body: encodeForm(withValues(baselinePairs(form), { email: account.email, password: account.password, next: '/' })) })
    assert.equal(r.status, 303, `${name} could not sign in: ${r.status} ${mainText(r.text || '').slice(0, 300)}`)
  }
  await c.signIn()
  return c
}

// Fills and sends a form as part of the setting up; it must succeed.
async function fill (c, page, actionPattern, values, { file } = {}) {
  const html = (await c.get(page)).text
  const form = parseForms(html).find(f => pattern(f.path) === actionPattern)
  assert.ok(form, `no form for ${actionPattern} on ${page}`)
  // Radios nobody has chosen take their first choice.
  const first = Object.fromEntries(form.fields.filter(f => f.kind === 'radio' && !f.options.some(o => o.checked) && !(f.name in values)).map(f => [f.name, f.options[0].value]))
  const pairs = withValues(baselinePairs(form), { ...first, ...values })
  const r = form.multipart
    ? await c.request(form.action, { method: 'POST', ...(() => { const m = multipartOf(pairs, file); return { headers: { 'content-type': `multipart/form-data; boundary=${m.boundary}` }, body: m.body } })() })
    : await c.request(form.action, { method: 'POST', headers: { 'content-type': FORM }, body: encodeForm(pairs) })
  assert.ok(r.status === 303 || r.status === 200, `setting up: ${actionPattern} answered ${r.status}: ${errorSummary(r.text || '').map(e => e.text).join('; ') || mainText(r.text || '').slice(0, 300)}`)
  return r
}

const optionLabelled = (html, name, label) => {
  const form = parseForms(html).find(f => f.fields.some(x => x.name === name))
  const field = form?.fields.find(x => x.name === name)
  const option = field?.options.find(o => label.test(o.label || ''))
  assert.ok(option, `no option ${label} for ${name}`)
  return option.value
}

const rowWith = (html, text, href) => {
  const row = html.split(/<tr\b/).find(r => r.includes(text))
  const link = row && row.match(href)
  assert.ok(link, `no row with ${text}`)
  return link[1]
}

const SKIP_LINK = /format=|\/export|\.xlsx|\/reports\/view|\/sign-in\/sso|^\/public|^\/assets|\/meeting-actions\/|^\/sign-out/

// Follows links from `starts` within `scope` as `c`, and keeps, for each form pattern not
// yet seen, where it was found: that role is the least privileged that reaches it, since
// roles are crawled from the least privileged up.
async function crawl (c, role, starts, scope) {
  const queue = [...starts]
  const seen = new Set()
  const perPattern = new Map()
  let pages = 0
  while (queue.length && pages < 600) {
    const url = queue.shift()
    if (seen.has(url)) continue
    seen.add(url)
    const key = pattern(url) + (url.includes('?') ? '?' : '')
    if ((perPattern.get(key) || 0) >= 3) continue
    perPattern.set(key, (perPattern.get(key) || 0) + 1)
    const r = await c.get(url)
    pages++
    if (r.status !== 200 || !/text\/html/.test(r.headers?.['content-type'] || '')) continue
    for (const form of parseForms(r.text)) {
      const p = pattern(form.path)
      if (!S.routes.has(p)) S.routes.set(p, { pattern: p, page: url, role, client: c, multipart: form.multipart, form })
    }
    for (const h of r.text.matchAll(/href="(\/[^"#]*)"/g)) {
      const link = unescapeHtml(h[1])
      if (scope(link) && !SKIP_LINK.test(link) && !seen.has(link)) queue.push(link)
    }
  }
  return pages
}

// ---------------------------------------------------------------------------------------
// Throwaway records for the forms that take records away

// Deleting, archiving and splitting take away what other routes are attacked on, so those
// forms are sent about throwaway records: a small plan document imported for the purpose,
// with one record of each kind, made afresh whenever the one a route was pointed at has
// gone. The newest record of a kind on its list page is the throwaway's.
let throwaways = 0
function throwawayDocument (laCode, n) {
  return {
    format: 'sendplan-plan',
    version: 1,
    source: 'hostile test throwaway',
    partnership: { name: 'Throwaway', la_code: laCode },
    organisations: [{ key: 'o', name: `Throwaway organisation ${n}`, kind: 'other' }],
    people: [{ key: 'p', name: `Throwaway person ${n}`, job_title: 'Tester' }],
    inspections: [{ key: 'i', framework: 'joint_2016', start_date: '2001-01-01', end_date: '2001-01-02', outcome: 'wsoa_required', findings: [{ key: 'f', kind: 'significant_weakness', text: `Throwaway finding ${n}` }] }],
    plans: [{
      key: 'x',
      kind: 'wsoa',
      title: `Throwaway plan ${n}`,
      status: 'draft',
      ratings: [{ label: 'RED', colour: 'red', meaning: 'Late', class: 'off_track' }],
      areas: [{ number: '1', title: 'Throwaway area', objectives: [{ number: '1.1', title: 'Throwaway objective' }] }],
      // The first action, with no updates, can be deleted; the second has one to correct.
      actions: [
        { number: '1.1.1', area: '1', objective: '1.1', description: 'Throwaway action', milestones: [{ title: 'Throwaway milestone' }] },
        { number: '1.1.2', area: '1', objective: '1.1', description: 'Throwaway updated action', updates: [{ date: '2001-02-01', rating: 'RED', narrative: 'Throwaway update' }] }
      ],
      measures: [{ name: `Throwaway measure ${n}`, unit: 'count', polarity: 'lower', frequency: 'monthly' }],
      surveys: [{ title: `Throwaway survey ${n}`, period: '2001', questions: [{ number: '1', text: 'Throwaway?', options: [{ label: 'Yes', percent: 100 }] }] }]
    }],
    interventions: [{ kind: 'stocktake', by: 'dfe', date: '2001' }]
  }
}

function throwawayRefreshers (c) {
  const codes = {}
  const laCode = pid => {
    codes[pid] ??= cli(['partnerships', '--database-url', S.database]).split('\n').map(l => l.split('\t')).find(([id]) => id === String(pid))?.[1]
    assert.ok(codes[pid], `no local authority code for partnership ${pid}`)
    return codes[pid]
  }
  const plan = pid => {
    const n = ++throwaways
    const file = `${S.server.dir}/throwaway-${n}.json`
    writeFileSync(file, JSON.stringify(throwawayDocument(laCode(pid), n)))
    const id = cli(['import', file, '--database-url', S.database]).match(/\(id (\d+)\)/)?.[1]
    assert.ok(id, 'the throwaway plan was not imported')
    return id
  }
  const client = pid => (pid === '2' ? c.manager2 : c.manager)
  const ids = async (pid, page, link) => {
    const found = [...(await client(pid).get(page)).text.matchAll(link)].map(m => Number(m[1]))
    assert.ok(found.length, `no ${link} on ${page}`)
    return found
  }
  const newest = async (pid, page, link) => Math.max(...await ids(pid, page, link))
  const oldest = async (pid, page, link) => Math.min(...await ids(pid, page, link))
  const pidOf = route => route.page.split('/')[2]
  const refresher = make => async function () { return make(pidOf(this), plan(pidOf(this))) }
  const board = async pid => {
    await fill(client(pid), `/p/${pid}/boards/new`, '/p/N/boards/new', { name: `Throwaway board ${++throwaways}` })
    return newest(pid, `/p/${pid}/boards`, /\/boards\/(\d+)\/edit/g)
  }
  return {
    '/p/N/delete/plan/N': refresher((pid, x) => `/p/${pid}/delete/plan/${x}`),
    '/p/N/plans/N/archive': refresher((pid, x) => `/p/${pid}/plans/${x}/archive`),
    '/p/N/delete/area/N': refresher(async (pid, x) => `/p/${pid}/delete/area/${await newest(pid, `/p/${pid}/plans/${x}`, /\/areas\/(\d+)\/edit/g)}`),
    '/p/N/delete/objective/N': refresher(async (pid, x) => `/p/${pid}/delete/objective/${await newest(pid, `/p/${pid}/plans/${x}`, /\/objectives\/(\d+)\/edit/g)}`),
    '/p/N/delete/action/N': refresher(async (pid, x) => `/p/${pid}/delete/action/${await oldest(pid, `/p/${pid}/plans/${x}`, /\/actions\/(\d+)"/g)}`),
    // Correcting or withdrawing an update leaves it as history: a fresh one each time.
    '/p/N/updates/N/correct': refresher(async (pid, x) => {
      const action = await newest(pid, `/p/${pid}/plans/${x}`, /\/actions\/(\d+)"/g)
      return `/p/${pid}/updates/${await newest(pid, `/p/${pid}/actions/${action}`, /\/updates\/(\d+)\/correct/g)}/correct`
    }),
    '/p/N/updates/N/withdraw': refresher(async (pid, x) => {
      const action = await newest(pid, `/p/${pid}/plans/${x}`, /\/actions\/(\d+)"/g)
      return `/p/${pid}/updates/${await newest(pid, `/p/${pid}/actions/${action}`, /\/updates\/(\d+)\/withdraw/g)}/withdraw`
    }),
    '/p/N/delete/milestone/N': refresher(async (pid, x) => {
      const action = await oldest(pid, `/p/${pid}/plans/${x}`, /\/actions\/(\d+)"/g)
      return `/p/${pid}/delete/milestone/${await newest(pid, `/p/${pid}/actions/${action}`, /\/milestones\/(\d+)\/edit/g)}`
    }),
    '/p/N/delete/measure/N': refresher(async (pid, x) => `/p/${pid}/delete/measure/${await newest(pid, `/p/${pid}/plans/${x}/measures`, /\/measures\/(\d+)"/g)}`),
    '/p/N/delete/survey/N': refresher(async (pid, x) => `/p/${pid}/delete/survey/${await newest(pid, `/p/${pid}/plans/${x}/surveys`, /\/surveys\/(\d+)"/g)}`),
    '/p/N/delete/inspection/N': refresher(async pid => `/p/${pid}/delete/inspection/${await newest(pid, `/p/${pid}/inspections`, /\/inspections\/(\d+)"/g)}`),
    '/p/N/delete/finding/N': refresher(async pid => {
      const inspection = await newest(pid, `/p/${pid}/inspections`, /\/inspections\/(\d+)"/g)
      return `/p/${pid}/delete/finding/${await newest(pid, `/p/${pid}/inspections/${inspection}`, /\/findings\/(\d+)\/edit/g)}`
    }),
    '/p/N/delete/person/N': refresher(async pid => `/p/${pid}/delete/person/${await newest(pid, `/p/${pid}/people`, /\/people\/(\d+)\/edit/g)}`),
    '/p/N/people/N/split': refresher(async pid => `/p/${pid}/people/${await newest(pid, `/p/${pid}/people`, /\/people\/(\d+)\/edit/g)}/split`),
    '/p/N/delete/organisation/N': refresher(async pid => `/p/${pid}/delete/organisation/${await newest(pid, `/p/${pid}/organisations`, /\/organisations\/(\d+)\/edit/g)}`),
    '/p/N/delete/intervention/N': refresher(async pid => `/p/${pid}/delete/intervention/${await newest(pid, `/p/${pid}/timeline`, /\/interventions\/(\d+)\/edit/g)}`),
    '/p/N/delete/board/N': async function () { const pid = pidOf(this); return `/p/${pid}/delete/board/${await board(pid)}` },
    '/p/N/delete/meeting/N': async function () {
      const pid = pidOf(this)
      const x = plan(pid)
      const page = `/p/${pid}/plans/${x}/meetings/new`
      await board(pid)
      const chosen = optionLabelled((await client(pid).get(page)).text, 'board', /Throwaway board/)
      await fill(client(pid), page, '/p/N/plans/N/meetings/new', { board: chosen, 'held_on-day': '1', 'held_on-month': '3', 'held_on-year': '2001', attendees: 'Tester', agenda: 'Nothing', outcomes: 'Noted' })
      return `/p/${pid}/delete/meeting/${await newest(pid, `/p/${pid}/plans/${x}/meetings`, /\/meetings\/(\d+)\/edit/g)}`
    }
  }
}

let stopBackground = async () => {}
const stalls = []

before(async () => {
  const started = Date.now()
  S.server = await startServer(undefined, { SENDPLAN_TRUSTED_PROXIES: '127.0.0.1', ...SERVER_ENV })
  S.base = S.server.url
  S.database = process.env.SENDPLAN_E2E_DATABASE_URL || `sqlite://${S.server.dir}/e2e.db`
  S.pid = serverPid(S.server)
  S.memoryAtStart = memory()

  // The people, each with the least they need.
  const accounts = {
    viewer: addAccount('viewer@hostile.example', 'Vic Viewer', { role: 'viewer', partnership: 1 }),
    // Keeps the demonstration Local Offer's Sunshine Play Trust services.
    provider: addAccount('provider@hostile.example', 'Pru Provider', { role: 'provider', partnership: 1, organisation: SUNSHINE }),
    lead: addAccount('lead@hostile.example', 'Lee Lead', { role: 'action_lead', partnership: 1 }),
    // A viewer of the plans given casework: the least that reaches the casework pages.
    caseworker: addAccount('caseworker@hostile.example', 'Cas Worker', { role: 'viewer', partnership: 1, casework: true }),
    manager: addAccount('manager@hostile.example', 'Pat Manager', { role: 'plan_manager', partnership: 1 }),
    admin: addAccount('admin@hostile.example', 'Ada Admin', { role: 'admin', partnership: 1 }),
    viewer2: addAccount('viewer2@hostile.example', 'Vic Viewer Two', { role: 'viewer', partnership: 2 }),
    manager2: addAccount('manager2@hostile.example', 'Pat Manager Two', { role: 'plan_manager', partnership: 2 }),
    deployment: addAccount('deployment@hostile.example', 'Dee Deployment', { admin: true }),
    // A viewer whose own account pages (password, sessions, signing out) are attacked.
    self: addAccount('self@hostile.example', 'Sol Self', { role: 'viewer', partnership: 1 }),
    // Targets of the forms that change other people's access: hostile posts go to these.
    target: addAccount('target@hostile.example', 'Tam Target', { role: 'viewer', partnership: 1 }),
    reset: addAccount('reset@hostile.example', 'Ray Reset', { role: 'viewer', partnership: 1 })
  }
  const c = {}
  for (const [name, account] of Object.entries(accounts)) {
    if (name === 'target' || name === 'reset') continue
    c[name] = await signedIn(name, account)
  }
  // Second sessions, so the sessions page has a form to sign one out (found as the viewer,
  // sent as the account whose own pages are attacked).
  await signedIn('viewer elsewhere', accounts.viewer)
  await signedIn('self elsewhere', accounts.self)
  S.clients = c

  // The action lead leads the actions of the first measure that has any, so may record its
  // values (measures.rs `may_record`).
  const measures = (await c.manager.get('/p/1/plans/1/measures')).text
  const plan = (await c.manager.get('/p/1/plans/1')).text
  let lead = null
  for (const m of measures.matchAll(/href="(\/p\/1\/measures\/\d+)"/g)) {
    const page = (await c.manager.get(m[1])).text
    const actions = page.match(/Actions<\/dt>\s*<dd[^>]*>([\s\S]*?)<\/dd>/)
    const number = actions && unescapeHtml(actions[1]).trim().split(/\s/)[0]
    const row = number && plan.split(/<tr\b/).find(r => new RegExp(`>\\s*${number.replace(/\./g, '\\.')}\\s*</td>`).test(r))
    const link = row && row.match(/href="(\/p\/1\/actions\/\d+)"/)
    if (!link) continue
    const edit = parseForms((await c.manager.get(`${link[1]}/edit`)).text).find(f => /\/edit$/.test(f.path))
    const person = edit?.fields.find(f => f.name === 'leads')?.options.find(o => o.checked)
    if (person) { lead = { measure: m[1], action: link[1], person: person.value }; break }
  }
  assert.ok(lead, 'no measure of plan 1 is linked to an action with a lead')
  const members = (await c.admin.get('/p/1/members')).text
  const leadMember = rowWith(members, 'lead@hostile.example', /href="(\/p\/1\/members\/\d+)"/)
  await fill(c.admin, leadMember, pattern(leadMember), { role: 'action_lead', person_id: lead.person })
  S.targetMember = rowWith(members, 'target@hostile.example', /href="(\/p\/1\/members\/\d+)"/)
  S.targetAccount = rowWith((await c.deployment.get('/admin/accounts')).text, 'target@hostile.example', /href="(\/admin\/accounts\/\d+)"/)

  // What some routes need to exist: an invitation, a reset link, an import draft, a board
  // with a meeting, and a paper issued to it.
  const invite = async () => {
    const r = await fill(c.admin, '/p/1/invitations/new', '/p/N/invitations/new', { email: `invitee-${randomOnce().slice(0, 8)}@hostile.example`, role: 'viewer' })
    const link = (r.text || '').match(/\/invitations\/[A-Za-z0-9_-]{16,}/)
    assert.ok(link, 'the invitation link was not shown')
    return link[0]
  }
  const resetLink = () => cli(['user', 'reset-password', accounts.reset.email, '--database-url', S.database]).trim().match(/\/reset-password\/\S+/)[0]
  S.invitation = await invite()
  S.resetLink = resetLink()
  // Approving takes a provider's change away: a fresh one each time, from the provider.
  const change = async function () {
    await fill(c.provider, `/p/1/provide/services/${SUNSHINE_CLUB}`, '/p/N/provide/services/KEY', { fees: `£${++throwaways} a session` })
    const changes = [...(await c.admin.get('/p/1/local-offer')).text.matchAll(/\/local-offer\/changes\/(\d+)"/g)].map(m => Number(m[1]))
    assert.ok(changes.length, 'the provider\'s change is not listed')
    return `/p/1/local-offer/changes/${Math.max(...changes)}`
  }
  S.refreshers = { '/invitations/TOKEN': invite, '/reset-password/TOKEN': async () => resetLink(), '/p/N/local-offer/changes/N/approve': change, ...throwawayRefreshers(c) }
  const tracker = Buffer.from('Number,Actions for implementation,Lead Officer,Completion date,Progress (BRAG)\n1.1,Publish the autism pathway,New Person,Feb 2022,GREEN\n')
  S.importDraft = (await fill(c.manager, '/p/1/imports/new', '/p/N/imports/new', {}, { file: { name: 'tracker.csv', type: 'text/csv', bytes: tracker } })).headers.location
  await fill(c.manager, '/p/1/boards/new', '/p/N/boards/new', { name: 'Hostile test board' })
  const meetingPage = '/p/1/plans/1/meetings/new'
  const board = optionLabelled((await c.manager.get(meetingPage)).text, 'board', /Hostile test board/)
  await fill(c.manager, meetingPage, '/p/N/plans/N/meetings/new', { board, 'held_on-day': '1', 'held_on-month': '3', 'held_on-year': '2023', attendees: 'Pat Manager', agenda: 'Progress', outcomes: 'Noted' })
  const reportsPage = '/p/1/plans/1/reports'
  const issuedTo = optionLabelled((await c.manager.get(reportsPage)).text, 'board', /Hostile test board/)
  const issued = await fill(c.manager, reportsPage, '/p/N/plans/N/reports', { format: 'html', board: issuedTo })
  S.reportView = (await fill(c.viewer, reportsPage, '/p/N/plans/N/reports', { format: 'html' })).headers.location
  assert.ok(issued && S.reportView, 'no report')

  // The routes, found by following links as each role from the least privileged up.
  const inP = pid => link => link === '/' || link.startsWith(`/p/${pid}/`) || link === `/p/${pid}` || link.startsWith('/account')
  let pages = 0
  pages += await crawl(c.provider, 'provider', ['/p/1/provide'], inP(1))
  pages += await crawl(c.viewer, 'viewer', ['/p/1', '/account', '/'], inP(1))
  pages += await crawl(c.lead, 'action lead', ['/p/1/my-actions', lead.measure, '/p/1'], inP(1))
  pages += await crawl(c.caseworker, 'viewer with casework', ['/p/1/casework'], inP(1))
  pages += await crawl(c.manager, 'plan manager', ['/p/1', S.importDraft], inP(1))
  pages += await crawl(c.admin, 'administrator', ['/p/1', '/p/1/members'], inP(1))
  pages += await crawl(c.viewer2, 'viewer (partnership 2)', ['/p/2'], inP(2))
  pages += await crawl(c.manager2, 'plan manager (partnership 2)', ['/p/2'], inP(2))
  pages += await crawl(c.deployment, 'deployment administrator', ['/', '/admin/accounts', S.targetAccount], link => /^\/(admin|partnerships)(\/|$)/.test(link))
  const anonymous = client('anonymous', { forwardedFor: true })
  pages += await crawl(anonymous, 'signed out', ['/sign-in', '/forgot-password', S.invitation, S.resetLink], link => /^\/(sign-in|forgot-password|invitations|reset-password)/.test(link))
  S.pagesCrawled = pages

  for (const route of S.routes.values()) {
    route.refresh = S.refreshers[route.pattern]
    // A form that takes records away starts on a throwaway record, never a shared one.
    if (route.refresh && /^\/p\/N\//.test(route.pattern)) {
      route.refresh = route.refresh.bind(route)
      route.page = await route.refresh()
    }
    route.anonymous = route.role === 'signed out'
    if (/^\/(account|sign-out)/.test(route.pattern)) Object.assign(route, { client: c.self, role: 'viewer (own account)', page: route.pattern === '/sign-out' ? '/account' : route.page })
    route.signIn = route.client.signIn
    // Forms that change someone's access are sent about the target account, never a tester.
    if (route.pattern === '/p/N/members/N') route.page = S.targetMember
    if (route.pattern === '/p/N/members/N/remove') route.page = `${S.targetMember}/remove`
    if (/^\/admin\/accounts\/N\//.test(route.pattern)) route.page = S.targetAccount
    route.form = parseForms((await route.client.get(route.page)).text).find(f => pattern(f.path) === route.pattern) || route.form
    route.editLike = /\/edit$|^\/p\/N\/sign-in$|\/publish$|\/reminders\/settings$|^\/p\/N\/members\/N$/.test(route.pattern) || route.form.fields.some(f => f.name === 'version')
  }
  // A create form borrows the values of the matching edit form, so one hostile field can be
  // sent with every other field valid: all of them from the same partnership, only what is
  // typed (not ids) from another.
  for (const route of S.routes.values()) {
    if (route.editLike || route.multipart) continue
    const names = route.form.fields.filter(f => !['skip', 'hidden'].includes(kindOf(route, f))).map(f => f.name)
    const where = r => r.page.split('/').slice(0, 3).join('/')
    const siblings = [...S.routes.values()].filter(r => r.editLike && names.length && names.every(n => r.form.fields.some(f => f.name === n)))
    const same = siblings.find(r => where(r) === where(route))
    const typed = new Set(route.form.fields.filter(f => !['skip', 'hidden', 'choice'].includes(kindOf(route, f))).map(f => f.name))
    if (same) route.borrowed = Object.fromEntries(baselinePairs(same.form).filter(([k]) => names.includes(k)))
    else if (siblings[0]) route.borrowed = Object.fromEntries(baselinePairs(siblings[0].form).filter(([k]) => typed.has(k)))
  }
  S.setupSeconds = (Date.now() - started) / 1000

  // The corpus: workbooks are made once, before anything is measured.
  const t = Date.now()
  S.files = await buildFiles()
  S.corpusSeconds = (Date.now() - t) / 1000
  S.memoryAfterSetup = memory()
  stopBackground = startBackgroundProbe()
})

after(async () => {
  await stopBackground()
  for (const s of stalls) s.cancel?.()
  if (RESULTS) writeFileSync(RESULTS, JSON.stringify(summary(), null, 2))
  agent.destroy(); healthAgent.destroy(); backgroundAgent.destroy()
  await S.server?.stop()
})

// ---------------------------------------------------------------------------------------
// Files

async function buildFiles () {
  const zipBomb = await corpus.zipBomb({ megabytes: BOMB_MB })
  const lyingBomb = await corpus.zipBomb({ megabytes: BOMB_MB, lie: true })
  const giantInline = await corpus.giantCell({ megabytes: BOMB_MB })
  const giantShared = await corpus.giantCell({ megabytes: BOMB_MB, shared: true })
  const xlsx = name => ({ name, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
  const csv = name => ({ name, type: 'text/csv' })
  const mb = bytes => `${(bytes / 1048576).toFixed(0)} MB`
  return [
    { id: 'xlsx-dimension-bomb', ...xlsx('bomb.xlsx'), bytes: corpus.dimensionBomb(), message: /rows|columns/i },
    { id: 'xlsx-merged-cell-bomb', ...xlsx('merged.xlsx'), bytes: corpus.mergedCellBomb(), mayAccept: true },
    { id: `xlsx-zip-bomb-${mb(zipBomb.unzipped)}`, ...xlsx('zipbomb.xlsx'), bytes: zipBomb.bytes, message: /times its size|unzips to|too big/i },
    { id: `xlsx-zip-bomb-${mb(lyingBomb.unzipped)}-lying-sizes`, ...xlsx('lying.xlsx'), bytes: lyingBomb.bytes, message: /too big|could not be read|rows/i },
    { id: `xlsx-one-cell-of-${mb(giantInline.unzipped)}-lying-sizes`, ...xlsx('giant.xlsx'), bytes: giantInline.bytes, message: /too big|could not be read|characters/i },
    { id: `xlsx-shared-string-of-${mb(giantShared.unzipped)}-lying-sizes`, ...xlsx('shared.xlsx'), bytes: giantShared.bytes, message: /too big|could not be read|characters/i },
    { id: 'xlsx-xml-nested-100000-deep', ...xlsx('deep.xlsx'), bytes: corpus.deepXml(), mayAccept: true },
    { id: 'not-a-zip-named-xlsx', ...xlsx('plan.xlsx'), bytes: Buffer.from('Period,Value\n2023-01,5\n'), message: /not an Excel workbook/i },
    { id: 'truncated-zip', ...xlsx('cut.xlsx'), bytes: corpus.truncatedZip(), message: /could not be read/i },
    { id: 'csv-20000-columns', ...csv('wide.csv'), bytes: corpus.wideCsv(20000), message: /16384|16,384|columns|fields/i },
    { id: 'csv-200-columns', ...csv('wide200.csv'), bytes: corpus.wideCsv(200), message: /150|columns/i },
    { id: 'csv-20000-rows', ...csv('tall.csv'), bytes: corpus.tallCsv(20000), message: /10000|10,000|rows|lines/i },
    { id: 'csv-cell-of-100000-chars', ...csv('long.csv'), bytes: corpus.longCellCsv(100000), message: /32767|32,767|characters/i },
    { id: 'csv-nul-in-a-cell', ...csv('nul.csv'), bytes: corpus.nulCsv(), mayAccept: true, message: /control character|NUL|U\+0000/i },
    { id: 'csv-mostly-nul-bytes', ...csv('binary.csv'), bytes: corpus.binaryCsv(), message: /not a spreadsheet|control|text/i },
    { id: 'csv-utf16-with-bom', ...csv('unicode.csv'), bytes: corpus.utf16Csv(), mayAccept: true },
    { id: 'json-nested-100000-deep', name: 'plan.json', type: 'application/json', bytes: Buffer.from(corpus.deepJson()), message: /32767|32,767|characters|not a spreadsheet/i },
    { id: 'empty-file', ...csv('empty.csv'), bytes: Buffer.alloc(0), message: /empty|select/i },
    { id: 'file-over-the-10-MB-sheet-limit', ...csv('big.csv'), bytes: corpus.sizedCsv(10 * 1048576 + 32 * 1024), message: /10 MB/ },
    { id: 'file-of-11-MB-over-the-upload-limit', ...csv('huge.csv'), bytes: corpus.sizedCsv(11 * 1048576), expect: [413], expectText: /10 MB/ }
  ]
}

// Files in the shape each route reads, with hostile values in it.
function shapedFiles (route) {
  const csv = rows => Buffer.from(rows.map(r => r.join(',')).join('\r\n') + '\r\n')
  const p = route.pattern
  if (/values\/import$/.test(p)) {
    return [{ id: 'values-impossible-periods-and-huge-numbers', name: 'values.csv', bytes: csv([['Period', 'Value'], ...corpus.periodCases.map(v => [v, '5']), ['2023-01', '1e400'], ['2023-02', '99999999999999999999999'], ['2023-03', 'NaN'], ['2023-04', '=1+1']]), message: /Row \d/ }]
  }
  if (/targets\/import$/.test(p)) {
    return [{ id: 'targets-impossible-dates-and-huge-numbers', name: 'targets.csv', bytes: csv([['Date', 'Value'], ['30 February 2022', '5'], ['9999-12-31', '5'], ['0000-00-00', '5'], ['-1', '5'], ['June 2023', '1e400'], ['July 2023', 'NaN']]), message: /Row \d/ }]
  }
  if (/surveys\/new$/.test(p)) {
    return [{ id: 'survey-impossible-percentages', name: 'survey.csv', bytes: csv([['Question', 'Answer', 'Percent'], ['Q1', 'Yes', '1e400'], ['Q1', 'No', 'NaN'], ['Q2', 'Yes', '-1'], ['Q2', 'No', '99999999999999999999999']]), message: /Row \d|percent|number/i }]
  }
  if (/comparators\/new$/.test(p)) {
    return [
      { id: 'dfe-huge-and-impossible-figures', name: 'dfe.csv', bytes: corpus.dfeCsv([['2019', 'National', '', '', '1e400'], ['999999', 'Local authority', 'E08000031', 'Wolverhampton', '50'], ['2020', 'Local authority', 'E08000031', 'Wolverhampton', '99999999999999999999999']]), message: /line|figure|number|period|year/i },
      { id: 'dfe-20000-headline-rows', name: 'dfe.csv', bytes: corpus.dfeCsv(Array.from({ length: 20000 }, (_, i) => [String(2019 + i % 5), 'Local authority', `E0${i}`, `LA ${i}`, '50'])), message: /10000|10,000|rows/i }
    ]
  }
  if (/imports\/new$/.test(p)) {
    const strange = '👩‍👩‍👧 invoice\u202Etxt.exe Zoe\u0308'
    return [
      { id: 'tracker-impossible-dates-and-strange-text', name: 'tracker.csv', bytes: csv([['Number', 'Actions for implementation', 'Lead Officer', 'Completion date', 'Progress (BRAG)'], ['1.1', strange, 'Sam Patel', '30/02/2022', 'GREEN'], ['1.2', 'Second', 'Sam Patel', '9999-12-31', 'AMBER']]), mayAccept: true, shows: strange }
    ]
  }
  return []
}

// Hostile SEN2 returns: entity expansion, outside entities, deep nesting, a giant element,
// another authority's return, impossible dates and codes, a spreadsheet, and a file over the
// form's 32 MB limit.
function caseworkFiles () {
  const header = '<?xml version="1.0" encoding="UTF-8"?><Message><Header><CollectionDetails><Collection>SEN2</Collection><Year>2025</Year><ReferenceDate>2025-01-16</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel><LEA>336</LEA></Source></Header><Persons>'
  const xml = (name, text) => ({ name, type: 'application/xml', bytes: Buffer.from(text) })
  const entities = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('')
  return [
    { id: 'sen2-billion-laughs', ...xml('laughs.xml', `<?xml version="1.0"?><!DOCTYPE Message [${entities}]><Message>&lol9;</Message>`), message: /document type/i },
    { id: 'sen2-outside-entity', ...xml('xxe.xml', '<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]><Message>&x;</Message>'), message: /document type/i },
    { id: 'sen2-undefined-entity', ...xml('entity.xml', `${header}<Person><UPN>&x;</UPN></Person></Persons></Message>`), message: /entity|not XML/i },
    { id: 'sen2-nested-100000-deep', ...xml('deep.xml', header + '<a>'.repeat(100000)), message: /nested|deep/i },
    { id: 'sen2-element-of-8-MB', ...xml('giant.xml', `${header}<Person><UPN>${'A'.repeat(8 * 1048576)}</UPN></Person></Persons></Message>`), expect: [422], expectText: /characters|long|cannot be imported|not XML/i },
    { id: 'sen2-another-authority', ...xml('walsall.xml', `${header.replace('<LEA>336', '<LEA>335')}</Persons></Message>`), message: /authority 335/ },
    { id: 'sen2-impossible-dates-and-codes', ...xml('dates.xml', `${header}<Person><UPN>A123456789012</UPN><Requests><ReceivedDate>2024-02-30</ReceivedDate><RequestOutcome>Y</RequestOutcome></Requests><Requests><ReceivedDate>2024-03-01</ReceivedDate><RequestOutcome>Q</RequestOutcome></Requests></Person></Persons></Message>`), expect: [422], expectText: /ReceivedDate[\s\S]*RequestOutcome|RequestOutcome[\s\S]*ReceivedDate/ },
    { id: 'sen2-spreadsheet-instead', name: 'plan.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: Buffer.from('PK\u0003\u0004 not xml at all'), message: /not XML|not an SEN2 return/i },
    { id: 'empty-file', name: 'empty.xml', type: 'application/xml', bytes: Buffer.alloc(0), message: /not an SEN2 return|select/i },
    { id: 'file-of-33-MB-over-the-upload-limit', name: 'huge.xml', type: 'application/xml', bytes: Buffer.alloc(33 * 1048576, 0x20), expect: [413], expectText: /32 MB/ }
  ]
}

// Valid values for an upload form's own fields, so the file is what is judged.
const UPLOAD_FIELDS = { title: 'Hostile survey', period: '2023' }
const VALID_FILES = {
  // A 1-pixel PNG logo.
  '/p/N/public-profile': { name: 'logo.png', type: 'image/png', bytes: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64') },
  '/p/N/plans/N/surveys/new': { name: 'survey.csv', type: 'text/csv', bytes: Buffer.from('Question,Answer,Percent\r\nQ1,Yes,60\r\nQ1,No,40\r\n') },
  '/p/N/measures/N/comparators/new': { name: 'dfe.csv', type: 'text/csv', bytes: corpus.dfeCsv([['2019', 'National', '', '', '60'], ['2019', 'Regional', '', '', '55'], ['2019', 'Local authority', 'E08000031', 'Wolverhampton', '50']]) }
}

// ---------------------------------------------------------------------------------------

// A person's own account and signing out come last: the hostile posts there use up the
// account's sign-in attempts (a wrong current password counts), and a sign-out that
// works ends the session.
const lastOf = route => /^\/sign-out/.test(route.pattern) ? 2 : /^\/account/.test(route.pattern) ? 1 : 0
const signedInRoutes = () => [...S.routes.values()].filter(r => !r.anonymous).sort((a, b) => lastOf(a) - lastOf(b))

test('slow and half-sent connections are opened, to be judged after everything else', async () => {
  // Started now and awaited in the last test but one, so their waits overlap the rest.
  const manager = S.clients.manager
  const route = S.routes.get('/p/N/people/new')
  const form = parseForms((await manager.get(route.page)).text).find(f => pattern(f.path) === route.pattern)
  stalls.push(stall('form body sent slowly (408 after 30 s)', {
    request: `POST ${form.action} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${manager.cookies()}\r\nContent-Type: ${FORM}\r\nContent-Length: 1000\r\n\r\n_csrf=`,
    expect: ({ data, seconds }) => /^HTTP\/1\.1 408/.test(data) && seconds >= 25 && seconds <= 40 ? null : `answered ${JSON.stringify(data.slice(0, 40))} after ${seconds.toFixed(1)} s, not 408 after 30 s`
  }))
  stalls.push(stall('half a header, then nothing (closed within 10-13 s)', {
    request: 'POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty',
    expect: ({ seconds, closed }) => closed && seconds >= 8 && seconds <= 13 ? null : `closed ${closed} after ${seconds.toFixed(1)} s`
  }))
  stalls.push(stall('a header line every second (slowloris; closed within 10-13 s)', {
    request: 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n',
    drip: 'X-Slow: 1\r\n',
    expect: ({ seconds, closed }) => closed && seconds >= 8 && seconds <= 13 ? null : `closed ${closed} after ${seconds.toFixed(1)} s`
  }))
})

// A raw connection that sends `request` and then nothing (or `drip` every second), and
// reports what came back and when the server closed it.
function stall (name, { request, drip, expect }) {
  const port = Number(new URL(S.base).port)
  const started = performance.now()
  let data = ''
  let timer = null
  const socket = net.connect(port, '127.0.0.1', () => {
    socket.write(request)
    if (drip) timer = setInterval(() => { if (!socket.destroyed) socket.write(drip) }, 1000)
  })
  socket.on('data', chunk => { data += chunk })
  const result = new Promise(resolve => {
    const finish = closed => {
      clearInterval(timer)
      const seconds = (performance.now() - started) / 1000
      resolve({ name, problem: expect({ data, seconds, closed }), seconds, data: data.slice(0, 60) })
    }
    socket.on('close', () => finish(true))
    socket.on('error', () => {})
    setTimeout(() => { socket.destroy(); finish(false) }, 45000)
  })
  return { name, result, cancel: () => { clearInterval(timer); socket.destroy() } }
}

test('every upload route refuses hostile files as its least-privileged role', async () => {
  const uploads = signedInRoutes().filter(r => r.multipart)
  assert.equal(uploads.length, 8, `upload routes found: ${uploads.map(r => r.pattern).join(', ')}`)
  for (const route of uploads) await guarded('uploads', route, () => uploadCases(route))
  report('uploads')
})

async function uploadCases (route) {
  // The DfE comparator form reads any file as CSV text, so it says "no column" where the
  // spreadsheet forms name the limit; files shaped for a route are judged by what they say.
  // The logo form reads images and says so in its own words.
  const spreadsheets = !/comparators|public-profile|local-offer|casework/.test(route.pattern)
  // The SEN2 return form reads XML of up to 32 MB: it has its own hostile files.
  const files = /casework/.test(route.pattern)
    ? caseworkFiles().map(f => ({ ...f, shaped: true }))
    : [...S.files, ...shapedFiles(route).map(f => ({ ...f, shaped: true }))]
  for (const file of files) {
    const form = await openForm(route)
    const pairs = withValues(validPairs(route, form).filter(([k]) => k !== 'file'), Object.fromEntries(Object.entries(UPLOAD_FIELDS).filter(([k]) => form.fields.some(f => f.name === k))))
    const mayAccept = !!file.mayAccept
    await attempt('uploads', route, file.id, () => postMultipart(route, form, pairs, file), {
      invalid: file.expect || mayAccept ? [] : ['file'],
      names: file.expect ? [] : ['file'],
      message: spreadsheets || file.shaped ? file.message : null,
      expect: file.expect,
      expectText: file.expectText,
      mayAccept
    }, async r => {
      // Taken (only where a file may be): what it stored holds what was sent, and no NUL.
      const to = r.headers.location
      const page = to ? await route.client.get(to) : r
      const problems = []
      if ((page.text || '').includes('\u0000')) problems.push(`a NUL byte from the file reached ${to || 'the page'}`)
      if (file.shows && !unescapeHtml(page.text || '').includes(file.shows)) problems.push(`${to} does not show the text of the file as it was (${JSON.stringify(file.shows)})`)
      return { problems }
    })
  }
  // The form's own text fields, with a valid file.
  const valid = VALID_FILES[route.pattern]
  if (!valid) return
  for (const c of corpus.textCases) {
    const form = await openForm(route)
    const targets = fieldsOf(route, form, 'free', 'text')
    if (!targets.length) continue
    const values = Object.fromEntries(targets.map(f => [f.name, c.bytes || c.value]))
    const pairs = withValues(withValues(validPairs(route, form), UPLOAD_FIELDS), values)
    await attempt('uploads', route, `field ${c.id}`, () => postMultipart(route, form, pairs, valid), {
      invalid: c.verdict === 'invalid' ? targets.map(f => f.name) : [], message: c.message, messageFor: c.verdict === 'invalid' ? targets.filter(f => kindOf(route, f) === 'free').map(f => f.name) : [], mayAccept: true
    }, roundTrip(route, targets.map(f => ({ name: f.name, stored: storedForms(c.value, c.alsoStored) }))))
  }
}

// Runs one route's cases; a route that cannot be run at all is a failure, and the others
// still run.
async function guarded (phase, route, run) {
  try {
    await run()
  } catch (e) {
    S.failures.push({ phase, route: route.pattern, role: route.role, case: '(the route)', problem: `could not run its cases: ${e.message}` })
  }
}

test('every form route refuses hostile fields as its least-privileged role, or stores strange text exactly', async () => {
  for (const route of signedInRoutes().filter(r => !r.multipart)) await guarded('forms', route, () => fieldCases('forms', route))
  report('forms')
})

async function fieldCases (phase, route) {
  const form0 = await openForm(route)
  const has = (...kinds) => form0.fields.some(f => kinds.includes(kindOf(route, f)))
  const send1 = values => async () => {
    const form = await openForm(route)
    return postPairs(route, form, withValues(validPairs(route, form), values))
  }
  const targetsFor = (form, kinds) => fieldsOf(route, form, ...kinds)

  // Text: every text field at once, then one field at a time with the rest valid.
  if (has('free', 'text', 'password')) {
    for (const c of corpus.textCases) {
      const targets = targetsFor(form0, ['free', 'text', 'password', 'period', 'targets'])
      const value = c.bytes || c.value
      const invalid = c.verdict === 'invalid' ? targets.filter(f => kindOf(route, f) !== 'password').map(f => f.name) : []
      // Very long text in every field of a big form is over the form limit: that is a
      // refusal too, but it is the one-field case that tests the field.
      await attempt(phase, route, `all fields: ${c.id}`, send1(Object.fromEntries(targets.map(f => [f.name, value]))), {
        invalid, message: c.message, messageFor: invalid.filter(n => targets.some(f => f.name === n && kindOf(route, f) === 'free')), mayAccept: true
      }, roundTrip(route, targets.map(f => ({ name: f.name, stored: storedForms(c.value, c.alsoStored) }))))
      const one = [fieldsOf(route, form0, 'free').find(f => f.kind !== 'textarea'), fieldsOf(route, form0, 'free').find(f => f.kind === 'textarea')].filter(Boolean)
      for (const f of one) {
        await attempt(phase, route, `${f.name}: ${c.id}`, send1({ [f.name]: value }), {
          invalid: c.verdict === 'invalid' ? [f.name] : [], message: c.message, mayAccept: true
        }, roundTrip(route, [{ name: f.name, stored: storedForms(c.value, c.alsoStored) }]))
      }
    }
    // A JSON document nested 100,000 deep, as the text of one field.
    const first = fieldsOf(route, form0, 'free', 'text')[0]
    if (first) {
      await attempt(phase, route, `${first.name}: JSON nested 100,000 deep`, send1({ [first.name]: corpus.deepJson() }), {
        invalid: [first.name], message: /characters or fewer|at most|too long/i, expect: route.anonymous ? [413] : null
      })
    }
  }
  // Emails.
  for (const f of fieldsOf(route, form0, 'email')) {
    for (const c of corpus.emailCases) {
      await attempt(phase, route, `${f.name}: ${c.id}`, send1({ [f.name]: c.value }), {
        invalid: c.verdict === 'invalid' ? [f.name] : [], mayAccept: true
      }, roundTrip(route, [{ name: f.name, stored: storedForms(c.value) }]))
    }
  }
  // Numbers, in every number field and every box of every date.
  if (has('number', 'whole', 'datePart')) {
    for (const c of corpus.numberCases) {
      const targets = targetsFor(form0, ['number', 'whole', 'datePart'])
      const invalid = targets.filter(f => c.verdict[kindOf(route, f)] === 'invalid').map(f => f.name)
      await attempt(phase, route, `numbers: ${c.id}`, send1(Object.fromEntries(targets.map(f => [f.name, c.value]))), { invalid, mayAccept: true })
    }
  }
  // Impossible dates, one date at a time.
  const dates = [...new Set(fieldsOf(route, form0, 'datePart').map(f => f.name.replace(/-(day|month|year)$/, '')))]
  for (const date of dates) {
    for (const c of corpus.dateCases) {
      await attempt(phase, route, `${date}: ${c.id}`, send1({ [`${date}-day`]: c.day, [`${date}-month`]: c.month, [`${date}-year`]: c.year }), {
        invalid: [`${date}-day`]
      })
    }
  }
  // Periods and targets written as text.
  for (const f of fieldsOf(route, form0, 'period')) {
    for (const value of corpus.periodCases) {
      await attempt(phase, route, `${f.name}: ${value}`, send1({ [f.name]: value, value: '5' }), { invalid: [f.name] })
    }
  }
  for (const f of fieldsOf(route, form0, 'targets')) {
    for (const line of corpus.targetLineCases) {
      await attempt(phase, route, `${f.name}: ${line}`, send1({ [f.name]: line }), { invalid: [f.name] })
    }
  }
  // Choices that are not on the list (a radio, a select, a list of ids).
  for (const f of fieldsOf(route, form0, 'choice').slice(0, 6)) {
    const ids = f.options.length && f.options.filter(o => o.value !== '').every(o => /^\d+$/.test(o.value))
    // A box ticked alone says yes or no; the import check page takes an unknown column as
    // "not in this spreadsheet" and shows it (nothing is stored until the import).
    const boolean = (f.kind === 'checkbox' && f.options.length === 1) || /^map-/.test(f.name)
    for (const value of corpus.choiceCases.filter(v => v !== '-1' || ids)) {
      await attempt(phase, route, `${f.name}: ${value}`, send1({ [f.name]: value }), {
        invalid: boolean ? [] : [f.name], mayAccept: boolean
      })
    }
  }
  // Hidden fields with something else in them: refused, or harmless.
  for (const f of fieldsOf(route, form0, 'hidden')) {
    await attempt(phase, route, `hidden ${f.name}: 99999999999999999999999`, send1({ [f.name]: '99999999999999999999999' }), { mayAccept: true })
  }
}

test('posts that break the rules of the transport are refused before anything is done', async () => {
  for (const route of signedInRoutes()) {
    await guarded('transport', route, () => route.multipart ? uploadTransport(route) : formTransport(route, 'transport'))
  }
  report('transport')
})

async function formTransport (route, phase) {
  const limit = route.anonymous ? 16 * 1024 : 256 * 1024
  const limitText = route.anonymous ? /16 KB/ : /256 KB/
  const form0 = await openForm(route)
  const go = build => async () => { const form = await openForm(route); return build(form, baselinePairs(form)) }
  await attempt(phase, route, `form over the limit (${(limit + 44 * 1024) / 1024} KB)`, go((form, pairs) =>
    postPairs(route, form, [...pairs, ['filler', 'x'.repeat(limit + 44 * 1024)]])), { expect: [413], expectText: limitText })
  await attempt(phase, route, 'form over the limit, chunked (no length given)', go((form, pairs) =>
    postPairs(route, form, [...pairs, ['filler', 'x'.repeat(limit + 44 * 1024)]], { chunked: true, pauseAfter: limit + 16 * 1024 })), { expect: [413], expectText: limitText })
  await attempt(phase, route, 'multipart to a form that takes no file', go((form, pairs) =>
    postMultipart(route, form, pairs, { name: 'a.csv', type: 'text/csv', bytes: Buffer.from('Period,Value\n') })), { expect: [400], expectText: /does not take files/i })
  await attempt(phase, route, 'CSRF token forged', go((form, pairs) => postPairs(route, form, withValues(pairs, { _csrf: 'f'.repeat(64) }))), { expect: [403] })
  await attempt(phase, route, 'JSON body nested 100,000 deep', go((form) =>
    postPairs(route, form, [], { type: 'application/json', body: corpus.deepJson() })), { expect: route.anonymous ? [413] : null })
  if (!route.anonymous) {
    await attempt(phase, route, 'no one-time token', go((form, pairs) => postPairs(route, form, pairs, { path: form.path })), { expect: [403] })
    await attempt(phase, route, 'one-time token of 5,000 characters', go((form, pairs) => postPairs(route, form, pairs, { path: `${form.path}?_once=${'a'.repeat(5000)}` })), { expect: [403] })
    const text = fieldsOf(route, form0, 'free', 'text')[0]
    if (text) {
      await attempt(phase, route, 'a field repeated 10,000 times', go((form) =>
        postPairs(route, form, [...validPairs(route, form).filter(([k]) => k !== text.name), ...Array.from({ length: 10000 }, () => [text.name, 'x'])])),
      { mayAccept: true }, roundTrip(route, [{ name: text.name, stored: storedForms('x') }]))
      await attempt(phase, route, '10,000 fields no form has', go((form) =>
        postPairs(route, form, [...validPairs(route, form), ...Array.from({ length: 10000 }, (_, i) => [`f${i}`, '1'])])), { mayAccept: true })
    } else {
      // A form with nothing to type (remove, sign out, send again) would be done: the same
      // bodies with a forged token are read in full and refused.
      await attempt(phase, route, 'a field repeated 10,000 times (token forged)', go((form, pairs) =>
        postPairs(route, form, [...withValues(pairs, { _csrf: 'f'.repeat(64) }), ...Array.from({ length: 10000 }, () => ['repeated', 'x'])])), { expect: [403] })
      await attempt(phase, route, '10,000 fields no form has (token forged)', go((form, pairs) =>
        postPairs(route, form, [...withValues(pairs, { _csrf: 'f'.repeat(64) }), ...Array.from({ length: 10000 }, (_, i) => [`f${i}`, '1'])])), { expect: [403] })
    }
  }
  // The form's own fields with another content type: refused, or (where the form has no
  // fields, as signing out) done. Last, as signing out is then done.
  await attempt(phase, route, 'form sent as text/plain', go((form, pairs) => postPairs(route, form, pairs, { type: 'text/plain' })), { mayAccept: true, signOut: route.pattern === '/sign-out' })
}

async function uploadTransport (route) {
  const phase = 'transport'
  const go = build => async () => { const form = await openForm(route); return build(form, baselinePairs(form)) }
  const small = { name: 'a.csv', type: 'text/csv', bytes: Buffer.from('Period,Value\r\n2023-01,5\r\n') }
  await attempt(phase, route, 'urlencoded to an upload form', go((form, pairs) => postPairs(route, form, pairs)), { expect: [400], expectText: /multipart/i })
  // The SEN2 return form takes up to 32 MB; every other upload form 10 MB.
  const limitMB = /casework/.test(route.pattern) ? 32 : 10
  const huge = limitMB === 32 ? caseworkFiles().find(f => /33-MB/.test(f.id)) : S.files.find(f => /11-MB/.test(f.id))
  await attempt(phase, route, `upload of ${limitMB + 1} MB, chunked (no length given)`, go((form, pairs) => postMultipart(route, form, pairs, huge, { chunked: true, pauseAfter: limitMB * 1048576 + 96 * 1024 })), { expect: [413], expectText: new RegExp(`${limitMB} MB`) })
  await attempt(phase, route, 'CSRF token after the file', go((form, pairs) => {
    const boundary = `hostile${randomOnce()}`
    const body = corpus.multipart(boundary, [{ name: 'file', filename: small.name, type: small.type, value: small.bytes }, ...pairs.map(([name, value]) => ({ name, value }))])
    return postMultipart(route, form, null, null, { prebuilt: { boundary, body } })
  }), { expect: [403] })
  await attempt(phase, route, 'CSRF token forged', go((form, pairs) => postMultipart(route, form, withValues(pairs, { _csrf: 'f'.repeat(64) }), small)), { expect: [403] })
  await attempt(phase, route, 'no one-time token', go((form, pairs) => postMultipart(route, form, pairs, small, { path: form.path })), { expect: [403] })
  await attempt(phase, route, '40 fields', go((form, pairs) => postMultipart(route, form, [...pairs, ...Array.from({ length: 40 }, (_, i) => [`f${i}`, '1'])], small)), { expect: [400], expectText: /32 fields/ })
  await attempt(phase, route, 'a text field of 100 KB', go((form, pairs) => postMultipart(route, form, [...pairs, ['title', 'x'.repeat(100 * 1024)]], small)), { expect: [413] })
  await attempt(phase, route, 'multipart without a boundary', go((form, pairs) =>
    route.client.request(form.action, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: encodeForm(pairs) })), { expect: [400] })
  await attempt(phase, route, 'multipart cut off before its end', go((form, pairs) => {
    const { boundary, body } = multipartOf(pairs, small)
    return postMultipart(route, form, null, null, { prebuilt: { boundary, body: body.subarray(0, body.length - boundary.length - 8) } })
  }), { expect: [400] })
  await attempt(phase, route, '70-character boundary and 7 MB of near-boundaries', go((form, pairs) => {
    const csrf = pairs.find(([k]) => k === '_csrf')[1]
    return postMultipart(route, form, null, null, { prebuilt: corpus.pathologicalMultipart(csrf, 7) })
  }), { within: 10000 })
  await attempt(phase, route, 'the same 7 MB, signed out', go((form) =>
    postMultipart(route, form, null, null, { prebuilt: corpus.pathologicalMultipart('x', 7), noCookie: true })), { expect: [403], within: 2000 })
  if (route.role !== 'viewer') {
    const { boundary, body } = corpus.pathologicalMultipart('x', 7)
    await attempt(phase, route, 'the same 7 MB, from a viewer', () => S.clients.viewer.request(`${route.form.path}?_once=${randomOnce()}`, {
      method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body
    }), { expect: [403], within: 2000 })
  }
}

test('forms sent before signing in refuse hostile fields and bodies', async () => {
  const anonymous = [...S.routes.values()].filter(r => r.anonymous)
  assert.ok(anonymous.length >= 3, `forms before sign-in found: ${anonymous.map(r => r.pattern).join(', ')}`)
  for (const route of anonymous) {
    await guarded('before sign-in', route, () => fieldCases('before sign-in', route))
    await guarded('before sign-in', route, () => formTransport(route, 'before sign-in'))
  }
  report('before sign-in')
})

test('a report asked for with an impossible date is refused', async () => {
  const route = { pattern: '/p/N/plans/N/reports/view', role: 'viewer', client: S.clients.viewer }
  for (const value of ['2022-02-30', '9999-12-31', '0000-00-00', '-1', '1e400', '%00']) {
    const path = S.reportView.replace(/as_at=[^&]*/, `as_at=${value}`)
    await attempt('reports', route, `as_at=${value}`, () => S.clients.viewer.get(path), { expect: [400] })
  }
  report('reports')
})

test('slow and half-sent requests were cut off in time', async () => {
  const results = await Promise.all(stalls.map(s => s.result))
  S.stalls = results
  for (const r of results) {
    S.cases.push({ phase: 'slow', route: 'raw connection', role: '-', case: r.name, status: r.data.slice(0, 12), ms: Math.round(r.seconds * 1000), ok: !r.problem })
    if (r.problem) S.failures.push({ phase: 'slow', route: 'raw connection', role: '-', case: r.name, problem: r.problem })
  }
  report('slow')
})

test(`the server stayed healthy: /health within ${HEALTH_LIMIT_MS} ms, peak memory under ${RSS_LIMIT_MB} MB`, async () => {
  await stopBackground()
  const final = memory()
  S.memoryAtEnd = final
  const s = summary()
  console.log(`hostile suite: ${s.cases} cases on ${s.routes} routes; peak RSS ${s.memory.peakMB} MB (VmHWM), ` +
    `RSS at start ${s.memory.startMB} MB, highest seen during the suite ${s.memory.maxSeenMB} MB; ` +
    `/health after each request p50 ${s.health.p50} ms, p99 ${s.health.p99} ms, max ${s.health.max} ms; ` +
    `background p50 ${s.background.p50} ms, p99 ${s.background.p99} ms, max ${s.background.max} ms`)
  const problems = []
  if (final.hwm / 1024 >= RSS_LIMIT_MB) problems.push(`peak resident memory (VmHWM) was ${(final.hwm / 1024).toFixed(1)} MB`)
  problems.push(...[...new Set(S.healthFailures)].slice(0, 40))
  assert.deepEqual(problems, [], problems.join('\n'))
})

function report (phase) {
  const failures = S.failures.filter(f => f.phase === phase)
  const n = S.cases.filter(c => c.phase === phase).length
  assert.ok(n > 0, `no ${phase} cases ran`)
  assert.deepEqual(failures.map(f => `${f.route} as ${f.role}, ${f.case}: ${f.problem}`), [],
    `${failures.length} of ${n} ${phase} cases failed:\n` + failures.map(f => `  ${f.route} as ${f.role}, ${f.case}: ${f.problem}`).join('\n'))
}

function percentile (values, p) {
  if (!values.length) return null
  const sorted = [...values].sort((a, b) => a - b)
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)].toFixed(1))
}

function summary () {
  const slowest = [...S.cases].filter(c => c.phase !== 'slow').sort((a, b) => b.ms - a.ms).slice(0, 5)
  const routes = new Set(S.cases.filter(c => c.route !== 'raw connection').map(c => c.route))
  const mb = kb => kb ? Number((kb / 1024).toFixed(1)) : null
  return {
    date: new Date().toISOString(),
    binary: BIN,
    serverEnv: SERVER_ENV,
    cases: S.cases.length,
    routes: routes.size,
    routeList: [...S.routes.values()].map(r => ({ pattern: r.pattern, role: r.role, page: r.page, upload: !!r.multipart })),
    byPhase: Object.fromEntries([...new Set(S.cases.map(c => c.phase))].map(p => [p, S.cases.filter(c => c.phase === p).length])),
    throttled: S.cases.filter(c => c.throttled).length,
    pagesCrawled: S.pagesCrawled,
    setupSeconds: S.setupSeconds,
    corpusSeconds: S.corpusSeconds,
    bombMegabytes: BOMB_MB,
    memory: {
      startMB: mb(S.memoryAtStart?.rss),
      startPeakMB: mb(S.memoryAtStart?.hwm),
      afterSetupMB: mb(S.memoryAfterSetup?.rss),
      maxSeenMB: mb(Math.max(0, ...S.rss)),
      peakMB: mb((S.memoryAtEnd || (S.pid && safeMemory()) || {}).hwm),
      limitMB: RSS_LIMIT_MB
    },
    health: { count: S.health.length, p50: percentile(S.health, 50), p99: percentile(S.health, 99), max: percentile(S.health, 100), limitMs: HEALTH_LIMIT_MS },
    background: { count: S.background.length, p50: percentile(S.background, 50), p99: percentile(S.background, 99), max: percentile(S.background, 100) },
    healthFailures: [...new Set(S.healthFailures)],
    slowest,
    largestMemory: [...S.cases].filter(c => c.rssMB).sort((a, b) => b.rssMB - a.rssMB).slice(0, 5),
    slowestHealth: [...S.cases].filter(c => c.healthMs).sort((a, b) => b.healthMs - a.healthMs).slice(0, 5),
    stalls: S.stalls || [],
    allCases: S.cases,
    failures: S.failures,
    warnings: [...new Set(S.warnings)]
  }
}

function safeMemory () { try { return memory() } catch { return null } }
