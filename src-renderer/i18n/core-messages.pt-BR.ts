/**
 * Brazilian Portuguese for the sentences the core sends the app (errors' `message`, each
 * field's message in `fields`, the schemas' messages the forms check with, and the `problem`
 * and `warning` texts of statuses). The core and the CLI stay English; core-messages.ts looks a
 * message up here. Keys are the English exactly as the core writes it: a change of wording
 * there needs the same change here (test/renderer/core-messages.test.ts reads the sources and
 * fails on a message without Portuguese).
 * A TS module rather than vue-i18n JSON: the keys are English sentences, and messages with
 * variable parts (names, paths, numbers) are patterns whose parts go back in unchanged.
 */

/** A translator of a whole core message: its Portuguese, or undefined when it is not known. */
export type Translate = (english: string) => string | undefined

/** A message with variable parts: `pt` builds the Portuguese from the captures (undefined: not known after all). */
export interface Pattern {
  re: RegExp
  pt: (m: RegExpExecArray, translate: Translate) => string | undefined
}

/** A pattern from a template: its text is a regular expression, each `${re}` inserts that one's source; anchored. */
function re(strings: TemplateStringsArray, ...parts: RegExp[]): RegExp {
  return new RegExp(`^${strings.raw.map((s, i) => (i === 0 ? s : parts[i - 1]!.source + s)).join('')}$`, 's')
}

const pattern = (regex: RegExp, pt: Pattern['pt']): Pattern => ({ re: regex, pt })

