import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/**
 * axe-core's browser build, injected into the page. It comes from the project's devDependencies;
 * KEYHOLD_AXE_CORE may name an axe.min.js elsewhere.
 */
function axeSource(): string {
  const path = process.env.KEYHOLD_AXE_CORE ?? createRequire(import.meta.url).resolve('axe-core/axe.min.js')
  return readFileSync(path, 'utf8')
}

let source: string | null = null

interface AxeResult {
  violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[]; failureSummary: string }> }>
}

/** axe-core's violations on the page as it is now, one line each ("rule (impact): help at selector: summary"). */
export async function axeViolations(page: Page): Promise<string[]> {
  source ??= axeSource()
  // Evaluated through the DevTools protocol: the app's CSP allows no inline script, rightly.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(`${source};0`)
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as AxeResult
  return result.violations.flatMap((v) => v.nodes.map((node) => `${v.id} (${v.impact}): ${v.help} at ${node.target.join(' ')}: ${node.failureSummary}`))
}
