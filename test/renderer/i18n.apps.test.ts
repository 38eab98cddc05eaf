import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import KeyCreatedScreen from '../../src-renderer/components/apps/KeyCreatedScreen.vue'
import { recordedRoleName, roleName } from '../../src-renderer/components/app-keys/role-text'
import { applyLocale, i18n, type Locale } from '../../src-renderer/i18n'
import ApplicationKeysView from '../../src-renderer/views/ApplicationKeysView.vue'
import MyAppsView from '../../src-renderer/views/MyAppsView.vue'
import type { Result } from '../../src-shared/errors'
import type { AppKeyId, AppKeySummary, Role, RoleId } from '../../src-shared/types/app-keys'
import type { AppCreated, AppId, AppSummary } from '../../src-shared/types/apps'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'
const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value })

const app = (over: Partial<AppSummary>): AppSummary => ({
  id: 'a' as AppId,
  name: 'Work phone',
  type: 'mobile',
  createdAt: '2026-05-01T09:00:00.000Z',
  updatedAt: '2026-05-01T09:00:00.000Z',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  status: 'pending',
  ...over,
})
const APPS = [app({ id: 'p' as AppId }), app({ id: 'b' as AppId, name: 'Laptop browser', type: 'extension', status: 'active', lastUsedAt: '2026-05-01T09:30:00.000Z' })]

const READER: Role = { id: 'secrets-reader' as RoleId, name: 'API secrets reader', builtin: true, permissions: ['secrets:read'], tags: ['prod', 'ops'], keyCount: 2 }
const key = (id: string, over: Partial<AppKeySummary> = {}): AppKeySummary => ({
  key: id as AppKeyId,
  type: 'internal',
  label: id,
  account: null,
  status: 'active',
  roles: [{ id: READER.id, name: READER.name }],
  createdAt: '2026-01-01T12:00:00.000Z',
  lastUsedAt: null,
  hasPublicKey: false,
  ...over,
})
const KEYS = [key('keyhold-aaaaaa-mine1'), key('partner-1', { type: 'external', label: null, account: 'acme' })]

function api() {
  const fake = new FakeVault().existing(PASSWORD)
  fake.state = 'unlocked'
  return fake.api({ appsList: () => ok(APPS), appKeysList: () => ok(KEYS), rolesList: () => ok([READER]) })
}

/** Every English word these screens show, which must be gone from their Portuguese. */
const ENGLISH = /\b(My apps|New key|Current|Expired and revoked|Pending|Active|Mobile app|Extension|Never|Revoke|Lost a key|Application Keys|Manage My Keys|Export|Add 3rd Party Key|This vault|Internal|Third party|No public key|Labels of your own keys)\b/

describe('My apps and Application Keys in Brazilian Portuguese', () => {
  let wrapper: VueWrapper
  afterEach(() => {
    wrapper.unmount()
    applyLocale('en')
  })

  it('My apps: header, filters, table, statuses and types are in Portuguese, with no English left', async () => {
    ;({ wrapper } = await mountWith(api(), { component: MyAppsView, path: '/my-apps', locale: 'pt-BR' }))
    await flushPromises()
    const text = wrapper.text()
    expect(wrapper.get('h1').text()).toBe('Meus apps')
    expect(wrapper.findAll('.filter span:first-of-type').map((s) => s.text())).toEqual(['Atuais', 'Expirados e revogados', 'Todos'])
    expect(wrapper.get('[role="radiogroup"]').attributes('aria-label')).toBe('Mostrar')
    for (const word of ['Nova chave', 'Pendente', 'Ativo', 'App de celular', 'Extensão', 'Nunca', 'Perdeu uma chave ou um dispositivo?'])
      expect(text).toContain(word)
    expect(wrapper.get('caption').text()).toBe('Aplicativos registrados')
    expect(text).not.toMatch(ENGLISH)
  })

  it('My apps: the New key dialog and its validation speak Portuguese', async () => {
    ;({ wrapper } = await mountWith(api(), { component: MyAppsView, path: '/my-apps', locale: 'pt-BR' }))
    await wrapper.findAll('button').find((b) => b.text() === 'Nova chave')!.trigger('click')
    await flushPromises()
    const dialog = () => wrapper.get('dialog')
    expect(dialog().text()).toContain('Gere uma chave de autorização para um aplicativo.')
    expect(dialog().text()).toContain('Data de expiração')
    expect(dialog().text()).toContain('Tipo de aplicativo')
    await wrapper.get('input[name="app-name"]').setValue('Work phone')
    await wrapper.get('select[name="expiration-time"]').setValue('10:00')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(dialog().text()).toContain('Escolha uma data para a expiração ou limpe a hora.')
    expect(dialog().text()).toContain('Escolha o tipo de aplicativo.')
    expect(dialog().text()).not.toMatch(/Choose|Expiration|Application type/)
  })

  it('Application Keys: header, table, permissions and notes are in Portuguese; a built-in role by its Portuguese name', async () => {
    ;({ wrapper } = await mountWith(api(), { component: ApplicationKeysView, path: '/application-keys', locale: 'pt-BR' }))
    await flushPromises()
    const text = wrapper.text()
    expect(wrapper.get('h1').text()).toBe('Chaves de aplicação')
    for (const word of ['Gerenciar minhas chaves', 'Exportar', 'Adicionar chave de terceiros', 'Este cofre', 'Interna', 'Terceiros', 'Sem chave pública', 'Ativa'])
      expect(text).toContain(word)
    expect(text).toContain('Leitor de segredos de API')
    expect(text).not.toContain('API secrets reader')
    expect(text).not.toMatch(ENGLISH)
  })
})