/** Sentences without a variable part. */
export const SENTENCES: Readonly<Record<string, string>> = {
  // Errors anywhere (src-shared/errors.ts, src-main/ipc, the core's thread)
  'Something went wrong inside Keyhold. Your vault was not changed; try again, and restart Keyhold if it persists.':
    'Algo deu errado dentro do Keyhold. Seu cofre não foi alterado; tente novamente e reinicie o Keyhold se o problema continuar.',
  'Keyhold does not know that request. Restart Keyhold.': 'O Keyhold não conhece essa solicitação. Reinicie o Keyhold.',
  'This request did not come from the Keyhold window, so it was refused.': 'Esta solicitação não veio da janela do Keyhold, então foi recusada.',
  "Keyhold's vault engine stopped unexpectedly, so the vault is locked. Unlock it again; if this keeps happening, restart Keyhold.":
    'O mecanismo do cofre do Keyhold parou inesperadamente, então o cofre foi bloqueado. Desbloqueie-o de novo; se isso continuar acontecendo, reinicie o Keyhold.',
  // The renderer's own INTERNAL error when the preload's bridge is missing (src-renderer/api/client.ts), shown through errorText like main's
  'Keyhold cannot reach its vault. Close this window and start Keyhold again.': 'O Keyhold não consegue alcançar o cofre. Feche esta janela e abra o Keyhold de novo.',

  // Vault
  'The vault is locked. Unlock it with your master password to continue.': 'O cofre está bloqueado. Desbloqueie-o com sua senha mestra para continuar.',
  'The vault is locked. Unlock it to continue.': 'O cofre está bloqueado. Desbloqueie-o para continuar.',
  'There is no vault yet. Create one first.': 'Ainda não há um cofre. Crie um primeiro.',
  'That master password is not correct. Check Caps Lock and the keyboard layout, and try again.':
    'Essa senha mestra não está correta. Verifique o Caps Lock e o layout do teclado e tente novamente.',
  'This device is not remembered for this vault. Unlock with your master password.':
    'Este dispositivo não está lembrado para este cofre. Desbloqueie com sua senha mestra.',
  'This device is no longer remembered for this vault. Unlock with your master password.':
    'Este dispositivo não está mais lembrado para este cofre. Desbloqueie com sua senha mestra.',
  'Confirm your master password to manage keys (it is asked again after 5 minutes).':
    'Confirme sua senha mestra para gerenciar chaves (ela é pedida de novo após 5 minutos).',
  'Confirm your master password to let this computer unlock the vault without it.':
    'Confirme sua senha mestra para permitir que este computador desbloqueie o cofre sem ela.',
  'The system keychain could not take the new device key, so this computer is no longer remembered for this vault: the next unlock needs the master password.':
    'O chaveiro do sistema não aceitou a nova chave do dispositivo, então este computador não está mais lembrado para este cofre: o próximo desbloqueio vai precisar da senha mestra.',
  'The vault is missing its hashing key. Restore it from its .bak copy or a backup.': 'O cofre está sem a chave de hash dele. Restaure-o da cópia .bak ou de um backup.',
  'The vault is missing its activity log key. Restore it from its .bak copy or a backup.':
    'O cofre está sem a chave do registro de atividades dele. Restaure-o da cópia .bak ou de um backup.',
  'The vault is missing its local access key. Restore it from its .bak copy or a backup.':
    'O cofre está sem a chave de acesso local dele. Restaure-o da cópia .bak ou de um backup.',
  'The vault decrypts but its database is unreadable. Keyhold did not change it; restore it from its .bak copy or a backup.':
    'O cofre é descriptografado, mas o banco de dados dele está ilegível. O Keyhold não o alterou; restaure-o da cópia .bak ou de um backup.',
  'The vault file was replaced by a different vault. Lock and unlock again.': 'O arquivo do cofre foi substituído por outro cofre. Bloqueie e desbloqueie de novo.',
  'The vault file was changed by another program since Keyhold opened it, so your change was not saved. Lock and unlock to load the latest version, then try again.':
    'O arquivo do cofre foi alterado por outro programa desde que o Keyhold o abriu, então sua alteração não foi salva. Bloqueie e desbloqueie para carregar a versão mais recente e tente novamente.',
  'Another Keyhold process is saving this vault right now. Your change was not saved; try again in a moment.':
    'Outro processo do Keyhold está salvando este cofre agora. Sua alteração não foi salva; tente novamente em instantes.',

  // Activity log
  'There is no older copy of the vault to accept: the activity log is not behind what this computer saw.':
    'Não há uma cópia mais antiga do cofre para aceitar: o registro de atividades não está defasado em relação ao que este computador viu.',
  'That file is not JSON. Give the file `keyhold audit export --format json` wrote.': 'Esse arquivo não é JSON. Informe o arquivo gravado por `keyhold audit export --format json`.',
  'That file is not an activity log export. Give the file `keyhold audit export --format json` wrote.':
    'Esse arquivo não é uma exportação do registro de atividades. Informe o arquivo gravado por `keyhold audit export --format json`.',
  'That export is of another vault. Check it with the vault it was exported from (--vault PATH).':
    'Essa exportação é de outro cofre. Verifique-a com o cofre de onde ela foi exportada (--vault PATH).',
  "That export's base is malformed: the file was changed.": 'A base dessa exportação está malformada: o arquivo foi alterado.',
  'That export holds an entry that is not an activity entry: the file was changed.': 'Essa exportação contém uma entrada que não é uma entrada de atividade: o arquivo foi alterado.',
  'There is no save dialog here. Use `keyhold audit export --format csv|json --out FILE`.':
    'Não há janela para salvar aqui. Use `keyhold audit export --format csv|json --out FILE`.',

  // Application keys and roles
  'A key with the same id already exists. Generate again.': 'Já existe uma chave com o mesmo id. Gere de novo.',
  'There is no save dialog here. Use `keyhold key export-csv --out FILE`.': 'Não há janela para salvar aqui. Use `keyhold key export-csv --out FILE`.',
  'The tags only limit reading API secrets: add the secrets:read permission, or remove the tags.':
    'As tags só limitam a leitura de segredos de API: adicione a permissão secrets:read ou remova as tags.',
  'This token can no longer be copied: Keyhold shows it only once and does not keep it. If you did not save it, deactivate the key and generate a new one.':
    'Este token não pode mais ser copiado: o Keyhold o mostra uma única vez e não o guarda. Se você não o guardou, desative a chave e gere uma nova.',

  // My apps and connected apps
  'There is no application with that id in My apps. It may have been removed; reload the list (`keyhold app list`).':
    'Não há aplicativo com esse id em Meus apps. Ele pode ter sido removido; recarregue a lista (`keyhold app list`).',
  'This authorization key is not valid for that application. Generate a new key in My apps and pair again.':
    'Esta chave de autorização não é válida para esse aplicativo. Gere uma nova chave em Meus apps e pareie de novo.',
  'This authorization key was revoked. Generate a new key in My apps and pair again.': 'Esta chave de autorização foi revogada. Gere uma nova chave em Meus apps e pareie de novo.',
  'This authorization key has expired. Generate a new key in My apps and pair again.': 'Esta chave de autorização expirou. Gere uma nova chave em Meus apps e pareie de novo.',
  'The expiration date is in the past. Choose a later date and time, or leave it empty so the key lasts until you revoke it.':
    'A data de expiração já passou. Escolha uma data e hora posteriores ou deixe o campo em branco para que a chave valha até você revogá-la.',
  'Copying is not available here.': 'Não é possível copiar aqui.',
  'This code can no longer be copied: Keyhold shows it only once and does not keep it. If you did not note it, revoke the application and create a new key.':
    'Este código não pode mais ser copiado: o Keyhold o mostra uma única vez e não o guarda. Se você não o anotou, revogue o aplicativo e crie uma nova chave.',
  'There is no such connected app. It may have been removed; reload the list.': 'Esse app conectado não existe. Ele pode ter sido removido; recarregue a lista.',

  // API secrets
  'There is no such API secret in this vault. It may have been deleted; refresh the list and try again.':
    'Esse segredo de API não existe neste cofre. Ele pode ter sido excluído; atualize a lista e tente novamente.',
  'There is no API secret with that id, Identifier or name in this vault. List them with `keyhold secret list`.':
    'Não há segredo de API com esse id, Identificador ou nome neste cofre. Liste-os com `keyhold secret list`.',
  'This API secret has no client secret to copy. Edit it to add one.': 'Este segredo de API não tem segredo do cliente para copiar. Edite-o para adicionar um.',

  // Local access: the agent, phones, terminals and companions
  'The agent is not running, so it cannot listen for phones.': 'O agente não está em execução, então não pode aguardar celulares.',
  'The agent stopped, so it does not listen for phones.': 'O agente parou, então não está aguardando celulares.',
  'There is no vault to serve yet. Create one first.': 'Ainda não há um cofre para servir. Crie um primeiro.',
  'This computer is on no private network, so no phone can reach it. Connect to your Wi-Fi or local network, then turn it on again.':
    'Este computador não está em nenhuma rede privada, então nenhum celular consegue alcançá-lo. Conecte-se ao seu Wi-Fi ou à rede local e ative de novo.',
  'Keyhold could not be reached on the network. Check that the phone and the computer are on the same network and that Phones on this network is on in Keyhold, then try again.':
    'Não foi possível acessar o Keyhold pela rede. Confira se o celular e o computador estão na mesma rede e se a opção Celulares nesta rede está ativada no Keyhold; depois, tente novamente.',
  'The computer at this address is not the Keyhold that showed the QR code (its certificate differs). Nothing was sent. Scan the QR code again.':
    'O computador neste endereço não é o Keyhold que mostrou o código QR (o certificado dele é diferente). Nada foi enviado. Escaneie o código QR de novo.',
  'Nothing is serving this vault: start the Keyhold app (with Connected apps on) or run `keyhold agent`, then try again.':
    'Nada está servindo este cofre: abra o app Keyhold (com Apps conectados ativado) ou execute `keyhold agent` e tente novamente.',
  'This terminal is not allowed to use Keyhold yet. Run the command again to be asked.':
    'Este terminal ainda não tem permissão para usar o Keyhold. Execute o comando de novo para que a permissão seja pedida.',
  'This terminal is no longer allowed (10 minutes idle, 12 hours, or the vault locked). Run the command again.':
    'Este terminal não tem mais permissão (ficou 10 minutos ocioso, passaram-se 12 horas ou o cofre foi bloqueado). Execute o comando de novo.',
  'No command is waiting for an answer.': 'Nenhum comando está esperando uma resposta.',
  'A command is already running on this connection. Wait for it to end.': 'Já há um comando em execução nesta conexão. Aguarde até que ele termine.',
  'Nobody answered the question on the terminal within a minute. Run the command again.': 'Ninguém respondeu à pergunta no terminal dentro de um minuto. Execute o comando de novo.',
  'The terminal went away before it answered.': 'O terminal foi fechado antes de responder.',
  'Keyhold shows its unlock screen only for apps on this computer. Unlock it on the computer.':
    'O Keyhold só mostra a tela de desbloqueio para apps neste computador. Desbloqueie-o no computador.',
  'The vault is locked. Unlock Keyhold on the computer, then try again.': 'O cofre está bloqueado. Desbloqueie o Keyhold no computador e tente novamente.',
  'Another reveal is waiting for an answer on the computer. Wait for it first.':
    'Outro pedido para mostrar um segredo está aguardando resposta no computador. Aguarde até que ele seja respondido.',
  'Nobody answered on the computer within a minute. Try again and answer there.': 'Ninguém respondeu no computador dentro de um minuto. Tente novamente e responda lá.',
  'The vault locked before the reveal was allowed. Unlock Keyhold, then try again.':
    'O cofre foi bloqueado antes que o segredo pudesse ser mostrado. Desbloqueie o Keyhold e tente novamente.',
  'The person at the computer denied showing this client secret.': 'A pessoa no computador negou a exibição deste segredo do cliente.',

  // Browser integration
  'This Keyhold cannot start a host for browsers.': 'Este Keyhold não consegue iniciar um host para navegadores.',
  'Browser integration is set up from the app, or with `keyhold browser install`.': 'A integração com navegadores é configurada pelo app ou com `keyhold browser install`.',

  // Schemas (src-shared/ipc/*.contract.ts) and validation's words for zod's own problems
  'This value has the wrong type.': 'Este valor tem o tipo errado.',
  'This value is not valid.': 'Este valor não é válido.',
  'Enter your master password.': 'Digite sua senha mestra.',
  'The master password has a character that is not valid text. Type it again.': 'A senha mestra tem um caractere que não é texto válido. Digite-a de novo.',
  'Give the time as ISO-8601 with a time zone, e.g. 2026-12-01T00:00:00Z.': 'Informe a hora em ISO-8601 com fuso horário, por exemplo, 2026-12-01T00:00:00Z.',
  'That question is no longer asked.': 'Essa pergunta não está mais pendente.',
  'The connected app id is not valid.': 'O id do app conectado não é válido.',
  'A tag cannot be empty.': 'Uma tag não pode ficar vazia.',
  'A tag has at most 50 characters.': 'Uma tag tem no máximo 50 caracteres.',
  'Choose at least one tag.': 'Escolha pelo menos uma tag.',
  'Choose at least one tag, or let the app read all API secrets.': 'Escolha pelo menos uma tag ou deixe o app ler todos os segredos de API.',
  'Choose at most 20 tags.': 'Escolha no máximo 20 tags.',
  'The number of days must be a number.': 'O número de dias deve ser um número.',
  'The number of days must be a whole number.': 'O número de dias deve ser um número inteiro.',
  'The number of days cannot be negative (0 turns the idle revoke off).': 'O número de dias não pode ser negativo (0 desativa a revogação por inatividade).',
  'Enter the key.': 'Digite a chave.',
  'The key must start with a letter or digit and contain no spaces or other special characters.':
    'A chave deve começar com uma letra ou um dígito e não pode conter espaços nem outros caracteres especiais.',
  'Choose a role.': 'Escolha uma função.',
  'That role id is too long.': 'Esse id de função é longo demais.',
  'The public key is too long: give the 43-character Ed25519 key, or one ssh-ed25519 line.':
    'A chave pública é longa demais: informe a chave Ed25519 de 43 caracteres ou uma linha ssh-ed25519.',
  'The public key must be an Ed25519 key: 43 base64url characters, or an OpenSSH line "ssh-ed25519 AAAA…".':
    'A chave pública deve ser uma chave Ed25519: 43 caracteres base64url ou uma linha OpenSSH "ssh-ed25519 AAAA…".',
  'Choose at least one permission.': 'Escolha pelo menos uma permissão.',
  'Each permission can be chosen once.': 'Cada permissão só pode ser escolhida uma vez.',
  'That copy handle is not valid.': 'Essa referência de cópia não é válida.',
  'The name is mandatory: enter a name for the application.': 'O nome é obrigatório: digite um nome para o aplicativo.',
  'The application type is mandatory: choose Mobile app (mobile) or Extension (extension).':
    'O tipo de aplicativo é obrigatório: escolha App de celular (mobile) ou Extensão (extension).',
  'The expiration must be an ISO-8601 date and time, e.g. 2026-12-31T18:00:00Z.': 'A expiração deve ser uma data e hora ISO-8601, por exemplo, 2026-12-31T18:00:00Z.',
  'The expiration must be an ISO-8601 date and time with a time zone, e.g. 2026-12-31T18:00:00Z.':
    'A expiração deve ser uma data e hora ISO-8601 com fuso horário, por exemplo, 2026-12-31T18:00:00Z.',
  'The application id is not valid (ids look like 8f14e45f-ceea-4e7a-9f1b-3c4d5e6f7a8b; see `keyhold app list`).':
    'O id do aplicativo não é válido (os ids são como 8f14e45f-ceea-4e7a-9f1b-3c4d5e6f7a8b; veja `keyhold app list`).',
  'Unknown filter.': 'Filtro desconhecido.',
  'Nothing to change: give a new name or a new expiration.': 'Nada a alterar: informe um novo nome ou uma nova expiração.',
  'The URL must be an absolute http:// or https:// address, such as https://api.example.com/v1.':
    'A URL deve ser um endereço absoluto http:// ou https://, como https://api.example.com/v1.',
  'The URL cannot contain a user name or password: put them in Client ID and Client secret.':
    'A URL não pode conter nome de usuário nem senha: coloque-os em ID do cliente e Segredo do cliente.',
  'A tag cannot contain ";" (it separates tags in CSV files).': 'Uma tag não pode conter ";" (ele separa as tags em arquivos CSV).',
  'A tag cannot contain ";": no API secret\'s tag can, so it would match none.':
    'Uma tag não pode conter ";": as tags de segredos de API não podem contê-lo, então ela não corresponderia a nenhum segredo.',
  'The notes cannot contain control characters.': 'As notas não podem conter caracteres de controle.',
  'That API secret id is not valid.': 'Esse id de segredo de API não é válido.',
  'The direction must be asc or desc.': 'A direção deve ser asc ou desc.',
  'The field to copy must be clientId or clientSecret.': 'O campo a copiar deve ser clientId ou clientSecret.',
  'The offset must be a whole number.': 'O deslocamento deve ser um número inteiro.',
  'The offset cannot be negative.': 'O deslocamento não pode ser negativo.',
  'The offset is too large.': 'O deslocamento é grande demais.',
  'The page size must be a whole number.': 'O tamanho da página deve ser um número inteiro.',
  'The page size must be at least 1.': 'O tamanho da página deve ser pelo menos 1.',
  'The clipboard delay must be a number of seconds.': 'O tempo para limpar a área de transferência deve ser um número de segundos.',
  'The clipboard delay must be a whole number of seconds.': 'O tempo para limpar a área de transferência deve ser um número inteiro de segundos.',
  'The auto-lock delay must be a number of minutes.': 'O tempo do bloqueio automático deve ser um número de minutos.',
  'The auto-lock delay must be a whole number of minutes.': 'O tempo do bloqueio automático deve ser um número inteiro de minutos.',
  'Give a setting to change.': 'Informe uma configuração para alterar.',

  // zod's own words, kept by validation.ts for a check a schema gave no message
  'Invalid input': 'Dados inválidos',
}

