// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider
// (OpenID Certified), on 127.0.0.1 over plain HTTP, with one confidential client and
// accounts made up from whatever login is typed. Nothing about the protocol is mocked:
// discovery, the signing keys (a fresh RSA key each start), PKCE, state, nonce and the
// signed ID token are the provider's own.
//
// oidc-provider 8.x is pinned: 9.x warns "Unsupported runtime" below Node 22, and this
// machine runs Node 20.
//
// Accounts: the login typed is the account's subject (`sub`) and its email address, with
// email_verified true and a name made from the address ("ann.smith@example.org" is
// "Ann Smith"); except that a login starting `unverified+` (unverified+x@example.org) has
// email_verified false, so a test can check that sendplan refuses it. Any password does.
//
// The built-in development pages (devInteractions), as a browser test meets them; the
// inputs have placeholders but no labels:
//   login page:   <h1> "Sign-in"; input name="login" placeholder "Enter any login"
//                 (prefilled from login_hint); input name="password" type=password
//                 placeholder "and password"; button "Sign-in".
//                 page.getByPlaceholder('Enter any login').fill(email)
//                 page.getByPlaceholder('and password').fill('anything')
//                 page.getByRole('button', { name: 'Sign-in' }).click()
//   consent page: <h1> "Authorize", listing the scopes and claims asked for; button "Continue".
//                 page.getByRole('button', { name: 'Continue' }).click()
//   both pages:   link "[ Cancel ]" ends the sign-in with error=access_denied at the
//                 redirect URI.
// A browser context new to the provider meets both pages; one that already signed in there
// keeps its session and consent, and may be sent straight back without seeing either.
//
// By hand: `node e2e/lib/oidc-server.mjs [redirect-uri]` prints the issuer, client id and
// secret, and stays up until Ctrl-C. PORT=4000 chooses the port.
import { createServer } from 'node:http'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import Provider from 'oidc-provider'

// Starts the provider on a free port of 127.0.0.1 (or on `port`, to restart one with new
// signing keys at the same issuer). Returns { issuer, port, clientId, clientSecret,
// setRedirectUri(uri), stop() }. sendplan learns its port only once started, after the
// provider it must be told about: start the provider with any redirectUri and call
// setRedirectUri with sendplan's `${url}/sign-in/sso/callback` before the first sign-in.
export async function startOidcProvider ({ redirectUri, clientId = 'sendplan', clientSecret = 'test-secret', port = 0 }) {
  const server = createServer()
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const chosenPort = server.address().port
  const issuer = `http://127.0.0.1:${chosenPort}`
  const signingKey = freshSigningKey()
  const cookieKey = randomBytes(32).toString('hex')

  const configuration = redirectUri => ({
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      // openidconnect's default, and what sendplan uses when a provider offers it.
      token_endpoint_auth_method: 'client_secret_basic'
    }],
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Put the email and name claims in the ID token, as Entra ID does, rather than only at
    // the userinfo endpoint (which sendplan does not call).
    conformIdTokenClaims: false,
    findAccount: async (ctx, id) => ({
      accountId: id,
      async claims () {
        return { sub: id, email: id, email_verified: !id.startsWith('unverified+'), name: nameFrom(id) }
      }
    }),
    features: { devInteractions: { enabled: true } },
    jwks: { keys: [signingKey] },
    cookies: {
      keys: [cookieKey],
      // SameSite=None cookies need Secure, which plain HTTP cannot set, and Chromium drops
      // them: the session would be lost between the login and consent pages.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' }
    },
    // Seconds; set so that the provider does not print a notice for each default it uses.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 3600, Session: 3600 }
  })
  let handle
  const setRedirectUri = uri => {
    handle = new Provider(issuer, configuration(uri)).callback()
  }
  setRedirectUri(redirectUri || `${issuer}/no-redirect-uri-yet`)
  server.on('request', (request, response) => handle(request, response))

  return {
    issuer,
    port: chosenPort,
    clientId,
    clientSecret,
    // Registers the client's redirect URI anew (a fresh provider: sign-ins under way are lost).
    setRedirectUri,
    async stop () {
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  }
}

// "ann.smith+tag@example.org" -> "Ann Smith".
function nameFrom (login) {
  const local = login.split('@')[0].split('+')[0]
  const words = local.split(/[._-]+/).filter(Boolean)
  return words.map(w => w[0].toUpperCase() + w.slice(1)).join(' ') || login
}

function freshSigningKey () {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const redirectUri = process.argv[2] || 'http://127.0.0.1:3000/sign-in/sso/callback'
  const started = await startOidcProvider({ redirectUri, port: Number(process.env.PORT || 0) })
  console.log(`OpenID provider listening; issuer ${started.issuer}`)
  console.log(`client id ${started.clientId}, client secret ${started.clientSecret}, redirect URI ${redirectUri}`)
  console.log(`SENDPLAN_OIDC_ISSUER=${started.issuer} SENDPLAN_OIDC_CLIENT_ID=${started.clientId} SENDPLAN_OIDC_CLIENT_SECRET=${started.clientSecret}`)
  const quit = () => started.stop().then(() => process.exit(0))
  process.on('SIGINT', quit)
  process.on('SIGTERM', quit)
}
