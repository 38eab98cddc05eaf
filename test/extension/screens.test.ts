// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest'
import type { PairingView } from '../../src-shared/local-access/messages'
import type { SecretId, SecretSummary } from '../../src-shared/types/secrets'
import { UNENCRYPTED_WARNING } from '../../extension/src/fill'
import { hostRefusedScreen, pairedScreen } from '../../extension/src/popup/screens'

const pairing: PairingView = { id: 'p1', app: { id: 'a1', name: 'Work browser', type: 'extension' }, scope: { secrets: 'all' }, reveal: 'ask', createdAt: '2026-12-04T10:00:00.000Z', expiresAt: null }
const secret = (name: string, url: string): SecretSummary => ({
  id: name as SecretId,
  name,
  url,
  clientId: 'id',
  identifier: null,
  method: null,
  tags: [],
  hasClientSecret: true,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
})
const handlers = () => ({ onSearch: vi.fn(), onCopy: vi.fn(), onFill: vi.fn(), onSignOut: vi.fn() })
const buttonNamed = (root: HTMLElement, name: string) => [...root.querySelectorAll('button')].find((b) => b.textContent === name)!

describe('the popup screens', () => {
  it('badges an exact host "This site" and its www. twin "Same domain"', () => {
    const screen = pairedScreen({ pairing, vaultId: 'v1', fillTarget: 'www.stripe.com', handlers: handlers() })
    screen.showResults(
      [
        { secret: secret('Stripe www', 'https://www.stripe.com'), match: 'host' },
        { secret: secret('Stripe', 'https://stripe.com'), match: 'domain' },
        { secret: secret('Stripe API', 'https://api.stripe.com'), match: null },
      ],
      '3 API secrets',
    )
    expect([...screen.root.querySelectorAll('li')].map((li) => li.querySelector('.badge')?.textContent ?? null)).toEqual(['This site', 'Same domain', null])
  })

  it('ask: the question in the status line; the action runs only when chosen, Cancel drops it', () => {
    const screen = pairedScreen({ pairing, vaultId: 'v1', fillTarget: 'example.com', handlers: handlers() })
    const yes = vi.fn()
    screen.ask(UNENCRYPTED_WARNING, 'Fill anyway', yes)
    const status = screen.root.querySelector('.status')!
    expect(status.textContent).toMatch(/^This page is not encrypted \(http\)\. Fill anyway\?/)
    buttonNamed(screen.root, 'Cancel').click()
    expect(yes).not.toHaveBeenCalled()
    expect(status.textContent).toBe('')
    screen.ask(UNENCRYPTED_WARNING, 'Fill anyway', yes)
    buttonNamed(screen.root, 'Fill anyway').click()
    expect(yes).toHaveBeenCalledTimes(1)
    expect(status.textContent).toBe('')
  })

  it('host refused: what to do in Keyhold, and that the pairing is kept', () => {
    const onRetry = vi.fn()
    const screen = hostRefusedScreen({ message: "Keyhold's browser integration refused this extension. Turn browser integration off and on again in Keyhold's Settings > Browser integration.", onRetry })
    expect(screen.dataset.screen).toBe('host-refused')
    expect(screen.textContent).toMatch(/Turn browser integration off and on again/)
    expect(screen.textContent).toMatch(/still paired/)
    buttonNamed(screen, 'Try again').click()
    expect(onRetry).toHaveBeenCalled()
  })
})