describe('KeyCreatedScreen in each language', () => {
  let wrapper: VueWrapper
  afterEach(() => {
    wrapper.unmount()
    applyLocale('en')
  })

  const created = (network: AppCreated['network']): AppCreated => ({
    app: app({ id: '22222222-2222-4222-8222-222222222222' as AppId }),
    code: 'TJKJ-7K61-XP0J-Y7EG-GBTZ-X5XG-0Z2F',
    uri: 'keyhold://pair?v=1',
    qr: 'data:image/png;base64,',
    network,
  })
  const show = (value: AppCreated, locale: Locale) => {
    applyLocale(locale)
    wrapper = mount(KeyCreatedScreen, { props: { created: value }, global: { plugins: [i18n] }, attachTo: document.body })
  }
  const hosts = { hosts: ['192.168.1.20:50123', '10.0.0.5:50123', '[fd00::1]:50123'], fingerprint: 'x' }

  it('says where the phone connects, and what to do without a network, in the same English as before', () => {
    show(created(hosts), 'en')
    // textContent, untrimmed, as the Chromium test reads it.
    expect(wrapper.get('[data-testid="app-network"]').element.textContent).toBe(
      'Your phone will connect to 192.168.1.20:50123, 10.0.0.5:50123 or [fd00::1]:50123 on this network.',
    )
    wrapper.unmount()
    show(created(null), 'en')
    expect(wrapper.get('[data-testid="app-no-network"]').text()).toBe(
      'No phone can reach this computer yet. Keyhold is not listening for phones on your network, so this QR code does not say where to connect. Close this screen, turn on Phones on this network in Settings > Connected apps, check that this computer and your phone are on the same network, then generate a new key.',
    )
    expect(wrapper.get('[data-testid="app-no-network"] .nowrap').text()).toBe('Settings > Connected apps')
  })

  it('says it in Portuguese', () => {
    show(created(hosts), 'pt-BR')
    expect(wrapper.get('[data-testid="app-network"]').text()).toBe(
      'Seu celular vai se conectar a 192.168.1.20:50123, 10.0.0.5:50123 ou [fd00::1]:50123 nesta rede.',
    )
    expect(wrapper.get('img[data-testid="app-qr"]').attributes('alt')).toBe('Código QR da chave de autorização de Work phone')
    expect(wrapper.text()).toContain('Esta chave é mostrada uma única vez.')
    expect(wrapper.text()).toContain('Nunca (até ser revogada)')
    expect(wrapper.text()).not.toMatch(/Your phone|shown only once|Never|Application type|Done/)
  })
})

describe('role names', () => {
  afterEach(() => applyLocale('en'))

  it("a built-in role's name is Keyhold's words, in the app's language; a role a person named keeps its name", () => {
    applyLocale('pt-BR')
    expect(roleName({ id: 'audit-reader', name: 'Audit reader' })).toBe('Leitor de auditoria')
    expect(roleName({ id: '0b7c9a4e-1111-4222-8333-444455556666', name: 'Audit reader copy' })).toBe('Audit reader copy')
    expect(recordedRoleName('API secrets editor')).toBe('Editor de segredos de API')
    expect(recordedRoleName('Deployers')).toBe('Deployers')
    applyLocale('en')
    expect(roleName({ id: 'audit-reader', name: 'Audit reader' })).toBe('Audit reader')
  })
})