/** How the one-line fields (src-shared/text.ts lineText and the contracts' helpers) name themselves: "The {label} …". */
const FIELDS: Readonly<Record<string, { the: string; feminine: boolean }>> = {
  name: { the: 'O nome', feminine: false },
  URL: { the: 'A URL', feminine: true },
  'Client ID': { the: 'O ID do cliente', feminine: false },
  'client secret': { the: 'O segredo do cliente', feminine: false },
  Identifier: { the: 'O Identificador', feminine: false },
  tag: { the: 'A tag', feminine: true },
  label: { the: 'O rótulo', feminine: false },
  account: { the: 'A conta', feminine: true },
  'role name': { the: 'O nome da função', feminine: false },
}
const FIELD = /(name|URL|Client ID|client secret|Identifier|tag|label|account|role name)/

/** Why a vault file is damaged (`corrupt(…)` in src-main/core/vault). */
export const DAMAGE_REASONS: Readonly<Record<string, string>> = {
  'its contents fail their integrity check': 'o conteúdo não passa na verificação de integridade',
  'it is truncated': 'ele está truncado',
  'it is too short to be a Keyhold vault': 'ele é curto demais para ser um cofre do Keyhold',
  'its header length is out of bounds': 'o tamanho do cabeçalho está fora dos limites',
  'its header checksum does not match': 'a soma de verificação do cabeçalho não confere',
  'its header is not readable': 'o cabeçalho não pode ser lido',
  'its header has invalid fields': 'o cabeçalho tem campos inválidos',
  'it has no password key slot': 'ele não tem um slot de chave para senha',
  'its catalog fails its integrity check': 'o catálogo não passa na verificação de integridade',
  'its header declares a catalog but not the size of its contents': 'o cabeçalho declara um catálogo, mas não o tamanho do conteúdo',
}
const DAMAGE_PATTERNS: readonly Pattern[] = [
  pattern(re`it is (\d+) MiB, and no Keyhold vault is over (\d+) MiB`, (m) => `ele tem ${m[1]} MiB, e nenhum cofre do Keyhold passa de ${m[2]} MiB`),
  pattern(re`it has (\d+) bytes more than its header declares`, (m) => `ele tem ${m[1]} bytes a mais do que o cabeçalho declara`),
]

