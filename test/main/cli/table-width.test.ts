import { Readable, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/program'
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
    expect(columns(ROWS, { width: undefined, keep: [] })).toBe(columns(ROWS))
  })

  it('prints a table that fits as it is', () => {
    expect(columns(ROWS, { width: 200, keep: [] })).toBe(columns(ROWS))
  })

  it('cuts the widest column a character at a time, with "…", never a kept column', () => {
    const lines = columns(ROWS, { width: 60, keep: [1] }).split('\n')
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60)
    // The URL (41) is cut to the name's width (26) first, then both alike.
    expect(lines[1]).toBe('Stripe payments produ…  stripe-prod  https://api.stripe.com…')
    expect(lines[2]).toBe('Mailgun                 mailgun      https://api.mailgun.ne…')
    expect(columns(ROWS, { width: 75, keep: [1] }).split('\n')[1]).toBe('Stripe payments production  stripe-prod  https://api.stripe.com/v1/payment…')
  })

  it("stops at each column's floor (6 characters, or its heading) when the terminal is narrower still", () => {
    const lines = columns(ROWS, { width: 10, keep: [1] }).split('\n')
    expect(lines[0]).toBe('NAME    REF          URL')
    expect(lines[1]).toBe('Strip…  stripe-prod  https…')
  })

  it('never cuts between the halves of a surrogate pair', () => {
    const rows = [['A', 'B'], ['😀😀😀😀😀😀😀😀😀😀', 'x']]
    // 9 units: four emoji and "…". 8 units would split the fourth: three and "…", padded.
    expect(columns(rows, { width: 12, keep: [1] }).split('\n')[1]).toBe('😀😀😀😀…  x')
    const cut = columns(rows, { width: 11, keep: [1] })
    expect(cut.split('\n')[1]).toBe('😀😀😀…   x')
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/)
  })
})

describe('keyhold secret list on a terminal', () => {
  let path: string
  let cleanup: () => void

  beforeAll(async () => {
    const made = await unlockedServices()
    ;({ path, cleanup } = made)
    await made.services.secrets.add({
      name: 'Stripe payments production account for the EU entity',
      url: 'https://api.stripe.com/v1/payment_intents/with/a/long/path',
      clientId: 'ci_0123456789abcdefghijklmnopqrstuvwxyz',
      clientSecret: 'sk_live_x',
      identifier: 'stripe-prod-eu',
      tags: ['prod', 'payments', 'eu'],
    })
    made.services.vault.lock()
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

  it('fits an 80-column terminal, the REF whole', async () => {
    const lines = (await list(80)).trimEnd().split('\n')
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80)
    expect(lines[1]).toContain('  stripe-prod-eu  ')
    expect(lines[1]).toContain('…')
  })

  it('prints every cell whole into a pipe', async () => {
    const text = await list()
    expect(text).toContain('Stripe payments production account for the EU entity')
    expect(text).toContain('https://api.stripe.com/v1/payment_intents/with/a/long/path')
    expect(text).not.toContain('…')
  })
})
