// A kill -9 in the middle of a stream of progress updates loses none that were
// acknowledged: every update the server answered "saved" for is there after a restart.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { startServer } from '../lib/harness.mjs'

// A tiny cookie-keeping HTTP client over fetch (no redirects followed, as a browser's
// "saved" is the 303 that the server sends only after the commit).
function client (base) {
  const jar = new Map()
  const remember = response => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const [name, value] = pair.split('=')
      jar.set(name, value)
    }
  }
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  return {
    async get (path) {
      const response = await fetch(base + path, { headers: { cookie: cookie() }, redirect: 'manual' })
      remember(response)
      return { status: response.status, text: await response.text(), location: response.headers.get('location') }
    },
    async post (path, fields) {
      const response = await fetch(base + path, {
        method: 'POST',
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual'
      })
      remember(response)
      return { status: response.status, text: await response.text(), location: response.headers.get('location') }
    }
  }
}

const csrfIn = html => html.match(/name="_csrf" value="([^"]+)"/)[1]

async function signIn (server) {
  const http = client(server.url)
  const form = await http.get('/sign-in')
  const signedIn = await http.post('/sign-in', { _csrf: csrfIn(form.text), email: server.email, password: server.password, next: '/' })
  assert.equal(signedIn.status, 303)
  return http
}

test('no acknowledged update is lost when the server is killed with SIGKILL', async () => {
  let server = await startServer()
  const dir = server.dir
  try {
    const http = await signIn(server)
    const home = await http.get('/')
    const partnership = home.location || home.text.match(/href="(\/p\/\d+)">Wolverhampton/)[1]
    const mine = await http.get(`${partnership}/my-actions`)
    const actionPath = mine.text.match(/href="(\/p\/\d+\/actions\/\d+)"/)[1]
    const form = await http.get(`${actionPath}/updates/new`)
    const csrf = csrfIn(form.text)
    const rating = form.text.match(/name="rating_id" type="radio" value="(\d+)"/)[1]
    const today = new Date()
    const acknowledged = []
    let stop = false
    const stream = (async () => {
      for (let n = 1; !stop; n++) {
        try {
          // Each sending is a new form, so it carries a new one-time token.
          const response = await http.post(`${actionPath}/updates/new?_once=durability-${n}-${Date.now()}`, {
            _csrf: csrf,
            rating_id: rating,
            narrative: `durability check ${n}`,
            'update_date-day': String(today.getUTCDate()),
            'update_date-month': String(today.getUTCMonth() + 1),
            'update_date-year': String(today.getUTCFullYear())
          })
          if (response.status === 303) acknowledged.push(n)
        } catch {
          return // the connection died with the server
        }
      }
    })()
    await new Promise(resolve => setTimeout(resolve, 1500))
    await server.killHard()
    stop = true
    await stream
    assert.ok(acknowledged.length > 5, `only ${acknowledged.length} updates were acknowledged before the kill`)

    server = await startServer(dir)
    const again = await signIn(server)
    const page = await again.get(actionPath)
    const missing = acknowledged.filter(n => !page.text.includes(`durability check ${n}<`))
    assert.deepEqual(missing, [], `acknowledged updates missing after kill -9: ${missing.join(', ')}`)
  } finally {
    await server.stop().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
})
