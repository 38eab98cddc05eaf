import { randomBytes } from 'node:crypto'
import type { SecretInput } from '../src-shared/ipc/secrets.contract'
import type { HttpMethod } from '../src-shared/types/secrets'

const VENDORS = [
  'Stripe', 'GitHub', 'Twilio', 'SendGrid', 'Slack', 'Salesforce', 'HubSpot', 'Okta', 'Auth0', 'Datadog',
  'PagerDuty', 'Shopify', 'Zendesk', 'Atlassian', 'Dropbox', 'Mailgun', 'Plaid', 'Square', 'Adyen', 'Segment',
]
const AREAS = ['payments', 'billing', 'webhooks', 'reporting', 'sync', 'export', 'import', 'search', 'analytics', 'identity']
const ENVS = ['prod', 'staging', 'dev', 'sandbox']
const TEAMS = ['platform', 'growth', 'finance', 'security', 'data', 'support', 'mobile', 'web']
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!

/**
 * The i-th realistic API secret: a vendor/area/environment name, a vendor URL, random
 * Client ID and client secret, a unique Identifier, 2-3 tags and a few sentences of notes:
 * about 500 bytes of fields. Deterministic except for the random credentials.
 */
export function realisticSecret(i: number): SecretInput {
  const vendor = pick(VENDORS, i)
  const area = pick(AREAS, Math.floor(i / VENDORS.length))
  const env = pick(ENVS, Math.floor(i / (VENDORS.length * AREAS.length)))
  const team = pick(TEAMS, i * 7 + 3)
  const slug = vendor.toLowerCase()
  return {
    name: `${vendor} ${area} ${env} ${i}`,
    url: `https://api.${slug}.com/v${1 + (i % 3)}/${area}`,
    clientId: `${slug}_${randomBytes(12).toString('hex')}`,
    clientSecret: randomBytes(30).toString('base64url'),
    identifier: `${slug}-${area}-${env}-${i}`,
    method: pick(METHODS, i),
    tags: [env, team, ...(i % 3 === 0 ? [area] : [])],
    notes:
      `Owned by the ${team} team (on-call: ${team}-oncall@example.com). Rotate every 90 days; last rotated in ticket SEC-${10_000 + (i % 90_000)}. ` +
      `Scopes: read:${area} write:${area}. Used by the ${env} ${area} service; keep in sync with the ${env} configuration repository ` +
      `and the runbook page "${vendor} ${area}". Rate limit 100 requests per second.`,
  }
}
