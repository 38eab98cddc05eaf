import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { detailText, eventText, searchMatches } from '../../src-renderer/components/activity/words'
import { applyLocale, localeMessages, flattenMessages as flatten } from '../../src-renderer/i18n'
import ActivityView from '../../src-renderer/views/ActivityView.vue'
import { FakeActivity, RESTORED, STRIPE_ID } from './activity.fake'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'

const all = localeMessages()
const english = flatten(all.en)
const portuguese = flatten(all['pt-BR'])

/**
 * The English words of the activity area that a Portuguese screen must not show: each fixed
 * part of each message (the text between its placeholders, every plural branch), not the same
 * in Portuguese. Short parts ("By", "To", "Key") are matched as whole words only.
 */
const ENGLISH_ONLY = [...english]
  .filter(([key]) => key.startsWith('activity.'))
  .flatMap(([key, message]) =>
    message
      .split(' | ')
      .flatMap((branch) => branch.split(/\{\w+\}/))
      .map((part) => part.trim())
      .filter((part) => /[A-Za-z]{2}/.test(part) && !portuguese.get(key)!.includes(part))
      .map((part) => [key, part] as const),
  )

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The English of this area left on a screen: in its text, and in what it says to screen readers and the mouse. */
function englishOn(wrapper: VueWrapper, except: string[] = []): string[] {
  const attributes = [...wrapper.element.querySelectorAll('[aria-label], [title], [placeholder], optgroup[label]')]
    .flatMap((element) => ['aria-label', 'title', 'placeholder', 'label'].map((name) => element.getAttribute(name) ?? ''))
    .join('\n')
  // Each text node apart: cells and options touch in textContent ("Client secret shownThe app").
  const walker = document.createTreeWalker(wrapper.element, NodeFilter.SHOW_TEXT)
  const texts: string[] = []
  for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node.textContent ?? '')
  let shown = `${texts.join('\n')}\n${attributes}`
  for (const text of except) shown = shown.replaceAll(text, '')
  return ENGLISH_ONLY.filter(([, text]) => new RegExp(`(^|[^\\p{L}\\p{N}])${escape(text)}($|[^\\p{L}\\p{N}])`, 'u').test(shown)).map(
    ([key, text]) => `${key}: ${text}`,
  )
}

