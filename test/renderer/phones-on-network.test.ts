import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import NewKeyDialog from '../../src-renderer/components/apps/NewKeyDialog.vue'
import KeyCreatedScreen from '../../src-renderer/components/apps/KeyCreatedScreen.vue'
import ConnectedApps from '../../src-renderer/components/settings/ConnectedApps.vue'
import { applyLocale, i18n } from '../../src-renderer/i18n'
import { useAgentStore } from '../../src-renderer/stores/agent.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import type { KeyholdApi } from '../../src-shared/ipc/contract'
import type { AppCreated, AppId } from '../../src-shared/types/apps'
import { FakeAgent, FakeVault, NETWORK_FINGERPRINT } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'

describe('Settings > Connected apps > Phones on this network', () => {
  let agent: FakeAgent
  let wrapper: VueWrapper

  async function open(): Promise<void> {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    ;({ wrapper } = await mountWith(fake.api(agent.api()), { component: ConnectedApps, path: '/settings' }))
    await useVaultStore().refresh()
    await flushPromises()
  }
  const section = () => wrapper.get('section[aria-labelledby="settings-phones"]')
  const toggle = () => section().get('input[name="networkOn"]')
  const keepOn = () => section().get('input[name="networkKeepOn"]')
  const whileLocked = () => section().get('input[name="networkWhileLocked"]')
  const state = () => section().get('[data-testid="phones-state"]').text()
  const checked = (input: ReturnType<typeof toggle>) => (input.element as HTMLInputElement).checked
  const facts = () => section().findAll('.facts > div').map((row) => [row.get('dt').text(), row.get('dd').text()])

  beforeEach(() => {
    agent = new FakeAgent()
  })
  afterEach(() => wrapper.unmount())

  it('is off with its explanation, Keep on and Also while locked, and shows no address', async () => {
    await open()
    expect(wrapper.get('#settings-phones').text()).toBe('Phones on this network')
    expect(section().text()).toContain(
      "Lets the Keyhold app on your phone reach this vault over your local network. Off unless you turn it on or show a Mobile app key's QR code.",
    )
    expect(toggle().attributes('role')).toBe('switch')
    expect(toggle().attributes('aria-describedby')).toBe('settings-phones-state')
    expect(checked(toggle())).toBe(false)
    expect(state()).toBe('Off: phones cannot reach this vault over the network.')
    expect(section().find('.facts').exists()).toBe(false)
    expect([checked(keepOn()), checked(whileLocked())]).toEqual([false, false])
    expect(section().text()).toContain('Keep on when no phone is paired')
    expect(section().text()).toContain('Also while Keyhold is locked')
  })

  it('turns on and shows each address with its interface, the port, the fingerprint and the phones connected; off hides them', async () => {
    await open()
    await toggle().setValue(true)
    await flushPromises()
    expect(agent.inputs('agentSetNetwork')).toEqual([{ on: true }])
    expect(checked(toggle())).toBe(true)
    expect(state()).toBe('On: phones on your local network can reach Keyhold.')
    expect(facts()).toEqual([
      ['Addresses', '192.168.1.20 on wlan0127.0.0.1 on lo'],
      ['Port', '50123'],
      ['Certificate fingerprint (phones check this)', NETWORK_FINGERPRINT],
      ['Phones connected', '0'],
    ])
    expect(section().findAll('.addresses li').map((li) => li.text())).toEqual(['192.168.1.20 on wlan0', '127.0.0.1 on lo'])
    expect(section().get('[data-testid="phones-fingerprint"]').classes()).toContain('mono')

    await toggle().setValue(false)
    await flushPromises()
    expect(agent.inputs('agentSetNetwork')).toEqual([{ on: true }, { on: false }])
    expect(section().find('.facts').exists()).toBe(false)
    expect(section().text()).not.toContain('192.168.1.20')
  })

  it('keeps Keep on and Also while locked in main, and shows main’s state with the error when saving fails', async () => {
    await open()
    await keepOn().setValue(true)
    await flushPromises()
    await whileLocked().setValue(true)
    await flushPromises()
    expect(agent.inputs('agentSetNetwork')).toEqual([{ keepOn: true }, { whileLocked: true }])
    expect([checked(keepOn()), checked(whileLocked())]).toEqual([true, true])

    agent.networkFailure = { ok: false, error: { code: 'DISK_FULL', message: 'The disk is full, so nothing was saved. Free some space and try again.' } }
    await keepOn().setValue(false)
    await flushPromises()
    expect(checked(keepOn())).toBe(true)
    expect(section().get('[role="alert"]').text()).toBe('The disk is full, so nothing was saved. Free some space and try again.')
    await toggle().setValue(true)
    await flushPromises()
    expect(checked(toggle())).toBe(false)
  })

  it('says why it does not listen although on: main’s problem in an alert, or the agent switched off above', async () => {
    agent.network = { ...agent.network, on: true, problem: 'This computer is on no private network, so no phone can reach it.' }
    await open()
    expect(state()).toBe('On, but not listening.')
    expect(section().get('[role="alert"]').text()).toBe('This computer is on no private network, so no phone can reach it.')
    expect(section().find('.facts').exists()).toBe(false)
    wrapper.unmount()

    agent.network = { ...agent.network, problem: null }
    agent.status = { ...agent.status, enabled: false, listening: false, endpoint: null }
    await open()
    expect(state()).toBe('On, but not listening: turn on “Let paired apps and application keys connect to Keyhold” above first.')
  })

  it('asks main again when the agent’s connections change (a phone connected), not on every status refresh', async () => {
    await open()
    await toggle().setValue(true)
    await flushPromises()
    const asked = () => agent.inputs('agentNetworkStatus').length
    const before = asked()
    await useAgentStore().loadStatus()
    await flushPromises()
    expect(asked()).toBe(before)

    agent.network = { ...agent.network, connections: 1 }
    agent.status = { ...agent.status, connections: 1 }
    await useAgentStore().loadStatus()
    await flushPromises()
    expect(asked()).toBe(before + 1)
    expect(section().get('[data-testid="phones-connected"]').text()).toBe('1')
  })
})

