// Several servers, one PostgreSQL (issue 12, item 7): two sendplan servers on one database,
// both with the real test SMTP server and the reminder scheduler running every second, so
// their schedulers race for one outbox. A mixed load of reads and progress updates goes to
// both; one is killed with SIGKILL midway and the load carries on against the survivor.
// Then: no acknowledged update is lost or posted twice (forms are read from one server and
// posted to the other, some twice), no page read from one server right after the other
// acknowledged a write is older than it, wrong passwords for one account spread over both
// servers meet one limit, not one per server, and no email is delivered twice: an email
// the killed server was sending when it died is marked "perhaps not sent", never resent.
//
// Needs PostgreSQL (SENDPLAN_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/
// postgres; a fresh database is made and dropped) and python3-aiosmtpd. It fails, never
// skips, without them. SERVERS_CLIENTS and SERVERS_SECONDS change the load (16 clients,
// 40 seconds).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  repo, startSendplan, sendplanCommand, createPostgresDatabase, psql, startMail, Client,
  discover, errorMessage, startLoad, verifyAcknowledged
} from '../lib/load.mjs'

const CLIENTS = Number(process.env.SERVERS_CLIENTS || 16)
const SECONDS = Number(process.env.SERVERS_SECONDS || 40)
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

// The per-account sign-in limit, as the domain declares it.
const accounts = readFileSync(join(repo, 'crates', 'domain', 'src', 'accounts.rs'), 'utf8')
const SIGN_IN_PER_ACCOUNT = Number(accounts.match(/SIGN_IN_PER_ACCOUNT: Limit = Limit \{\s*attempts: (\d+)/)[1])

let db
let mailDir
let mail
let a
let b
let seededAfterA

const count = sql => Number(psql(db.url, sql))
const seedCounts = () => ({
  partnerships: count('SELECT count(*) FROM partnerships'),
  plans: count('SELECT count(*) FROM plans'),
  actions: count('SELECT count(*) FROM actions'),
  updates: count('SELECT count(*) FROM updates'),
  users: count('SELECT count(*) FROM users')
})

before(async () => {
  db = createPostgresDatabase('sendplan_servers')
  mailDir = mkdtempSync(join(tmpdir(), 'sendplan-servers-smtp-'))
  mail = await startMail(mailDir)
  const env = {
    ...mail.env,
    SENDPLAN_REMINDER_INTERVAL: '1',
    SENDPLAN_BASE_URL: 'https://send.example.org',
    // The servers stand behind a load balancer on 127.0.0.1: each client has its address.
    SENDPLAN_TRUSTED_PROXIES: '127.0.0.1',
    SENDPLAN_LOG: 'info'
  }
  a = await startSendplan({ databaseUrl: db.url, demo: true, env, name: 'A' })
  seededAfterA = seedCounts()
  // The second server starts on the seeded database, with --demo as well.
  b = await startSendplan({ databaseUrl: db.url, demo: true, env, name: 'B' })
})

after(async () => {
  await a?.stop().catch(() => {})
  await b?.stop().catch(() => {})
  await mail?.stop().catch(() => {})
  if (mailDir) rmSync(mailDir, { recursive: true, force: true })
  db?.drop()
})

// A signed-in client for checks and set-up, at its own client address.
async function admin (server, address, password = b.password) {
  const client = new Client(server, { address })
  const r = await client.signIn(server.email, password)
  assert.equal(r.status, 303, `the demo account signs in on ${server.name}: ${r.status} ${errorMessage(r.text)}`)
  return client
}

test('a second server started with --demo on the seeded database neither seeds again nor fails', async t => {
  assert.deepEqual(seedCounts(), seededAfterA, 'the second --demo start added nothing')
  assert.equal(seededAfterA.partnerships, 5, "the four seed plans and Oxfordshire's history")
  assert.equal(count("SELECT count(*) FROM users WHERE email = 'demo@sendplan.invalid'"), 1)
  // Each start gives the demo account a new password (and ends its sessions): the one the
  // second server printed works on both servers; the first server's no longer does.
  await admin(a, '10.199.0.1')
  await admin(b, '10.199.0.2')
  const old = new Client(a, { address: '10.199.0.3' })
  const r = await old.signIn(a.email, a.password)
  t.diagnostic(`the first server's printed demo password after the second started: ${r.status === 303 ? 'still works' : 'refused (each --demo start resets it)'}`)
})

test('two servers on one PostgreSQL: a mixed load, one killed with SIGKILL midway', async t => {
  const setup = await admin(a, '10.200.0.1')
  const targets = await discover(setup)
  t.diagnostic(`${targets.plans.length} plans, ${targets.actions.length} actions; public pages ${targets.plans.map(p => p.publicPath).join(', ')}`)
  assert.ok(targets.actions.length >= CLIENTS, 'enough actions for each client to own its own')

  // Reminders on for every plan (through alternate servers), due soon enough that some go
  // out at once: both schedulers (every second) now race to queue and send them.
  const setups = [setup, await admin(b, '10.200.0.2')]
  for (const [k, plan] of targets.plans.entries()) {
    const r = await setups[k % 2].submit(`${plan.path}/reminders/settings`, 'days_before_board',
      { enabled: ['yes'], days_before_board: '60', milestone_days: '90', stale: ['yes'] })
    assert.equal(r.status, 303, `reminders on for ${plan.path}: ${r.status} ${r.text && errorMessage(r.text)}`)
  }

  const runId = Date.now().toString(36)
  const load = startLoad({ servers: [a, b], clients: CLIENTS, seconds: SECONDS, email: b.email, password: b.password, targets, runId })
  let inviting = true
  let invitations
  // Whatever fails below, the load and the invitations stop, so the test ends.
  t.after(async () => {
    load.stop()
    inviting = false
    await Promise.allSettled([load.done, invitations])
  })
  while (!load.started) {
    await Promise.race([sleep(100), load.done])
  }

  // Invitations all the while, through both servers: each is one email through the outbox.
  const invited = []
  let inviteError
  invitations = (async () => {
    const clients = [setups[0], setups[1]]
    for (let n = 1; inviting; n++) {
      const client = clients[n % 2]
      const server = client.server.state === 'up' ? client.server : b
      const email = `invitee-${runId}-${n}@example.org`
      const r = await clients[n % 2].submit(`/p/${targets.plans[0].pid}/invitations/new`, 'email',
        form => ({ email, role: form.fields.find(f => f.name === 'role' && /viewer/i.test(`${f.value} ${f.label}`)).value }),
        { server, kind: 'invite' })
      if (r.status === 303) invited.push({ email, server: server.name })
      else if (!(r.status === 0 && server.state !== 'up')) {
        inviting = false
        throw new Error(`inviting ${email} on ${server.name}: ${r.status} ${r.error || errorMessage(r.text)}`)
      }
      await sleep(400)
    }
  })().catch(error => { inviteError = error })

  // Wrong passwords for one account, spread over both servers at once, each from its own
  // address: the account's limit holds in total, not per server.
  const victim = `throttle-${runId}@example.org`
  sendplanCommand({ databaseUrl: db.url, args: ['user', 'add', victim, '--name', 'Throttle Check', '--role', 'viewer', '--partnership', String(targets.plans[0].pid)], input: 'correct horse battery staple 42\n' })
  const guesses = await Promise.all(Array.from({ length: 12 }, async (_, k) => {
    const client = new Client(k % 2 ? b : a, { address: `10.250.0.${k + 1}` })
    const r = await client.signIn(victim, `wrong guess number ${k}`)
    return { server: client.server.name, status: r.status, message: errorMessage(r.text) }
  }))
  const checked = guesses.filter(g => /correct email address and password/.test(g.message))
  const throttled = guesses.filter(g => /too many attempts/i.test(g.message))
  t.diagnostic(`12 wrong passwords over both servers: ${checked.length} checked (${checked.map(g => g.server).join('')}), ${throttled.length} refused as too many`)
  assert.equal(checked.length + throttled.length, 12, `every guess was refused: ${JSON.stringify(guesses)}`)
  assert.ok(checked.length <= SIGN_IN_PER_ACCOUNT, `at most ${SIGN_IN_PER_ACCOUNT} passwords were checked across both servers, not ${checked.length}`)
  for (const [k, server] of [a, b].entries()) {
    const r = await new Client(server, { address: `10.251.0.${k + 1}` }).signIn(victim, 'correct horse battery staple 42')
    assert.notEqual(r.status, 303, `the locked account cannot sign in on ${server.name} even with its password`)
    assert.match(errorMessage(r.text), /too many attempts/i)
  }

  // Midway, server A dies the hard way; its clients carry on against B.
  await Promise.race([sleep(SECONDS * 500 - (Date.now() - Date.parse(load.snapshot().loadStartedAt))), load.done])
  const beforeKill = load.snapshot()
  const killedAt = Date.now()
  await a.killHard()
  t.diagnostic(`killed A after ${beforeKill.writes} acknowledged updates (${beforeKill.acks.filter(x => x.server === 'A').length} by A), ${beforeKill.reads} reads`)
  const result = await load.done
  inviting = false
  await invitations
  assert.equal(inviteError, undefined, 'every invitation was acknowledged')

  t.diagnostic(`load: ${result.requests} requests in ${result.seconds.toFixed(1)} s: ${result.reads} reads, ${result.writes} acknowledged updates, ${result.checks} read-backs, ${result.replays} forms sent again (answers ${JSON.stringify(result.replayStatuses)}), ${result.killed} cut by the kill; reads p50/p95/p99 ${result.reads_latency.p50}/${result.reads_latency.p95}/${result.reads_latency.p99} ms, updates ${result.writes_latency.p50}/${result.writes_latency.p95}/${result.writes_latency.p99} ms`)
  assert.deepEqual(result.errors, [], `${result.errorCount} errors under load`)
  assert.ok(result.writes > 20, `only ${result.writes} updates were acknowledged`)
  assert.ok(result.acks.some(x => x.server === 'A') && result.acks.some(x => x.server === 'B'), 'both servers acknowledged updates')
  // A's clients carried on with B, in the sessions they had signed in to on A.
  assert.ok(result.acks.some(x => x.server === 'B' && x.at > killedAt && x.client % 2 === 0), 'the survivor acknowledged updates from the killed server\'s clients after the kill')
  assert.deepEqual(result.stale, [], 'no page read right after an acknowledged update was older than it')

  // Every acknowledged update is there, read through the survivor.
  const verifier = await admin(b, '10.200.0.9')
  const verified = await verifyAcknowledged(verifier, result.acks, [b])
  assert.deepEqual(verified.failures, [])
  assert.deepEqual(verified.missing, [], `${verified.missing.length} of ${verified.checked} acknowledged updates are missing`)
  assert.deepEqual(verified.duplicated, [], 'no update was posted twice (forms read from one server, posted to the other, some sent again)')
  assert.ok(result.replays > 0, 'some forms were sent twice')

  // The outbox drains, bar what the killed server had claimed (a claim lasts 10 minutes).
  const outbox = () => psql(db.url, 'SELECT id, purpose, to_email, sent_at IS NOT NULL, failed_at IS NOT NULL, claimed_until FROM outbox ORDER BY id')
    .split('\n').filter(Boolean).map(line => {
      const [id, purpose, to, sent, failed, claimedUntil] = line.split('|')
      return { id: Number(id), purpose, to, sent: sent === 't', failed: failed === 't', claimed: claimedUntil !== '' }
    })
  const drained = async (settled, what) => {
    for (let i = 0; i < 60; i++) {
      const rows = outbox()
      if (rows.every(settled)) return rows
      await sleep(500)
    }
    assert.fail(`the outbox did not drain (${what}): ${JSON.stringify(outbox().filter(r => !settled(r)))}`)
  }
  const messageIds = () => mail.messages().map(m => m.messageId)
  const outboxId = messageId => Number(messageId?.match(/^<sendplan-[a-z-]+-(\d+)@/)?.[1])
  await drained(r => r.sent || r.failed || r.claimed, 'bar claimed emails')
  // What the survivor is sending now is done in a moment; what is still claimed then is
  // the killed server's.
  await sleep(3000)
  let rows = outbox()
  const held = rows.filter(r => !r.sent && !r.failed)
  const heldDelivered = held.filter(r => messageIds().some(id => outboxId(id) === r.id))
  t.diagnostic(`outbox: ${rows.length} emails (${rows.filter(r => r.purpose === 'reminder').length} reminders), ${rows.filter(r => r.sent).length} sent, ${held.length} left claimed by the killed server (${heldDelivered.length} of them already accepted by the mail server); the mail server accepted ${messageIds().length}`)
  assert.ok(held.length <= 1, 'the killed server held at most the one email it was sending (it claims one at a time)')
  // Ten minutes on, the killed server's claim runs out: move it into the past rather than
  // wait. The survivor does not send that email again (the mail server may have taken it
  // already), but marks it as perhaps not sent, for its page to show.
  if (held.length) {
    psql(db.url, `UPDATE outbox SET claimed_until = '2000-01-01T00:00:00Z' WHERE id IN (${held.map(r => r.id).join(', ')})`)
    rows = await drained(r => r.sent || r.failed, 'after the killed server\'s claim ran out')
  }
  const delivered = mail.messages()
  const ids = delivered.map(m => m.messageId)
  const times = id => ids.filter(x => x === id).length
  assert.deepEqual([...new Set(ids.filter(id => times(id) > 1))], [], 'no email was delivered twice')
  const heldIds = new Set(held.map(r => r.id))
  assert.deepEqual(rows.filter(r => r.failed && !heldIds.has(r.id)), [], 'no email failed but the one the killed server was sending')
  for (const row of held) {
    const state = psql(db.url, `SELECT last_error FROM outbox WHERE id = ${row.id}`).trim()
    assert.match(state, /stopped before it could record/, `email ${row.id}, left half sent by the killed server, says why it was not sent again`)
  }
  const unsure = new Set(held.filter(r => !heldDelivered.includes(r)).map(r => r.id))
  // Each email marked sent is the one delivered; each reminder reached its person once.
  const deliveredIds = new Set(ids.map(outboxId))
  assert.deepEqual(rows.filter(r => r.sent && !deliveredIds.has(r.id)).map(r => r.id), [], 'every email marked sent reached the mail server')
  assert.equal(deliveredIds.size, rows.length - unsure.size, 'the mail server accepted no email the outbox does not hold')
  const reminders = delivered.filter(m => /sendplan-reminder-/.test(m.messageId || ''))
  assert.ok(reminders.length > 0, 'reminders were sent')
  const keys = reminders.map(m => `${m.to} | ${m.subject}`)
  assert.deepEqual(keys.filter((k, n) => keys.indexOf(k) !== n), [], 'no reminder reached the same person with the same subject twice')
  // Both schedulers sent some (each logs its rounds at info).
  const sentBy = server => [...server.log().matchAll(/ reminders .*?sent=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0)
  t.diagnostic(`emails sent by A: ${sentBy(a)}, by B: ${sentBy(b)}`)
  for (const server of [a, b]) {
    const errors = server.log().split('\n').filter(line => /\bERROR\b|panicked/.test(line))
    if (errors.length) t.diagnostic(`${server.name} logged ${errors.length} errors, the first: ${errors.slice(0, 3).join(' / ')}`)
    assert.ok(!errors.some(line => /panicked/.test(line)), `${server.name} panicked`)
  }
  // Each invitation acknowledged was emailed once (or, if it was the one the killed server
  // left half sent and the mail server had not taken, not at all, and marked so).
  assert.ok(invited.length > 10, `only ${invited.length} invitations were acknowledged`)
  const unsureTo = new Set(held.filter(r => unsure.has(r.id)).map(r => r.to))
  for (const { email, server } of invited) {
    const n = delivered.filter(m => m.rcpt.includes(email)).length
    assert.equal(n, unsureTo.has(email) ? 0 : 1, `the invitation to ${email}, acknowledged by ${server}, was delivered ${n} times`)
  }
})

// An upgrade rolled out to every server starts them at once on a database with migrations
// pending: one migrates while the others wait for it, and all of them start.
test('servers started at the same moment on a new database all start', async () => {
  const fresh = createPostgresDatabase('sendplan_together')
  const started = await Promise.allSettled([1, 2, 3].map(n =>
    startSendplan({ databaseUrl: fresh.url, name: `together-${n}` })))
  try {
    const failed = started.filter(s => s.status === 'rejected').map(s => String(s.reason).slice(0, 400))
    assert.deepEqual(failed, [], 'every server started')
    assert.equal(Number(psql(fresh.url, 'SELECT count(*) FROM schema_migrations')), Number(psql(fresh.url, 'SELECT max(version) FROM schema_migrations')), 'each migration was applied once')
  } finally {
    for (const s of started) if (s.status === 'fulfilled') await s.value.stop().catch(() => {})
    fresh.drop()
  }
})