describe('Activity in Brazilian Portuguese', () => {
  let wrapper: VueWrapper | undefined
  let fake: FakeActivity

  async function open(path = '/activity'): Promise<VueWrapper> {
    fake ??= new FakeActivity()
    const vault = new FakeVault().existing(PASSWORD)
    vault.state = 'unlocked'
    ;({ wrapper } = await mountWith(vault.api(fake.api()), { component: ActivityView, path, locale: 'pt-BR' }))
    return wrapper
  }
  const cellsOf = (w: VueWrapper, seq: number) =>
    w
      .get(`tr[data-seq="${seq}"]`)
      .findAll('th, td')
      .map((c) => {
        const sub = c.find('.sub').exists() ? c.get('.sub').text() : ''
        return [c.text().slice(0, c.text().length - sub.length).trim(), sub].filter(Boolean).join(' ')
      })
  const button = (w: VueWrapper, text: string) => w.findAll('button').find((b) => b.text() === text)!

  afterEach(() => {
    wrapper?.unmount()
    wrapper = undefined
    fake = undefined as unknown as FakeActivity
    applyLocale('en')
  })

  it('describes every entry in Portuguese: the event, who, on what, how it ended, the detail', async () => {
    const w = await open()
    expect(w.get('h1').text()).toBe('Atividade')
    expect(cellsOf(w, 1).slice(2)).toEqual(['Desbloqueado', 'O app', 'Cofre', 'Concluído', 'Com a senha mestra'])
    expect(cellsOf(w, 2)[2]).toBe('Segredo de API adicionado')
    expect(cellsOf(w, 3)[2]).toBe('Segredo do cliente exibido')
    expect(cellsOf(w, 4).slice(2)).toEqual(['Segredo do cliente copiado', 'O app', 'Stripe prod Segredo de API', 'Permitido', '—'])
    expect(cellsOf(w, 5).slice(2)).toEqual(['Pareado', 'O app', 'Work phone Aplicativo', 'Permitido', 'Pixel 8 · todos os segredos de API'])
    expect(cellsOf(w, 6).slice(2)).toEqual(['Solicitação', 'Work phone App pareado', 'Segredo de API 0b7c1f2e…', 'Permitido', 'secrets.get'])
    expect(cellsOf(w, 7).slice(5)).toEqual(['Recusado', 'audit.list'])
    expect(cellsOf(w, 8).slice(2, 4)).toEqual(['Chave usada', 'keyhold-a1b2c3-abcdefghjkmn Chave de aplicação'])
    expect(cellsOf(w, 9).slice(2)).toEqual(['Senha incorreta', 'O app', 'Cofre', 'Falhou', '3 vezes'])
    // The stored event name stays in the title; the target's link says whose activity it opens.
    expect(w.get('tr[data-seq="4"] th').attributes('title')).toBe('secret.copied')
    expect(w.get('tr[data-seq="4"] a').attributes('aria-label')).toBe('Atividade de Stripe prod')
    expect(w.get('tr[data-seq="8"] td.by').attributes('title')).toBe('ID: keyhold-a1b2c3-abcdefghjkmn')
    // Dates in the app's language (lib/date-time.ts): 1 May 2026 in Portuguese.
    expect(w.get('tr[data-seq="1"] td.when').text()).toMatch(/1 de mai\.? de 2026/)
    expect(w.findAll('thead th').map((th) => th.text())).toEqual(['#', 'Horário', 'Evento', 'Por', 'Alvo', 'Resultado', 'Detalhe'])
    expect(w.text()).toContain('As entradas são mantidas por 365 dias, no máximo 100.000 entradas; você pode mudar isso em Configurações.')
    expect(w.get('.more').text()).toBe('9 entradas exibidas: o registro inteiro')
    expect(englishOn(w)).toEqual([])
  })

  it('offers its filters in Portuguese, and finds entries by the Portuguese words on screen', async () => {
    const w = await open()
    const event = w.get('#activity-event')
    expect(event.findAll('optgroup').map((g) => g.attributes('label'))).toEqual([
      'Segredos de API',
      'Meus apps',
      'Chaves de aplicação',
      'Cofre',
      'Terminais',
      'Registro de atividades',
    ])
    expect(event.get('option').text()).toBe('Todos os eventos')
    expect(event.findAll('option').map((o) => o.text())).toContain('ID do cliente ou segredo do cliente copiado')
    expect(w.get('#activity-actor').findAll('option').map((o) => o.text())).toEqual([
      'Qualquer um',
      'Este app',
      'O comando keyhold',
      'Apps pareados',
      'Chaves de aplicação',
      'O agente de acesso',
      'O próprio Keyhold',
    ])
    expect(w.get('#activity-search').attributes('placeholder')).toBe('Pesquisar nomes, eventos, quem fez')

    await w.get('#activity-search').setValue('senha incorreta')
    await new Promise((resolve) => setTimeout(resolve, 250))
    await flushPromises()
    expect(fake.listCalls.at(-1)).toMatchObject({ search: 'senha incorreta', searchEvents: ['vault.unlock-failed'] })
    expect(w.findAll('tbody tr').map((r) => r.attributes('data-seq'))).toEqual(['9'])
    expect(w.get('.more').text()).toBe('1 entrada exibida')

    // A range that ends before it starts is explained in Portuguese.
    await w.get('#activity-from').setValue('2026-05-03')
    await w.get('#activity-from').trigger('change')
    await w.get('#activity-to').setValue('2026-05-01')
    await w.get('#activity-to').trigger('change')
    await flushPromises()
    expect(w.text()).toContain('A data “Até” é anterior à data “De”.')
    expect(englishOn(w)).toEqual([])
  })

  it('says what Verify found, explains an older copy and confirms accepting it, all in Portuguese', async () => {
    fake = new FakeActivity()
    fake.verification = { ...RESTORED }
    const w = await open()
    await button(w, 'Verificar').trigger('click')
    await flushPromises()
    const alert = w.get('[role="alert"].tone-error')
    expect(alert.text()).toContain('Este cofre é uma cópia antiga.')
    expect(alert.text()).toContain('o arquivo .bak ao lado do cofre')
    // Main's own sentence of what is wrong is the core's (English, as the CLI says it): the only English allowed here.
    expect(englishOn(w, [RESTORED.problem!])).toEqual([])

    await button(w, 'Aceitar este cofre como restaurado').trigger('click')
    await flushPromises()
    const dialog = w.get('dialog')
    expect(dialog.get('h2').text()).toBe('Aceitar este cofre como restaurado?')
    expect(dialog.text()).toContain('fica no registro de atividades como “Cópia antiga do cofre aceita”')
    expect(dialog.text()).toContain('escolha Cancelar.')
    expect(englishOn(w, [RESTORED.problem!])).toEqual([])
    await dialog.findAll('button').find((b) => b.text() === 'Aceitar como restaurado')!.trigger('click')
    await flushPromises()
    expect(w.get('[role="status"].tone-success').text()).toBe(
      'Este cofre foi aceito como restaurado, e isso consta no registro de atividades. Todas as 10 entradas estão intactas (entradas 1 a 10).',
    )
    expect(w.get('tr[data-seq="10"] th').text()).toBe('Cópia antiga do cofre aceita')
    expect(w.get('tr[data-seq="10"] td.detail').text()).toBe('O registro do cofre termina na entrada 9; este computador tinha visto a entrada 14')
    expect(englishOn(w)).toEqual([])
  })

  it('says in Portuguese where the export went, and what an empty or filtered page means', async () => {
    fake = new FakeActivity()
    let w = await open()
    await button(w, 'Exportar CSV').trigger('click')
    await flushPromises()
    expect(w.get('[role="status"].tone-success').text()).toBe('9 entradas exportadas para /home/me/keyhold-activity-2026-05-01.csv.')
    w.unmount()

    fake = new FakeActivity()
    w = await open(`/activity?target=${STRIPE_ID}&name=Stripe%20prod`)
    expect(w.get('.target-chip').text()).toBe('Mostrando a atividade de “Stripe prod”')
    expect(w.get('.target-chip button').attributes('aria-label')).toBe('Mostrar a atividade de todos')
    expect(englishOn(w)).toEqual([])
    w.unmount()

    fake = new FakeActivity()
    fake.entries = []
    w = await open()
    expect(w.get('h2').text()).toBe('Nenhuma atividade ainda')
    expect(w.get('a.btn-primary').text()).toBe('Abrir segredos de API')
    expect(englishOn(w)).toEqual([])
  })

  it('follows a change of language at once, without reloading', async () => {
    const w = await open()
    expect(w.get('tr[data-seq="4"] th').text()).toBe('Segredo do cliente copiado')
    applyLocale('en')
    await nextTick()
    expect(w.get('tr[data-seq="4"] th').text()).toBe('Client secret copied')
    expect(w.get('tr[data-seq="9"] td.detail').text()).toBe('3 times')
    expect(w.get('#activity-event optgroup').attributes('label')).toBe('API secrets')
    expect(w.get('.more').text()).toBe('9 entries shown: the whole log')
    // The check of the other tests sees English when there is some.
    expect(englishOn(w)).toEqual(
      expect.arrayContaining(['activity.events.secretRevealed: Client secret shown', 'activity.filters.by: By', `activity.page.note: ${english.get('activity.page.note')}`]),
    )
    applyLocale('pt-BR')
    await nextTick()
    expect(w.get('tr[data-seq="9"] th').text()).toBe('Senha incorreta')
  })
})

