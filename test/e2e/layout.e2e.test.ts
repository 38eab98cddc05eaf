import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { secretInput } from '../../src-shared/ipc/secrets.contract'
import type { AppKeyId } from '../../src-shared/types/app-keys'
import { axeViolations as axeOf } from '../support/axe'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { PASSWORD } from '../support/vault'

/** Pictures of every list page at each size and theme, for a person to look at. */
const SHOTS = process.env.KEYHOLD_LAYOUT_SHOTS ?? '/tmp/layout-shots'

/** 32 characters each; with " 01" a name has the 35 characters of a real, long one. */
const NAMES = [
  'Payments gateway production EMEA',
  'Customer billing platform review',
  'Warehouse inventory sync service',
  'Fraud detection scoring API live',
  'Partner onboarding webhook relay',
]
const name35 = (i: number) => `${NAMES[i % NAMES.length]} ${String(i + 1).padStart(2, '0')}`

/**
 * What the page measures: how wide the document scrolls, what scrolls sideways inside it, and
 * for each row's ⋮ button how far its right edge is from the edge of what shows it (the
 * window, or a box that clips it). A string, because this file is type-checked for Node.
 */
const MEASURE = `(() => {
  const clipRight = (element) => {
    let right = window.innerWidth
    for (let box = element.parentElement; box && box !== document.documentElement; box = box.parentElement) {
      const style = getComputedStyle(box)
      if (style.overflowX !== 'visible') right = Math.min(right, box.getBoundingClientRect().right)
    }
    return right
  }
  const sideways = [...document.querySelectorAll('body *')]
    .filter((element) => {
      const style = getComputedStyle(element)
      return (style.overflowX === 'auto' || style.overflowX === 'scroll') && element.scrollWidth > element.clientWidth + 1
    })
    .map((element) => element.className || element.tagName)
  const kebabs = [...document.querySelectorAll('tbody .actions button')].map((button) => {
    const rect = button.getBoundingClientRect()
    return { name: button.getAttribute('aria-label') ?? button.textContent.trim(), left: rect.left, right: rect.right, visibleRight: clipRight(button) }
  })
  const table = document.querySelector('.data-table')
  return {
    innerWidth: window.innerWidth,
    scrollWidth: document.scrollingElement.scrollWidth,
    tableWidth: table ? Math.round(table.getBoundingClientRect().width) : 0,
    sideways,
    kebabs,
  }
})()`

interface Measure {
  innerWidth: number
  scrollWidth: number
  tableWidth: number
  sideways: string[]
  kebabs: Array<{ name: string; left: number; right: number; visibleRight: number }>
}

