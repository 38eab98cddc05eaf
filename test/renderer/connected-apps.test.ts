import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import ConnectedApps from '../../src-renderer/components/settings/ConnectedApps.vue'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import type { PairingId } from '../../src-shared/types/pairings'
import { FakeAgent, FakeVault, pairingSummary } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'

describe('Settings > Connected apps', () => {
  let agent: FakeAgent
  let wrapper: VueWrapper

  async function open(): Promise<void> {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    ;({ wrapper } = await mountWith(fake.api(agent.api()), { component: ConnectedApps, path: '/settings' }))
    await useVaultStore().refresh()
    await flushPromises()
  }
  const toggle = () => wrapper.get('input[role="switch"]')
  const state = () => wrapper.get('[data-testid="agent-state"]').text()
  const button = (text: string) => wrapper.findAll('button').find((b) => b.text() === text)
  /** Each row's cells as text (a cell's lines run together: "Work phoneMobile app"). */
  const rows = () => wrapper.findAll('tbody tr').map((row) => row.findAll('th, td').map((cell) => cell.text()))

  beforeEach(() => {
    agent = new FakeAgent()
  })
  afterEach(() => wrapper.unmount())

  it('says where the agent listens, and turns it off and on with the switch', async () => {
    await open()
    expect((toggle().element as HTMLInputElement).checked).toBe(true)
    expect(toggle().attributes('aria-describedby')).toBe('settings-agent-state')
    expect(state()).toBe('On: listening on /run/user/1000/keyhold/c3a7f725f31ce7b0afc2.sock (0 connections open).')
    await toggle().setValue(false)
    await flushPromises()
    expect(agent.inputs('agentSetEnabled')).toEqual([{ enabled: false }])
    expect(state()).toMatch(/^Off: no paired app or application key can connect\./)
    await toggle().setValue(true)
    await flushPromises()
    expect(agent.inputs('agentSetEnabled')).toEqual([{ enabled: false }, { enabled: true }])
    expect(state()).toMatch(/^On: listening on /)
  })

  it('says why it does not listen when it cannot', async () => {
    agent.status = { ...agent.status, listening: false, endpoint: null, problem: 'This vault’s agent is already running in `keyhold agent` (process 42).' }
    await open()
    expect(state()).toBe('This vault’s agent is already running in `keyhold agent` (process 42).')
  })

  it('tells how to pair when nothing is paired, and offers no Revoke all', async () => {
    await open()
    expect(wrapper.get('.empty h2').text()).toBe('No paired apps yet')
    expect(wrapper.get('.empty').text()).toContain('create a key in My apps, then scan its QR code')
    expect(wrapper.get('.empty code').text()).toBe('keyhold connect --code CODE')
    expect(button('Revoke all')).toBeUndefined()
  })

  it('lists each pairing: application and type, device, what it may read, reveals, dates and status with why it ended', async () => {
    agent.pairings = [
      pairingSummary({ scope: { secrets: 'tagged', tags: ['prod', 'payments'] }, reveal: 'allow', lastUsedAt: '2026-05-01T09:30:00.000Z' }),
      pairingSummary({ id: 'b' as PairingId, app: { ...pairingSummary().app, name: 'Laptop CLI' }, device: { name: 'build-box', platform: 'linux' }, software: 'keyhold/1.0.0', kind: 'cli', status: 'ended', endReason: 'signed-out', endedAt: '2026-05-01T09:45:00.000Z' }),
      pairingSummary({ id: 'c' as PairingId, app: { ...pairingSummary().app, name: 'Old phone' }, status: 'app-revoked' }),
    ]
    await open()
    const [live, ended, revoked] = rows()
    expect(live!.slice(0, 4)).toEqual(['Work phoneMobile app', 'Pixel 8 · Androidkeyhold-android/1.0.0', 'Tagged: prod, payments', 'Doesn’t ask'])
    expect(live![6]).toBe('Never')
    expect(live![7]).toBe('Connected')
    expect(live![5]).not.toBe('Never')
    expect(ended!.slice(1, 5)).toEqual(['build-box · Linuxkeyhold/1.0.0', 'All API secrets', 'Asks', expect.any(String)])
    expect(ended![7]).toMatch(/^EndedSigned out\w/)
    expect(revoked![7]).toBe('RevokedIn My apps')
    // Only a live pairing has something left to do.
    expect(wrapper.findAll('tbody tr').map((row) => row.find('button[aria-haspopup="menu"]').exists())).toEqual([true, false, false])
  })

  it('revokes one pairing after a confirmation, then all the live ones after a confirmation that says how many', async () => {
    agent.pairings = [pairingSummary(), pairingSummary({ id: 'b' as PairingId, device: { name: 'Laptop', platform: 'firefox' } }), pairingSummary({ id: 'c' as PairingId, device: { name: 'Tablet', platform: 'android' } })]
    await open()
    await wrapper.get('tbody tr button[aria-haspopup="menu"]').trigger('click')
    await wrapper.findAll('[role="menuitem"]').find((item) => item.text() === 'Revoke')!.trigger('click')
    expect(wrapper.get('dialog h2').text()).toBe('Revoke “Work phone” on Pixel 8?')
    expect(agent.inputs('pairingsRevoke')).toEqual([])
    await wrapper.get('dialog').findAll('button').find((b) => b.text() === 'Revoke')!.trigger('click')
    await flushPromises()
    expect(agent.inputs('pairingsRevoke')).toEqual([{ id: pairingSummary().id }])
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(wrapper.text()).toContain('“Work phone” on Pixel 8 revoked: it can no longer connect to your vault.')

    await button('Revoke all')!.trigger('click')
    expect(wrapper.get('dialog h2').text()).toBe('Revoke all 2 connected apps?')
    await wrapper.get('dialog').findAll('button').find((b) => b.text() === 'Cancel')!.trigger('click')
    expect(agent.inputs('pairingsRevokeAll')).toEqual([])
    await button('Revoke all')!.trigger('click')
    await wrapper.get('dialog').findAll('button').find((b) => b.text() === 'Revoke all')!.trigger('click')
    await flushPromises()
    expect(agent.inputs('pairingsRevokeAll')).toEqual([{}])
    expect(rows().map((row) => row[7])).toEqual([expect.stringMatching(/^EndedRevoked\w/), expect.stringMatching(/^EndedBy Revoke all\w/), expect.stringMatching(/^EndedBy Revoke all\w/)])
    expect(button('Revoke all')).toBeUndefined()
  })

  it('checks the idle days by the contract’s rule before saving them', async () => {
    await open()
    const days = wrapper.get('input[name="idleRevokeDays"]')
    expect((days.element as HTMLInputElement).value).toBe('90')
    await days.setValue('4000')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('#settings-idle-days-error').text()).toBe('The number of days is at most 3650.')
    await days.setValue('-1')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('#settings-idle-days-error').text()).toBe('Enter a whole number of days (0 = never).')
    expect(agent.inputs('agentSetIdleDays')).toEqual([])
    await days.setValue('0')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(agent.inputs('agentSetIdleDays')).toEqual([{ days: 0 }])
    expect(wrapper.text()).toContain('Saved. Connections are never revoked for being unused.')
  })
})