/** Why the local access folder is unsafe (`unsafe(folder, …)` in src-main/core/agent/agent-paths.ts). */
export const UNSAFE_FOLDER_REASONS: Readonly<Record<string, string>> = {
  'is a symbolic link': 'é um link simbólico',
  'is not a folder': 'não é uma pasta',
  'belongs to another user': 'pertence a outro usuário',
}
const UNSAFE_FOLDER_PATTERNS: readonly Pattern[] = [pattern(re`has mode ([0-7]+) instead of 700`, (m) => `tem o modo ${m[1]} em vez de 700`)]

/** Why the keychain could not be used (`keychainUnavailable(…)` in src-main/core/vault/vault.service.ts). */
export const KEYCHAIN_REASONS: Readonly<Record<string, string>> = {
  'the device key could not be read': 'a chave do dispositivo não pôde ser lida',
  'the device key is missing from it': 'a chave do dispositivo não está nele',
  'Keyhold cannot remember this device': 'o Keyhold não pode lembrar este dispositivo',
}

/** What a path names instead of a vault file (fileKind in src-main/core/vault/fs-errors.ts). */
export const FILE_KINDS: Readonly<Record<string, string>> = {
  'a named pipe': 'um pipe nomeado',
  'a socket': 'um socket',
  'a device': 'um dispositivo',
  'a special file': 'um arquivo especial',
}

/** Each problem of unsafe key-derivation settings (checkKdfParams in src-main/core/vault/kdf-params.ts). */
export const KDF_PROBLEMS: readonly Pattern[] = [
  pattern(re`unknown KDF "(.*)"`, (m) => `KDF desconhecida "${m[1]}"`),
  pattern(re`memory must be between ([\d.]+) MiB and ([\d.]+) MiB`, (m) => `a memória deve ficar entre ${m[1]} MiB e ${m[2]} MiB`),
  pattern(re`iterations must be between (\d+) and (\d+)`, (m) => `as iterações devem ficar entre ${m[1]} e ${m[2]}`),
  pattern(re`lanes must be between (\d+) and (\d+)`, (m) => `as vias (lanes) devem ficar entre ${m[1]} e ${m[2]}`),
  pattern(
    re`memory x iterations must be at most ([\d.]+) MiB \(such as (.+?)\), and ([\d.]+) MiB x (\d+) is ([\d.]+) MiB`,
    (m) => `memória x iterações deve ser no máximo ${m[1]} MiB (como ${m[2]!.replaceAll(' or ', ' ou ')}), e ${m[3]} MiB x ${m[4]} dá ${m[5]} MiB`,
  ),
]

/** A key's status in "is already …" (STATUS_WORDS in src-main/core/app-keys/app-keys.service.ts). */
const KEY_STATUS: Readonly<Record<string, string>> = { deactivated: 'desativada', removed: 'removida' }

/** The file-system errors' "Nothing was changed." / "Keyhold did not change it." (fs-errors.ts). */
const UNCHANGED: Readonly<Record<string, string>> = { 'Nothing was changed.': 'Nada foi alterado.', 'Keyhold did not change it.': 'O Keyhold não o alterou.' }
const U = /(Nothing was changed\.|Keyhold did not change it\.)/

/** Where a file-system error happened: "the folder X", a path, or what was being written. */
function place(english: string): string {
  const folder = /^[Tt]he folder (.+)$/s.exec(english)
  if (folder) return `${english.startsWith('T') ? 'A' : 'a'} pasta ${folder[1]}`
  if (/^[Tt]he browser integration files$/.test(english)) return `${english.startsWith('T') ? 'Os' : 'os'} arquivos da integração com navegadores`
  return english
}

/** place() after "em": "na pasta X", "nos arquivos …", "em /a/path". */
function inPlace(english: string): string {
  const where = place(english)
  return where.startsWith('a pasta ') ? `n${where}` : where.startsWith('os arquivos ') ? `n${where}` : `em ${where}`
}

/** Looks `text` up in `table` and then in `patterns`; undefined when neither knows it. */
function lookup(text: string, table: Readonly<Record<string, string>>, patterns: readonly Pattern[] = [], translate: Translate = () => undefined): string | undefined {
  if (Object.hasOwn(table, text)) return table[text]
  for (const p of patterns) {
    const m = p.re.exec(text)
    if (m) return p.pt(m, translate)
  }
  return undefined
}

/** Every piece of a list joined by `separator` translated, or undefined when one is not known. */
function each(text: string, separator: string, one: (piece: string) => string | undefined): string | undefined {
  const pieces = text.split(separator).map(one)
  return pieces.every((piece) => piece !== undefined) ? pieces.join(separator) : undefined
}

const plural = (n: string, one: string, many: string) => (n === '1' ? one : many)