describe('KeyCreatedScreen: where a phone will connect', () => {
  let wrapper: VueWrapper
  afterEach(() => wrapper.unmount())

  const created = (type: 'mobile' | 'extension', network?: AppCreated['network']): AppCreated => ({
    app: {
      id: '22222222-2222-4222-8222-222222222222' as AppId,
      name: 'Work phone',
      type,
      status: 'pending',
      createdAt: '2026-05-01T09:00:00.000Z',
      updatedAt: '2026-05-01T09:00:00.000Z',
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    },
    code: 'TJKJ-7K61-XP0J-Y7EG-GBTZ-X5XG-0Z2F',
    uri: 'keyhold://pair?v=1',
    qr: 'data:image/png;base64,',
    ...(network !== undefined && { network }),
  })
  const show = (value: AppCreated) => {
    applyLocale('en')
    wrapper = mount(KeyCreatedScreen, { props: { created: value }, global: { plugins: [i18n] }, attachTo: document.body })
  }

  it('lists every host a Mobile app key’s QR code carries', () => {
    show(created('mobile', { hosts: ['192.168.1.20:50123', '10.0.0.5:50123', '[fd00::1]:50123'], fingerprint: NETWORK_FINGERPRINT }))
    expect(wrapper.get('[data-testid="app-network"]').text()).toBe(
      'Your phone will connect to 192.168.1.20:50123, 10.0.0.5:50123 or [fd00::1]:50123 on this network.',
    )
    expect(wrapper.find('[data-testid="app-no-network"]').exists()).toBe(false)
  })

  it('warns, with what to do, when nothing listens for phones', () => {
    show(created('mobile', null))
    expect(wrapper.find('[data-testid="app-network"]').exists()).toBe(false)
    const warning = wrapper.get('[data-testid="app-no-network"]')
    expect(warning.attributes('role')).toBe('alert')
    expect(warning.text()).toContain('No phone can reach this computer yet.')
    expect(warning.text()).toContain('turn on Phones on this network in Settings > Connected apps')
  })

  it('says nothing about the network for an Extension key', () => {
    show(created('extension'))
    expect(wrapper.find('[data-testid="app-network"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="app-no-network"]').exists()).toBe(false)
  })
})

describe('NewKeyDialog: closing a key screen', () => {
  let wrapper: VueWrapper
  afterEach(() => wrapper.unmount())

  /** Saves a key of `type` in the dialog, closes its screen with Done > Close it, and returns the close event's problem. */
  async function createAndClose(type: 'mobile' | 'extension', agent: FakeAgent, qrClosed?: KeyholdApi['agentQrClosed']): Promise<unknown[]> {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    const app = { id: '22222222-2222-4222-8222-222222222222' as AppId, name: 'Work phone', type, status: 'pending' as const, createdAt: '2026-05-01T09:00:00.000Z', updatedAt: '2026-05-01T09:00:00.000Z', expiresAt: null, lastUsedAt: null, revokedAt: null }
    const api = fake.api({
      ...agent.api(),
      ...(qrClosed && { agentQrClosed: qrClosed }),
      appsCreate: async () => ({ ok: true, value: { app, code: 'TJKJ-7K61-XP0J-Y7EG-GBTZ-X5XG-0Z2F', uri: 'keyhold://pair?v=1', qr: 'data:image/png;base64,', ...(type === 'mobile' && { network: { hosts: ['192.168.1.20:50123'], fingerprint: NETWORK_FINGERPRINT } }) } }),
    })
    ;({ wrapper } = await mountWith(api, { component: NewKeyDialog, path: '/my-apps' }))
    await useVaultStore().refresh()
    await wrapper.get('input[name="app-name"]').setValue('Work phone')
    await wrapper.get(`input[name="app-type"][value="${type}"]`).setValue(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    await wrapper.findAll('button').find((b) => b.text() === 'Done')!.trigger('click')
    await wrapper.findAll('button').find((b) => b.text() === 'Close it')!.trigger('click')
    await flushPromises()
    return wrapper.emitted('close')![0]!
  }

  it('tells main a Mobile app key’s QR code closed, and never for an Extension key', async () => {
    const agent = new FakeAgent()
    expect(await createAndClose('extension', agent)).toEqual([undefined])
    expect(agent.inputs('agentQrClosed')).toEqual([])
    wrapper.unmount()
    expect(await createAndClose('mobile', agent)).toEqual([undefined])
    expect(agent.inputs('agentQrClosed')).toEqual([{ id: '22222222-2222-4222-8222-222222222222' }])
  })

  it('closes all the same when main cannot be told, and says what may still be on', async () => {
    const [problem] = await createAndClose('mobile', new FakeAgent(), async () => ({ ok: false, error: { code: 'VAULT_LOCKED', message: '' } }))
    expect(problem).toBe(
      'Phones on this network may still be on: The vault is locked. Unlock it with your master password to continue. Check it in Settings > Connected apps.',
    )
  })
})
