import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AppKeyId } from '../../src-shared/types/app-keys'
import type { SaveFileDialog } from '../../src-main/core/ports'
import { REAUTH_WINDOW_MS } from '../../src-main/core/vault/vault.service'
import { FakeClock, PASSWORD } from '../support/vault'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'

/** The Export button's dialog: answers with a path in a temp folder, as a person picking a file would. */
class FakeSaveDialog implements SaveFileDialog {
  readonly path = join(tmpdir(), `keyhold-e2e-export-${process.pid}-${Date.now()}.csv`)
  asked = 0
  async choosePath(): Promise<string | null> {
    this.asked++
    return this.path
  }
}

describe('application keys in Chromium, through the real core', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page
  let clock: FakeClock
  let dialog: FakeSaveDialog

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    expect(app.problems.join('\n')).toBe('')
    await app?.close()
  })

  /** A new vault, unlocked, with the app showing it. */
  async function start(): Promise<void> {
    clock = new FakeClock(Date.parse('2026-03-02T09:30:00Z'))
    dialog = new FakeSaveDialog()
    app = await openApp(browser, { clock, saveFileDialog: dialog })
    page = app.page
    await app.bridge.services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
  }

  const services = () => app.bridge.services
  const row = (key: string) => page.locator(`tr[data-key="${key}"]`)
  const dialogNamed = (name: string) => page.getByRole('dialog', { name })

  async function openApplicationKeys(): Promise<void> {
    await page.getByRole('button', { name: 'My vault' }).click()
    await page.getByRole('menuitem', { name: 'Application Keys' }).click()
    await page.getByRole('heading', { name: 'Application Keys', level: 1 }).waitFor()
  }

  async function rowAction(key: string, action: string): Promise<void> {
    await row(key).getByRole('button', { name: `Actions for ${key}` }).click()
    await page.getByRole('menuitem', { name: action }).click()
  }

  async function addRoles(within: ReturnType<Page['getByRole']>, names: string[]): Promise<void> {
    await within.getByRole('button', { name: 'Add Roles' }).click()
    const picker = dialogNamed('Add roles')
    for (const name of names) await picker.getByRole('checkbox', { name: new RegExp(`^${name}`) }).check()
    await picker.getByRole('button', { name: 'Add Roles', exact: true }).click()
    await picker.waitFor({ state: 'detached' })
  }

  it('generates an internal key from My Keys and shows its token once, copied by main', async () => {
    await start()
    await openApplicationKeys()
    await page.getByRole('heading', { name: 'No key has access yet' }).waitFor()
    await page.getByRole('link', { name: 'Manage My Keys' }).click()
    await page.getByRole('heading', { name: 'My Keys', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Generate New' }).click()

    const form = dialogNamed('Generate new key')
    await form.getByLabel('Label').fill('Nightly backup script')
    await addRoles(form, ['API secrets reader'])
    await form.getByText('Read API secrets', { exact: true }).waitFor()
    await form.getByRole('button', { name: 'Generate' }).click()

    const screen = dialogNamed('Application key generated')
    await screen.waitFor()
    const key = (await screen.getByTestId('generated-key').textContent())!.trim() as AppKeyId
    const token = (await screen.getByTestId('generated-token').textContent())!.trim()
    expect(key).toMatch(/^keyhold-[0-9a-f]{6}-[a-z2-9]{12}$/)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await screen.getByText('This token is displayed only once.').waitFor()
    await app.screenshot('app-keys-token-screen')

    await screen.getByRole('button', { name: 'Copy token' }).click()
    await screen.getByText('Token copied. Keyhold clears the clipboard in 30 seconds.').waitFor()
    expect(await services().clipboard.readText()).toBe(token)
    expect(services().appKeys.authorize({ key, token }, 'secrets:read').allowed).toBe(true)

    await screen.getByRole('button', { name: 'I saved the token' }).click()
    await screen.waitFor({ state: 'detached' })
    await row(key).getByText('Nightly backup script').waitFor()
    await row(key).getByText('Active').waitFor()
    // Shown once: gone from the page, not in any list, and no longer copyable.
    expect(await page.content()).not.toContain(token)
    await page.reload()
    await page.getByRole('heading', { name: 'My Keys', level: 1 }).waitFor()
    await row(key).waitFor()
    expect(await page.content()).not.toContain(token)
    expect(JSON.stringify(services().appKeys.list())).not.toContain(token)

    await services().appKeys.generate({ label: 'Deploy bot\nstaging only', roleIds: [] })
    await page.reload()
    await page.getByText('Deploy bot').waitFor()
    await app.screenshot('app-keys-my-keys')
  })

  it('adds a third-party key, edits its roles, removes it, and exports the keys with access', async () => {
    await start()
    const mine = await services().appKeys.generate({ label: 'CI', roleIds: ['secrets-editor'] })
    await openApplicationKeys()
    await page.getByRole('button', { name: 'Add 3rd Party Key' }).click()

    const form = dialogNamed('Add 3rd party key')
    await form.getByRole('button', { name: 'Save' }).click()
    await form.getByText('Enter the key given by the third party.').waitFor()
    // Pasted past its bound, a key is refused with the bound, not cut to fit.
    await form.getByLabel(/^Key\b/).focus()
    await page.keyboard.insertText(`k${'x'.repeat(200)}`)
    await form.getByRole('button', { name: 'Save' }).click()
    await form.getByText('A key can have at most 200 characters.').waitFor()
    expect(await form.getByLabel(/^Key\b/).getAttribute('aria-invalid')).toBe('true')
    await form.getByLabel(/^Key\b/).fill('vtexappkey-acme-PQRST')
    await form.getByLabel('Account or origin').fill('acme')
    await form.getByLabel("Issuer's public key").fill('ssh-rsa AAAAB3NzaC1yc2E')
    await form.getByRole('button', { name: 'Save' }).click()
    await form.getByText(/The public key must be an Ed25519 key/).waitFor()
    await form.getByLabel("Issuer's public key").fill('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea issuer@acme')
    await form.getByRole('button', { name: 'Save' }).click()
    await form.getByText(/Add at least one role/).waitFor()
    await addRoles(form, ['Apps reader', 'API secrets reader'])
    await form.getByRole('button', { name: 'Save' }).click()
    await form.waitFor({ state: 'detached' })
    await page.getByText('Key vtexappkey-acme-PQRST added with 2 roles.').waitFor()
    expect(services().appKeys.authorize({ key: 'vtexappkey-acme-PQRST' }, 'apps:read').allowed).toBe(true)
    expect(await row('vtexappkey-acme-PQRST').locator('td.account').textContent()).toMatch(/^\s*acme\s+Third party\s+Connects by signature\s*$/)
    expect(services().appKeys.get('vtexappkey-acme-PQRST').hasPublicKey).toBe(true)
    await app.screenshot('app-keys-application-keys')

    // Edit: remove a checked role, add another, Save.
    await rowAction('vtexappkey-acme-PQRST', 'Edit')
    const edit = dialogNamed('Edit key')
    await edit.getByRole('checkbox', { name: 'Select API secrets reader' }).check()
    await edit.getByRole('button', { name: 'Remove Roles' }).click()
    await addRoles(edit, ['Audit reader'])
    // A custom role, created in the + Add Roles dialog: reads only secrets tagged prod or ops.
    await edit.getByRole('button', { name: 'Add Roles' }).click()
    const picker = dialogNamed('Add roles')
    await picker.getByRole('button', { name: 'New custom role' }).click()
    await picker.getByLabel(/^Name/).fill('Prod reader')
    await picker.getByRole('checkbox', { name: 'Read API secrets', exact: true }).check()
    await picker.getByLabel('Only API secrets tagged').fill('prod, ops')
    await picker.getByRole('button', { name: 'Create role' }).click()
    await picker.getByRole('checkbox', { name: /^Prod reader/ }).waitFor()
    expect(services().appKeys.role('Prod reader')).toMatchObject({ builtin: false, permissions: ['secrets:read'], tags: ['ops', 'prod'] })
    await app.screenshot('app-keys-add-roles')
    await picker.getByRole('button', { name: 'Add Roles', exact: true }).click()
    await picker.waitFor({ state: 'detached' })
    await app.screenshot('app-keys-edit-roles')
    await edit.getByRole('button', { name: 'Save' }).click()
    await edit.waitFor({ state: 'detached' })
    expect(services().appKeys.get('vtexappkey-acme-PQRST').roles.map((r) => r.name)).toEqual(['Apps reader', 'Audit reader', 'Prod reader'])
    expect(services().appKeys.authorize({ key: 'vtexappkey-acme-PQRST' }, 'secrets:read').allowed).toBe(false)

    // Export: the save dialog's path gets the CSV of keys with roles, without tokens.
    await page.getByRole('button', { name: 'Export' }).click()
    await page.getByText(/^Exported 2 keys with access to /).waitFor()
    expect(dialog.asked).toBe(1)
    const csv = readFileSync(dialog.path, 'utf8')
    expect(csv).not.toContain(mine.token)
    const rows = parse(csv) as string[][]
    expect(rows.map((r) => [r[0], r[1], r[3], r[4], r[5]])).toEqual([
      ['Key', 'Type', 'Account', 'Status', 'Roles'],
      [mine.key.key, 'internal', 'This vault', 'active', 'API secrets editor'],
      ['vtexappkey-acme-PQRST', 'external', 'acme', 'active', 'Apps reader; Audit reader; Prod reader'],
    ])

    // Remove, after a confirmation: the key loses access and leaves the page.
    await rowAction('vtexappkey-acme-PQRST', 'Remove')
    const confirm = dialogNamed('Remove key?')
    await confirm.getByRole('button', { name: 'Remove' }).click()
    await page.getByText('Key vtexappkey-acme-PQRST removed. Add it again to restore its access.').waitFor()
    await row('vtexappkey-acme-PQRST').waitFor({ state: 'detached' })
    expect(services().appKeys.authorize({ key: 'vtexappkey-acme-PQRST' }, 'apps:read')).toMatchObject({ allowed: false, reason: 'REMOVED' })
    expect(existsSync(dialog.path)).toBe(true)

    // The removed key dropped its roles, so the custom role is unused and can be deleted.
    await page.getByRole('button', { name: 'Add 3rd Party Key' }).click()
    const again = dialogNamed('Add 3rd party key')
    await again.getByRole('button', { name: 'Add Roles' }).click()
    await dialogNamed('Add roles').getByRole('button', { name: 'Delete role Prod reader' }).click()
    await dialogNamed('Add roles').getByRole('checkbox', { name: /^Prod reader/ }).waitFor({ state: 'detached' })
    expect(services().appKeys.listRoles().some((r) => r.name === 'Prod reader')).toBe(false)
    await expect(dialogNamed('Add roles').getByRole('button', { name: /^Delete role/ }).count()).resolves.toBe(0)
  })

  it('deactivates and reactivates an internal key, warning before reactivating', async () => {
    await start()
    const { key, token } = await services().appKeys.generate({ label: 'Reporting job', roleIds: ['apps-reader'] })
    await page.goto(`${app.bridge.url}#/application-keys/mine`)
    await row(key.key).waitFor()

    await rowAction(key.key, 'Deactivate')
    await page.getByText(`Key ${key.key} deactivated. It is refused until you activate it again.`).waitFor()
    await row(key.key).getByText('Inactive').waitFor()
    expect(services().appKeys.authorize({ key: key.key, token }, 'apps:read')).toMatchObject({ allowed: false, reason: 'INACTIVE' })

    await rowAction(key.key, 'Activate')
    const warning = dialogNamed('Activate key?')
    await warning.getByText(/anyone with the token of this key regains access/).waitFor()
    await app.screenshot('app-keys-activate-warning')
    await warning.getByRole('button', { name: 'Cancel' }).click()
    expect(services().appKeys.get(key.key).status).toBe('inactive')

    await rowAction(key.key, 'Activate')
    await dialogNamed('Activate key?').getByRole('button', { name: 'Activate' }).click()
    await page.getByText(`Key ${key.key} activated.`).waitFor()
    await row(key.key).getByText('Active', { exact: true }).waitFor()
    expect(services().appKeys.authorize({ key: key.key, token }, 'apps:read').allowed).toBe(true)
  })

  it('asks for the master password again after 5 minutes, then retries the action', async () => {
    await start()
    await page.goto(`${app.bridge.url}#/application-keys/mine`)
    await page.getByRole('heading', { name: 'No keys generated yet' }).waitFor()
    clock.advance(REAUTH_WINDOW_MS + 1)

    await page.getByRole('button', { name: 'Generate New' }).click()
    await dialogNamed('Generate new key').getByRole('button', { name: 'Generate' }).click()
    const confirm = dialogNamed('Confirm your master password')
    await confirm.waitFor()
    await confirm.getByLabel(/^Master password/).fill('not the password')
    await confirm.getByRole('button', { name: 'Confirm' }).click()
    await confirm.getByText(/That master password is not correct/).waitFor()
    expect(services().appKeys.list()).toEqual([])
    await app.screenshot('app-keys-confirm-password')

    await confirm.getByLabel(/^Master password/).fill(PASSWORD)
    await confirm.getByRole('button', { name: 'Confirm' }).click()
    await dialogNamed('Application key generated').waitFor()
    expect(services().appKeys.list()).toHaveLength(1)
  })

  it('is reachable from the side menu, and cancelling the confirmation changes nothing', async () => {
    await start()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Application Keys' }).click()
    await page.getByRole('heading', { name: 'Application Keys', level: 1 }).waitFor()
    clock.advance(REAUTH_WINDOW_MS + 1)
    await page.getByRole('button', { name: 'Add 3rd Party Key' }).click()
    const form = dialogNamed('Add 3rd party key')
    await form.getByLabel(/^Key\b/).fill('partner-key')
    await addRoles(form, ['Audit reader'])
    await form.getByRole('button', { name: 'Save' }).click()
    await dialogNamed('Confirm your master password').getByRole('button', { name: 'Cancel' }).click()
    await form.getByText(/Confirm your master password to manage keys/).waitFor()
    expect(services().appKeys.list()).toEqual([])
  })
})