/** Messages with variable parts; the first whose expression matches translates. */
export const PATTERNS: readonly Pattern[] = [
  // One-line fields (lineText and the contracts' requiredLine, singleLine)
  pattern(re`The ${FIELD} can have at most (\d+) characters\.`, (m) => `${FIELDS[m[1]!]!.the} pode ter no máximo ${m[2]} caracteres.`),
  pattern(re`The ${FIELD} must be a single line without control characters\.`, (m) => `${FIELDS[m[1]!]!.the} deve ser uma única linha, sem caracteres de controle.`),
  pattern(re`The ${FIELD} cannot be empty\.`, (m) => `${FIELDS[m[1]!]!.the} não pode ficar ${FIELDS[m[1]!]!.feminine ? 'vazia' : 'vazio'}.`),
  pattern(re`The ${FIELD} is required\.`, (m) => `${FIELDS[m[1]!]!.the} é ${FIELDS[m[1]!]!.feminine ? 'obrigatória' : 'obrigatório'}.`),

  // Schemas' bounds and lists of allowed values (codes stay as they are)
  pattern(re`The master password can have at most (\d+) characters\.`, (m) => `A senha mestra pode ter no máximo ${m[1]} caracteres.`),
  pattern(re`The master password must have at least (\d+) characters\.`, (m) => `A senha mestra deve ter pelo menos ${m[1]} caracteres.`),
  pattern(re`The number of days is at most (\d+)\.`, (m) => `O número de dias deve ser no máximo ${m[1]}.`),
  pattern(re`A key can have at most (\d+) characters\.`, (m) => `Uma chave pode ter no máximo ${m[1]} caracteres.`),
  pattern(re`A key can have at most (\d+) roles\.`, (m) => `Uma chave pode ter no máximo ${m[1]} ${plural(m[1]!, 'função', 'funções')}.`),
  pattern(re`A role can be limited to at most (\d+) tags\.`, (m) => `Uma função pode ser limitada a no máximo ${m[1]} ${plural(m[1]!, 'tag', 'tags')}.`),
  pattern(re`The permission must be one of (.+)\.`, (m) => `A permissão deve ser uma destas: ${m[1]}.`),
  pattern(re`The browser must be one of (.+)\.`, (m) => `O navegador deve ser um destes: ${m[1]}.`),
  pattern(re`The method must be one of (.+)\.`, (m) => `O método deve ser um destes: ${m[1]}.`),
  pattern(re`The sort must be one of (.+)\.`, (m) => `A ordenação deve ser uma destas: ${m[1]}.`),
  pattern(re`The event must be one of (.+)\.`, (m) => `O evento deve ser um destes: ${m[1]}.`),
  pattern(re`The tags can be at most (\d+)\.`, (m) => `São permitidas no máximo ${m[1]} tags.`),
  pattern(re`The notes can have at most (\d+) characters\.`, (m) => `As notas podem ter no máximo ${m[1]} caracteres.`),
  pattern(re`The search can have at most (\d+) characters\.`, (m) => `A pesquisa pode ter no máximo ${m[1]} caracteres.`),
  pattern(re`The page size can be at most (\d+)\.`, (m) => `O tamanho da página pode ser no máximo ${m[1]}.`),
  pattern(re`Keyhold clears the clipboard after at least (\d+) seconds?\.`, (m) => `O Keyhold limpa a área de transferência após pelo menos ${m[1]} ${plural(m[1]!, 'segundo', 'segundos')}.`),
  pattern(
    re`Keyhold clears the clipboard after at most (\d+) seconds \((\d+) minutes\)\.`,
    (m) => `O Keyhold limpa a área de transferência após no máximo ${m[1]} segundos (${m[2]} minutos).`,
  ),
  pattern(re`Keyhold locks after at least (\d+) minutes? without activity\.`, (m) => `O Keyhold bloqueia após pelo menos ${m[1]} ${plural(m[1]!, 'minuto', 'minutos')} sem atividade.`),
  pattern(
    re`Keyhold locks after at most (\d+) minutes \((\d+) hours\) without activity\.`,
    (m) => `O Keyhold bloqueia após no máximo ${m[1]} minutos (${m[2]} horas) sem atividade.`,
  ),

  // zod's own words (validation.ts keeps them for bounds a schema gave no message)
  pattern(re`Too (small|big): expected (\w+) to have (>=|>|<=|<|exactly )(\d+) (\w+)`, (m) => {
    const what = { string: 'o texto', array: 'a lista', set: 'o conjunto', map: 'o mapa', file: 'o arquivo' }[m[2]!]
    const units = { characters: ['caractere', 'caracteres'], items: ['item', 'itens'], entries: ['entrada', 'entradas'], bytes: ['byte', 'bytes'], elements: ['elemento', 'elementos'] }[m[5]!]
    if (!what || !units) return undefined
    return `${m[1] === 'small' ? 'Pequeno demais' : 'Grande demais'}: ${what} deve ter ${bound(m[3]!)}${m[4]} ${plural(m[4]!, units[0]!, units[1]!)}`
  }),
  pattern(re`Too (small|big): expected (\w+) to be (>=|>|<=|<|exactly )(\S+)`, (m) => {
    const what = { number: 'o número', int: 'o número', bigint: 'o número', date: 'a data', value: 'o valor' }[m[2]!] ?? 'o valor'
    return `${m[1] === 'small' ? 'Pequeno demais' : 'Grande demais'}: ${what} deve ser ${bound(m[3]!)}${m[4]}`
  }),
  pattern(re`Invalid option: expected one of (.+)`, (m) => `Opção inválida: esperado um destes: ${m[1]}`),
  pattern(re`Invalid input: expected (.+?), received (.+)`, (m) => `Dados inválidos: esperado ${m[1]}, recebido ${m[2]}`),
  pattern(re`Invalid input: expected (.+)`, (m) => `Dados inválidos: esperado ${m[1]}`),
  pattern(re`Invalid string: must match pattern (.+)`, (m) => `Texto inválido: deve seguir o padrão ${m[1]}`),

  // Application keys and roles (keys and role names are kept as they are)
  pattern(
    re`There is no application key "(.*)" in this vault\. Check the key on the Application Keys or My Keys page\.`,
    (m) => `Não há chave de aplicação "${m[1]}" neste cofre. Confira a chave na página Chaves de aplicação ou Minhas chaves.`,
  ),
  pattern(
    re`(.+) is an internal key of this vault, not a third-party key\. Edit it on the My Keys page\.`,
    (m) => `${m[1]} é uma chave interna deste cofre, não uma chave de terceiros. Edite-a na página Minhas chaves.`,
  ),
  pattern(re`(.+) is already added\. Use Edit to change its roles\.`, (m) => `${m[1]} já foi adicionada. Use Editar para alterar as funções dela.`),
  pattern(
    re`(.+) already has another public key, which never changes\. Add the key under a new name to use a new public key\.`,
    (m) => `${m[1]} já tem outra chave pública, que nunca muda. Adicione a chave com um novo nome para usar uma nova chave pública.`,
  ),
  pattern(
    re`(.+) was removed\. Add it again with \+ Add 3rd Party Key to give it roles\.`,
    (m) => `${m[1]} foi removida. Adicione-a de novo com + Adicionar chave de terceiros para dar funções a ela.`,
  ),
  pattern(
    re`(.+) is a third-party key: third-party keys are removed, not deactivated\. Use Remove\.`,
    (m) => `${m[1]} é uma chave de terceiros: chaves de terceiros são removidas, não desativadas. Use Remover.`,
  ),
  pattern(
    re`(.+) is a third-party key: to restore a removed one, add it again with its roles\.`,
    (m) => `${m[1]} é uma chave de terceiros: para restaurar uma chave removida, adicione-a de novo com as funções dela.`,
  ),
  pattern(
    re`(.+) is an internal key: internal keys are deactivated, not removed\. Use Deactivate\.`,
    (m) => `${m[1]} é uma chave interna: chaves internas são desativadas, não removidas. Use Desativar.`,
  ),
  pattern(re`(.+) is already (deactivated|removed)\. Nothing changed\.`, (m) => `${m[1]} já está ${KEY_STATUS[m[2]!]}. Nada foi alterado.`),
  pattern(
    re`Keyhold could not write (.+)\. Check that the folder exists and that you may write to it\.`,
    (m) => `O Keyhold não conseguiu gravar ${m[1]}. Confira se a pasta existe e se você pode gravar nela.`,
  ),
  pattern(re`A role named "(.*)" already exists\. Choose another name\.`, (m) => `Já existe uma função chamada "${m[1]}". Escolha outro nome.`),
  pattern(re`"(.*)" is a built-in role and cannot be deleted\.`, (m) => `"${m[1]}" é uma função nativa e não pode ser excluída.`),
  pattern(re`"(.*)" is held by (\d+) keys?\. Remove it from (?:that key|those keys) first\.`, (m) =>
    m[2] === '1'
      ? `"${m[1]}" está atribuída a 1 chave. Remova-a dessa chave primeiro.`
      : `"${m[1]}" está atribuída a ${m[2]} chaves. Remova-a dessas chaves primeiro.`,
  ),
  pattern(re`There is no role "(.*)"\. See the roles in the \+ Add Roles dialog\.`, (m) => `Não há função "${m[1]}". Veja as funções na janela + Adicionar funções.`),

  // My apps (application names are kept as they are)
  pattern(
    re`"(.*)" was revoked, which is final, so it cannot be edited\. Generate a new key instead\.`,
    (m) => `"${m[1]}" foi revogado, o que é definitivo, então não pode ser editado. Gere uma nova chave.`,
  ),
  pattern(
    re`"(.*)" has expired, which is final, so its expiration cannot be changed\. Create a new key with \+ New key instead\.`,
    (m) => `"${m[1]}" expirou, o que é definitivo, então a expiração dele não pode ser alterada. Crie uma nova chave com + Nova chave.`,
  ),
  pattern(re`"(.*)" was already revoked on (\S+)\. Nothing changed\.`, (m) => `"${m[1]}" já foi revogado em ${m[2]}. Nada foi alterado.`),

  // API secrets ("Row 3: " starts a message about one row of a batch)
  pattern(
    re`(.*?)The Identifier is already used by another API secret \(Identifiers are compared ignoring case and surrounding spaces\)\. Choose a different Identifier, or leave it empty\. Nothing was saved\.`,
    (m) => {
      const row = rowPrefix(m[1]!)
      return row === undefined
        ? undefined
        : `${row}O Identificador já é usado por outro segredo de API (os Identificadores são comparados sem diferenciar maiúsculas de minúsculas e sem os espaços nas pontas). Escolha outro Identificador ou deixe-o vazio. Nada foi salvo.`
    },
  ),
  pattern(
    re`(.*?)The Identifier is the same as in (.+?) \(Identifiers are compared ignoring case and surrounding spaces\)\. Nothing was added\.`,
    (m) => {
      const row = rowPrefix(m[1]!)
      const other = /^row (\d+)$/.exec(m[2]!)
      const where = other ? `ao da linha ${other[1]}` : m[2] === 'another item' ? 'ao de outro item' : undefined
      return row === undefined || where === undefined
        ? undefined
        : `${row}O Identificador é igual ${where} (os Identificadores são comparados sem diferenciar maiúsculas de minúsculas e sem os espaços nas pontas). Nada foi adicionado.`
    },
  ),
  pattern(
    re`(More than (\d+)|\d+) API secrets (are named|have an id starting with) "(.*)": (.*)\. Give the id or the Identifier of the one you mean\.`,
    (m) =>
      `${m[2] === undefined ? m[1] : `Mais de ${m[2]}`} segredos de API ${m[3] === 'are named' ? 'se chamam' : 'têm um id que começa com'} "${m[4]}": ${m[5]!.replace(/ \(Identifier /g, ' (Identificador ')}. Informe o id ou o Identificador do que você quer.`,
  ),

  // The vault file and its folder (paths are kept as they are)
  pattern(
    re`The vault file is damaged \((.+)\)\. Keyhold did not change it; restore it from its \.bak copy or a backup\.`,
    (m) => {
      const reason = lookup(m[1]!, DAMAGE_REASONS, DAMAGE_PATTERNS)
      return reason && `O arquivo do cofre está danificado (${reason}). O Keyhold não o alterou; restaure-o da cópia .bak ou de um backup.`
    },
  ),
  pattern(
    re`(.+) is not a Keyhold vault \(it does not start like one\)\. Keyhold did not change it; check that the path names your vault file\.`,
    (m) =>
      `${m[1] === 'This file' ? 'Este arquivo' : m[1]} não é um cofre do Keyhold (não começa como um). O Keyhold não o alterou; confira se o caminho aponta para o seu arquivo de cofre.`,
  ),
  pattern(
    re`This vault uses file format (\d+), and this Keyhold reads format (\d+)\. Update Keyhold to open it; the file was not changed\.`,
    (m) => `Este cofre usa o formato de arquivo ${m[1]}, e este Keyhold lê o formato ${m[2]}. Atualize o Keyhold para abri-lo; o arquivo não foi alterado.`,
  ),
  pattern(
    re`This vault was saved by a newer Keyhold \(file format (\d+\.\d+)\), and this Keyhold reads format (\d+\.\d+)\. Update Keyhold to open it; the file was not changed\.`,
    (m) => `Este cofre foi salvo por um Keyhold mais novo (formato de arquivo ${m[1]}), e este Keyhold lê o formato ${m[2]}. Atualize o Keyhold para abri-lo; o arquivo não foi alterado.`,
  ),
  pattern(
    re`This vault was saved by a newer Keyhold \(schema (\d+); this one knows up to (\d+)\)\. Update Keyhold to open it; the file was not changed\.`,
    (m) => `Este cofre foi salvo por um Keyhold mais novo (esquema ${m[1]}; este conhece até o ${m[2]}). Atualize o Keyhold para abri-lo; o arquivo não foi alterado.`,
  ),
  pattern(
    re`Invalid KDF parameters: (.+)\.`,
    (m) => {
      const problems = each(m[1]!, '; ', (p) => lookup(p, {}, KDF_PROBLEMS))
      return problems && `Parâmetros de KDF inválidos: ${problems}.`
    },
  ),
  pattern(
    re`The vault header asks for unsafe key-derivation settings \((.+)\)\. The file is damaged or was tampered with; restore it from its \.bak copy or a backup\.`,
    (m) => {
      const problems = each(m[1]!, '; ', (p) => lookup(p, {}, KDF_PROBLEMS))
      return (
        problems &&
        `O cabeçalho do cofre pede configurações inseguras de derivação de chave (${problems}). O arquivo está danificado ou foi adulterado; restaure-o da cópia .bak ou de um backup.`
      )
    },
  ),
  pattern(
    re`There is no vault at (.+)\. Create one first \(keyhold init\), or pass --vault with the right path\.`,
    (m) => `Não há cofre em ${m[1]}. Crie um primeiro (keyhold init) ou passe --vault com o caminho certo.`,
  ),
  pattern(re`A vault already exists at (.+)\. Unlock it, or choose another path\.`, (m) => `Já existe um cofre em ${m[1]}. Desbloqueie-o ou escolha outro caminho.`),
  pattern(
    re`(.+) is a symbolic link to a file that does not exist\. Keyhold did not create a vault through it: give the path where the vault should be, or remove the link\.`,
    (m) => `${m[1]} é um link simbólico para um arquivo que não existe. O Keyhold não criou um cofre por meio dele: informe o caminho onde o cofre deve ficar ou remova o link.`,
  ),
  pattern(
    re`Other users can write to the folder (.+), so they could replace your vault or plant files next to it\. Nothing was changed\. Keep the vault in a folder only you can write to \(for example, run chmod go-w on it\), then try again\.`,
    (m) =>
      `Outros usuários podem gravar na pasta ${m[1]}, então poderiam substituir o seu cofre ou colocar arquivos ao lado dele. Nada foi alterado. Mantenha o cofre em uma pasta em que só você possa gravar (por exemplo, execute chmod go-w nela) e tente novamente.`,
  ),
  pattern(
    re`The system keychain is not available, so (.+)\. Unlock with your master password\.`,
    (m) => {
      const why = lookup(m[1]!, KEYCHAIN_REASONS)
      return why && `O chaveiro do sistema não está disponível, então ${why}. Desbloqueie com sua senha mestra.`
    },
  ),
  pattern(
    re`(.+) is a folder, not a vault file\. Give the path of the vault file itself \(for example (.+)\)\. Keyhold did not change anything there\.`,
    (m) => `${m[1]} é uma pasta, não um arquivo de cofre. Informe o caminho do próprio arquivo do cofre (por exemplo ${m[2]}). O Keyhold não alterou nada ali.`,
  ),
  pattern(
    re`(.+) is (a named pipe|a socket|a device|a special file), not a vault file\. Give the path of a vault file\. Keyhold did not change anything there\.`,
    (m) => `${m[1]} é ${FILE_KINDS[m[2]!]}, não um arquivo de cofre. Informe o caminho de um arquivo de cofre. O Keyhold não alterou nada ali.`,
  ),

  // File-system errors (src-main/core/vault/fs-errors.ts)
  pattern(
    re`The disk that holds (.+) is full, so the change could not be saved\. ${U} Free some space on it, then try again\.`,
    (m) => `O disco que contém ${place(m[1]!)} está cheio, então a alteração não pôde ser salva. ${UNCHANGED[m[2]!]} Libere espaço nele e tente novamente.`,
  ),
  pattern(
    re`Your disk quota on (.+) is used up, so the change could not be saved\. ${U} Free some space, then try again\.`,
    (m) => `Sua cota de disco ${inPlace(m[1]!)} acabou, então a alteração não pôde ser salva. ${UNCHANGED[m[2]!]} Libere espaço e tente novamente.`,
  ),
  pattern(
    re`(.+) is on a read-only file system, so Keyhold cannot save there\. ${U} Make it writable, or keep the vault in another folder\.`,
    (m) =>
      `${place(m[1]!)} está em um sistema de arquivos somente leitura, então o Keyhold não pode salvar ali. ${UNCHANGED[m[2]!]} Permita a gravação ali ou mantenha o cofre em outra pasta.`,
  ),
  pattern(
    re`Keyhold is not allowed to write to (.+)\. ${U} Check that you own it or may write to it, or keep the vault in another folder\.`,
    (m) =>
      `O Keyhold não tem permissão para gravar ${inPlace(m[1]!)}. ${UNCHANGED[m[2]!]} Confira se você é o dono ou se pode gravar ali, ou mantenha o cofre em outra pasta.`,
  ),
  pattern(
    re`Keyhold is not allowed to read (.+)\. Check the file's owner and permissions\.`,
    (m) => `O Keyhold não tem permissão para ler ${place(m[1]!)}. Confira o dono e as permissões do arquivo.`,
  ),
  pattern(
    re`Keyhold could not open a file in (.+): too many files are open on this computer\. ${U} Close some programs, then try again\.`,
    (m) =>
      `O Keyhold não conseguiu abrir um arquivo ${inPlace(m[1]!)}: há arquivos demais abertos neste computador. ${UNCHANGED[m[2]!]} Feche alguns programas e tente novamente.`,
  ),
  pattern(re`Part of the path (.+) is a file, not a folder\. Check the path\.`, (m) => `Parte do caminho ${place(m[1]!)} é um arquivo, não uma pasta. Confira o caminho.`),
  pattern(
    re`The path (.+) is too long for this file system\. Use a shorter one\.`,
    (m) => `O caminho ${place(m[1]!)} é longo demais para este sistema de arquivos. Use um mais curto.`,
  ),
  pattern(re`The path (.+) is a loop of symbolic links\. Check the path\.`, (m) => `O caminho ${place(m[1]!)} é um ciclo de links simbólicos. Confira o caminho.`),
  pattern(re`(.+) no longer exists\. ${U} Check the vault's path\.`, (m) => `${place(m[1]!)} não existe mais. ${UNCHANGED[m[2]!]} Confira o caminho do cofre.`),
  pattern(
    re`(.+) disappeared while Keyhold was reading it\. Check the vault's path, then try again\.`,
    (m) => `${place(m[1]!)} desapareceu enquanto o Keyhold o lia. Confira o caminho do cofre e tente novamente.`,
  ),
  pattern(
    re`The file system reported an error \((\w+)\) while Keyhold was (saving to|reading) (.+)\. ${U} Check the disk, then try again\.`,
    (m) =>
      `O sistema de arquivos informou um erro (${m[1]}) enquanto o Keyhold ${m[2] === 'reading' ? `lia ${place(m[3]!)}` : `salvava ${inPlace(m[3]!)}`}. ${UNCHANGED[m[4]!]} Verifique o disco e tente novamente.`,
  ),
  pattern(re`(.+) already exists\. Choose another file, or add --force to replace it\.`, (m) => `${m[1]} já existe. Escolha outro arquivo ou adicione --force para substituí-lo.`),
  pattern(re`(.+) is a folder\. Give the path of the file to write\.`, (m) => `${m[1]} é uma pasta. Informe o caminho do arquivo a ser gravado.`),
  pattern(re`The folder (.+) does not exist\. Create it, or choose another path\. Nothing was written\.`, (m) => `A pasta ${m[1]} não existe. Crie-a ou escolha outro caminho. Nada foi gravado.`),

  // Activity log: where the chain breaks (src-main/core/activity/activity.service.ts words)
  pattern(re`Entry (\d+) was changed or moved: it does not follow the entry before it\.`, (m) => `A entrada ${m[1]} foi alterada ou movida: ela não segue a entrada anterior.`),
  pattern(re`Entry (\d+) is missing: it was removed\.`, (m) => `A entrada ${m[1]} está faltando: ela foi removida.`),
  pattern(re`Entries (\d+) to (\d+) are missing: they were removed\.`, (m) => `As entradas ${m[1]} a ${m[2]} estão faltando: elas foram removidas.`),
  pattern(
    re`The log ends at entry (\d+), but the vault says it reached (\d+): entries were removed from the end\.`,
    (m) => `O registro termina na entrada ${m[1]}, mas o cofre diz que ele chegou à entrada ${m[2]}: entradas foram removidas do final.`,
  ),
  pattern(
    re`The vault file is older than the activity log this computer saw: its log ends at entry (\d+), but entry (\d+) was written here before\. An older copy of the vault was put back\.`,
    (m) =>
      `O arquivo do cofre é mais antigo que o registro de atividades que este computador viu: o registro dele termina na entrada ${m[1]}, mas a entrada ${m[2]} já tinha sido gravada aqui. Uma cópia mais antiga do cofre foi restaurada.`,
  ),
  pattern(
    re`The vault file is older than the activity log this computer saw: entry (\d+) is not the one written here before, so an older copy of the vault was put back and used since \(or someone with the master password rewrote the log\)\.`,
    (m) =>
      `O arquivo do cofre é mais antigo que o registro de atividades que este computador viu: a entrada ${m[1]} não é a que foi gravada aqui antes, então uma cópia mais antiga do cofre foi restaurada e usada desde então (ou alguém com a senha mestra reescreveu o registro).`,
  ),

  // Local access: the agent and phones (src-main/core/agent, AgentStatus.problem, NetworkStatus.problem)
  pattern(
    re`The local access folder (.+) (is a symbolic link|is not a folder|belongs to another user|has mode [0-7]+ instead of 700), so other programs could reach the agent\. Remove it \(Keyhold makes it again with mode 0700\), then try again\.`,
    (m) => {
      const why = lookup(m[2]!, UNSAFE_FOLDER_REASONS, UNSAFE_FOLDER_PATTERNS)
      return why && `A pasta de acesso local ${m[1]} ${why}, então outros programas poderiam alcançar o agente. Remova-a (o Keyhold a cria de novo com o modo 0700) e tente novamente.`
    },
  ),
  pattern(
    re`This vault's agent is already running in (the Keyhold app|\x60keyhold agent\x60) \(process (\d+), since (.+)\)\. Use that one, or stop it first\.`,
    (m) => `O agente deste cofre já está em execução ${m[1] === 'the Keyhold app' ? 'no app Keyhold' : `em ${m[1]}`} (processo ${m[2]}, desde ${m[3]}). Use esse ou encerre-o primeiro.`,
  ),
  pattern(re`Keyhold's agent could not be reached \((.+)\)\. Start it, then try again\.`, (m) => `Não foi possível alcançar o agente do Keyhold (${m[1]}). Inicie-o e tente novamente.`),
  pattern(
    re`Port (\d+) was taken, so Keyhold now listens on port (\d+)\. Phones paired before must be paired again\.`,
    (m) => `A porta ${m[1]} estava ocupada, então o Keyhold agora aguarda na porta ${m[2]}. Celulares pareados antes precisam ser pareados de novo.`,
  ),
  pattern(re`Keyhold could not listen for phones: (.+)`, (m, translate) => {
    const why = translate(m[1]!)
    return why && `O Keyhold não conseguiu aguardar celulares: ${why}`
  }),

  // Browser integration (BrowserIntegration.problem, set in src-main/index.ts)
  pattern(
    re`Keyhold runs from a temporary folder \((.+)\), so browsers could not start it later\. Install Keyhold, then turn this on\.`,
    (m) => `O Keyhold está sendo executado de uma pasta temporária (${m[1]}), então os navegadores não conseguiriam iniciá-lo depois. Instale o Keyhold e depois ative esta opção.`,
  ),
]