describe('activity words in Brazilian Portuguese', () => {
  afterEach(() => applyLocale('en'))

  it('agree with the field copied, count with Portuguese numbers, and search by the words in use', () => {
    applyLocale('pt-BR')
    expect(eventText({ event: 'secret.copied', detail: { field: 'url' } })).toBe('URL copiada')
    expect(eventText({ event: 'secret.copied', detail: { field: 'clientId' } })).toBe('ID do cliente copiado')
    expect(detailText({ event: 'log.retention-changed', detail: { days: 30, entries: 1000, previousDays: 365, previousEntries: 100_000 } })).toBe(
      '30 dias, 1.000 entradas (antes: 365 dias, 100.000 entradas)',
    )
    expect(detailText({ event: 'vault.unlock-failed', detail: { count: 1 } })).toBe('Uma vez')
    expect(detailText({ event: 'secret.edited', detail: { fields: ['name', 'url', 'notes'] } })).toBe('Alterado: Nome, URL, Notas')
    expect(detailText({ event: 'app.signed-out', detail: { device: 'Pixel 8', reason: 'timeout' } })).toBe('Pixel 8 · ninguém respondeu a tempo')
    expect(detailText({ event: 'vault.unlock-failed', detail: { count: 2, journal: true, earlierDropped: 1 } })).toBe(
      '2 vezes · Do diário (sem proteção contra adulteração) · 1 anterior não foi mantida',
    )
    expect(searchMatches('copiado').events).toEqual(['secret.copied'])
    expect(searchMatches('o comando keyhold')).toEqual({ events: [], actorTypes: ['cli'] })
    // The words on screen are Portuguese now: the English ones no longer name an event.
    expect(searchMatches('wrong password')).toEqual({ events: [], actorTypes: [] })
  })
})