/** WCAG's contrast ratio of two computed colours (`rgb(r, g, b)`; any alpha is ignored). */
function contrast(a: string, b: string): number {
  const luminance = (colour: string) => {
    const [r, g, bl] = colour.match(/[\d.]+/g)!.slice(0, 3).map((c) => Number(c) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!
  }
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (light! + 0.05) / (dark! + 0.05)
}

/** The list pages: where each is, its heading, and the labelled main action it offers (none on Activity). */
const PAGES = [
  { id: 'api-secrets', hash: '#/api-secrets', heading: 'API secrets', action: 'Add API secret', viewActions: true },
  { id: 'my-apps', hash: '#/my-apps', heading: 'My apps', action: 'New key', viewActions: true },
  { id: 'application-keys', hash: '#/application-keys', heading: 'Application Keys', action: 'Add 3rd Party Key', viewActions: false },
  { id: 'my-keys', hash: '#/application-keys/mine', heading: 'My Keys', action: 'Generate New', viewActions: false },
  { id: 'activity', hash: '#/activity', heading: 'Activity', action: null, viewActions: false },
] as const

const SIZES = [
  { width: 900, height: 700 },
  { width: 1280, height: 800 },
] as const

describe('the list pages with long, realistic data in Chromium, at 900×700 and 1280×800, light and dark', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    browser = await launchChromium()
    app = await openApp(browser)
    page = app.page
    const services = app.bridge.services
    await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await services.secrets.addMany(
      Array.from({ length: 6 }, (_, i) =>
        secretInput.parse({
          name: name35(i),
          url: `https://api.payments-gateway.example-enterprise.com/v3/merchants/${1000 + i}/charges`,
          clientId: `client_live_${(0x9f8e7d6c5b4a3928n * BigInt(i + 7)).toString(16).padStart(32, '0')}`,
          clientSecret: `SEEDED-SECRET-${i}`,
          identifier: `payments-gateway-production-emea-${i}`,
          method: i % 2 ? 'GET' : 'POST',
          tags: ['production', 'payments-emea', 'finance-team'],
        }),
      ),
    )
    for (let i = 0; i < 5; i++) {
      await services.apps.create({
        name: name35(i),
        type: i % 2 ? 'extension' : 'mobile',
        expiresAt: i % 2 ? null : new Date(Date.now() + (i + 30) * 86_400_000).toISOString(),
      })
    }
    const [first] = services.apps.list('current')
    await services.apps.revoke(first!.id)
    const roles = ['secrets-reader', 'apps-reader', 'audit-reader']
    for (let i = 0; i < 3; i++) {
      await services.appKeys.generate({ label: `Nightly export of ${name35(i)} to the audit archive`, roleIds: roles })
    }
    await services.appKeys.addExternal({
      key: 'vtexappkey-acmecorporationinternational-XKQJZPWLMNBVCRTYHGFDSAQWERTYUIOPLKJ' as AppKeyId,
      account: 'acmecorporationinternationalholdings',
      roleIds: ['secrets-editor', 'audit-reader', 'apps-reader'],
    })
    await services.appKeys.addExternal({ key: 'vtexappkey-globex-PQRST' as AppKeyId, account: 'globex', roleIds: ['secrets-reader'] })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
  })
  afterAll(async () => {
    await app?.close()
    await browser?.close()
  })

  const axeViolations = () => axeOf(page)

  async function settle(): Promise<void> {
    // Buttons ease their colours in over 0.12 s: measure and take the picture once they are done.
    await page.waitForTimeout(200)
  }

  for (const scheme of ['light', 'dark'] as const) {
    for (const size of SIZES) {
      it(`${scheme} at ${size.width}×${size.height}: every row's ⋮ is in view, nothing scrolls sideways, the main action is a labelled button, axe finds nothing`, async () => {
        await page.setViewportSize(size)
        await page.emulateMedia({ colorScheme: scheme })
        const problems: string[] = []
        const widths: string[] = []

        for (const target of PAGES) {
          await page.evaluate(`location.hash = ${JSON.stringify(target.hash)}`)
          const header = page.locator('.page-header')
          await page.getByRole('heading', { name: target.heading, level: 1, exact: true }).waitFor()
          await page.locator('tbody tr').first().waitFor()
          await settle()
          const shot = resolve(SHOTS, `${scheme}-${size.width}-${target.id}.png`)
          await page.screenshot({ path: shot })

          const measure = (await page.evaluate(MEASURE)) as Measure
          widths.push(`${target.id}: table ${measure.tableWidth} px, document ${measure.scrollWidth} px`)
          if (measure.scrollWidth !== measure.innerWidth) problems.push(`${target.id}: the document is ${measure.scrollWidth} px wide in a ${measure.innerWidth} px window`)
          if (measure.sideways.length) problems.push(`${target.id}: scrolls sideways inside ${measure.sideways.join(', ')}`)
          for (const kebab of measure.kebabs) {
            if (kebab.left < 0 || kebab.right > kebab.visibleRight + 0.5) problems.push(`${target.id}: "${kebab.name}" ends at ${Math.round(kebab.right)} px, past ${Math.round(kebab.visibleRight)} px`)
          }

          if (target.action) {
            const button = header.getByRole('button', { name: target.action, exact: true })
            if (!(await button.isVisible())) problems.push(`${target.id}: no "${target.action}" button in the header`)
          }
          if (target.viewActions && !(await header.getByRole('button', { name: 'View Actions' }).isVisible())) problems.push(`${target.id}: no View Actions menu`)

          if (target.id === 'api-secrets') {
            // The search's placeholder says what it searches: all of it shows.
            const fits = (await page.evaluate(`(() => {
              const input = document.querySelector('#secrets-search')
              const style = getComputedStyle(input)
              const context = document.createElement('canvas').getContext('2d')
              context.font = style.font
              const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
              return [Math.ceil(context.measureText(input.placeholder).width), Math.floor(room)]
            })()`)) as [number, number]
            if (fits[0] > fits[1]) problems.push(`api-secrets: the search placeholder needs ${fits[0]} px and has ${fits[1]} px`)
            // Identifier and Method give way first in a narrow window.
            const identifier = await page.getByRole('columnheader', { name: 'Identifier' }).isVisible()
            if (identifier !== size.width > 1100) problems.push(`api-secrets: Identifier is ${identifier ? 'shown' : 'hidden'} at ${size.width} px`)
          }

          for (const violation of await axeViolations()) problems.push(`${target.id}: ${violation}`)
        }

        // Below about 1,000 px the side menu keeps only its icons; each link still has its name.
        const nav = page.getByRole('navigation', { name: 'Main' })
        const sidebar = (await page.locator('.sidebar').boundingBox())!
        if (size.width < 1000 && sidebar.width > 80) problems.push(`the side menu is ${sidebar.width} px wide at ${size.width} px`)
        if (size.width >= 1000 && sidebar.width < 200) problems.push(`the side menu is collapsed (${sidebar.width} px) at ${size.width} px`)
        if (!(await nav.getByRole('link', { name: 'API secrets' }).isVisible())) problems.push('the side menu has no visible "API secrets" link')

        console.log(`${scheme} ${size.width}×${size.height}\n  ${widths.join('\n  ')}`)
        expect(problems).toEqual([])
      })
    }
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: a confirmation dims the page, its danger button reads at 4.5:1 or more, the selected filter stands out, and axe finds nothing`, async () => {
      await page.setViewportSize({ width: 1280, height: 800 })
      await page.emulateMedia({ colorScheme: scheme })
      await page.evaluate('location.hash = "#/my-apps"')
      await page.getByRole('heading', { name: 'My apps', level: 1 }).waitFor()
      await page.getByRole('radio', { name: /^All/ }).check()
      await settle()
      const filter = (await page.evaluate(
        `[getComputedStyle(document.querySelector('.filter.selected')).backgroundColor, getComputedStyle(document.querySelector('.filters')).backgroundColor]`,
      )) as [string, string]
      expect(contrast(...filter), `selected filter ${filter.join(' in ')}`).toBeGreaterThanOrEqual(3)

      await page.getByRole('button', { name: `Actions for ${name35(2)}` }).click()
      await page.getByRole('menuitem', { name: 'Revoke' }).click()
      const dialog = page.getByRole('dialog')
      await dialog.waitFor()
      await settle()
      await page.screenshot({ path: resolve(SHOTS, `${scheme}-1280-revoke-dialog.png`) })
      const danger = (await page.evaluate(
        `(() => { const style = getComputedStyle(document.querySelector('dialog[open] .btn-danger')); return [style.color, style.backgroundColor] })()`,
      )) as [string, string]
      expect(contrast(...danger), `danger button ${danger.join(' on ')}`).toBeGreaterThanOrEqual(4.5)
      const backdrop = (await page.evaluate(`getComputedStyle(document.querySelector('dialog[open]'), '::backdrop').backgroundColor`)) as string
      expect(Number(backdrop.match(/[\d.]+/g)![3]), backdrop).toBeGreaterThanOrEqual(0.5)
      expect(await axeViolations()).toEqual([])
      await dialog.getByRole('button', { name: 'Cancel' }).click()
      await dialog.waitFor({ state: 'detached' })
    })
  }
})