/** ">=" and its kin in zod's bounds, in words. */
function bound(adjective: string): string {
  return { '>=': 'pelo menos ', '>': 'mais de ', '<=': 'no máximo ', '<': 'menos de ', 'exactly ': 'exatamente ' }[adjective] ?? adjective
}

/** "Row 3: " (a batch's row) as "Linha 3: "; no prefix stays none; anything else is not known. */
function rowPrefix(prefix: string): string | undefined {
  if (prefix === '') return ''
  const row = /^Row (\d+): $/.exec(prefix)
  return row ? `Linha ${row[1]}: ` : undefined
}

/**
 * validation.ts describeIssues: "Invalid input: " and up to three parts joined by "; ", each
 * a field's name and our message, or one of these phrases.
 */
export const SUMMARY = {
  english: 'Invalid input: ',
  portuguese: 'Dados inválidos: ',
  parts: [
    pattern(re`unexpected field "(.*)"`, (m) => `campo inesperado "${m[1]}"`),
    pattern(re`unexpected fields (".*")`, (m) => `campos inesperados ${m[1]}`),
    pattern(re`the request has the wrong shape`, () => 'a solicitação tem o formato errado'),
    pattern(re`(\S+) has the wrong type`, (m) => `${m[1]} tem o tipo errado`),
    pattern(re`is not valid`, () => 'não é válido'),
    pattern(re`(\S+) is not valid`, (m) => `${m[1]} não é válido`),
  ] satisfies Pattern[],
} as const
