import { Readable, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/program'
import { cliTerminalHost } from '../../../src-main/cli/terminal-host'
import type { Services } from '../../../src-main/core/services'
import { columns } from '../../../src-main/cli/helpers'
import { PASSWORD, unlockedServices } from '../../support/vault'

const ROWS = [
  ['NAME', 'REF', 'URL'],
  ['Stripe payments production', 'stripe-prod', 'https://api.stripe.com/v1/payment_intents'],
  ['Mailgun', 'mailgun', 'https://api.mailgun.net/v3'],
]

describe('columns on a terminal', () => {
  it('prints every cell whole without a width (a pipe or a file)', () => {
    const lines = columns(ROWS).split('\n')
    expect(lines[1]).toBe('Stripe payments production  stripe-prod  https://api.stripe.com/v1/payment_intents')
    expect(columns(ROWS, { width: undefined, cut: [2, 0] })).toBe(columns(ROWS))
  })

  it('prints a table that fits as it is', () => {
    expect(columns(ROWS, { width: 200, cut: [2, 0] })).toBe(columns(ROWS))
  })

  it('cuts the columns in the order given, each to its floor before the next, with "…"; never one not named', () => {
    const lines = columns(ROWS, { width: 60, cut: [2, 0] }).split('\n')
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60)
    expect(lines[1]).toBe('Stripe payments production  stripe-prod  https://api.stripe…')
    expect(lines[2]).toBe('Mailgun                     mailgun      https://api.mailgu…')
    // Narrower: the URL is at its floor, then the name gives way.
    const narrow = columns(ROWS, { width: 45, cut: [2, 0] }).split('\n')
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(45)
    expect(narrow[1]).toBe('Stripe payments product…  stripe-prod  https…')
    expect(narrow[2]).toBe('Mailgun                   mailgun      https…')
  })

  it("stops at each column's floor (6 characters, or its heading) when the terminal is narrower still", () => {
    const lines = columns(ROWS, { width: 10, cut: [2, 0] }).split('\n')
    expect(lines[0]).toBe('NAME    REF          URL')
    expect(lines[1]).toBe('Strip…  stripe-prod  https…')
  })

  it('gives the same table from rows given one at a time, over many chunks of output', () => {
    const many = [ROWS[0]!, ...Array.from({ length: 12_000 }, (_, i) => [`Service ${i} ${'x'.repeat(i % 37)}`, `ref-${i}`, `https://api${i}.example.com/${'p'.repeat(i % 11)}`])]
    let asked = 0
    const source = { count: many.length, row: (r: number) => (asked++, [...many[r]!]) }
    const text = columns(source, { width: 70, cut: [2, 0] })
    expect(text).toBe(columns(many, { width: 70, cut: [2, 0] }))
    // Each row read twice (its widths, then its line), never kept; the headings once more.
    expect(asked).toBe(2 * many.length + 1)
    expect(text.split('\n')).toHaveLength(many.length)
    expect(text.length).toBeGreaterThan(1 << 19)
    expect(text.endsWith('\n')).toBe(false)
  })

  it('never cuts between the halves of a surrogate pair', () => {
    const rows = [['A', 'B'], ['😀😀😀😀😀😀😀😀😀😀', 'x']]
    // 9 units: four emoji and "…". 8 units would split the fourth: three and "…", padded.
    expect(columns(rows, { width: 12, cut: [0] }).split('\n')[1]).toBe('😀😀😀😀…  x')
    const cut = columns(rows, { width: 11, cut: [0] })
    expect(cut.split('\n')[1]).toBe('😀😀😀…   x')
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/)
  })
})

describe('keyhold secret list on a terminal', () => {
  let path: string
  let cleanup: () => void
  let services: Services

  beforeAll(async () => {
    const made = await unlockedServices()
    ;({ path, cleanup, services } = made)
    await made.services.secrets.add({
      name: 'Stripe payments production account for the EU entity',
      url: 'https://api.stripe.com/v1/payment_intents/with/a/long/path',
      clientId: 'ci_0123456789abcdefghijklmnopqrstuvwxyz',
      clientSecret: 'sk_live_x',
      identifier: 'stripe-prod-eu',
      tags: ['prod', 'payments', 'eu'],
    })
    await made.services.vault.settle()
  })
  afterAll(() => cleanup())

  /** `keyhold secret list` in this process, its standard output a terminal of `columns` (or a pipe without). */
  async function list(columns?: number): Promise<string> {
    let out = ''
    const stdout = Object.assign(
      new Writable({
        write(chunk, _encoding, done) {
          out += String(chunk)
          done()
        },
      }),
      columns === undefined ? {} : { isTTY: true, columns },
    )
    const status = await runCli(['--vault', path, '--password-stdin', 'secret', 'list'], { stdout, stderr: stdout, stdin: Readable.from([`${PASSWORD}\n`]), env: {} })
    expect(status, out).toBe(0)
    return out
  }

  it('fits a 100-column terminal: the Client ID, tags and URL give way first, the name last, the REF never', async () => {
    const lines = (await list(100)).trimEnd().split('\n')
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100)
    expect(lines[1]).toMatch(/^Stripe payments production… {2}stripe-prod-eu {2}- {7}https… {2}ci_01234… {2}prod,… {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC$/)
    // Wider, the name comes back whole, then the URL.
    const wide = (await list(190)).split('\n')[1]!
    expect(wide).toContain('Stripe payments production account for the EU entity  ')
    expect(wide).toContain('https://api.stripe.com/v1/payment_intents/with/a/long/path')
  })

  it('fits the width of the terminal a command came from when it runs in the agent, and every cell whole without one', async () => {
    const run = async (columns?: number) => {
      let out = ''
      const status = await cliTerminalHost(services, async () => true).run({
        argv: ['secret', 'list'],
        cwd: '/',
        ...(columns === undefined ? {} : { columns }),
        write: async (_fd, data) => void (out += Buffer.from(data).toString()),
        prompt: async () => '',
        readLine: async () => '',
        signal: new AbortController().signal,
      })
      expect(status, out).toBe(0)
      return out
    }
    const fitted = (await run(90)).trimEnd().split('\n')
    for (const line of fitted) expect(line.length, line).toBeLessThanOrEqual(90)
    expect(fitted[1]).toContain('  stripe-prod-eu  ')
    expect(await run()).toContain('https://api.stripe.com/v1/payment_intents/with/a/long/path')
  })

  it('prints every cell whole into a pipe', async () => {
    const text = await list()
    expect(text).toContain('Stripe payments production account for the EU entity')
    expect(text).toContain('https://api.stripe.com/v1/payment_intents/with/a/long/path')
    expect(text).not.toContain('…')
  })
})
