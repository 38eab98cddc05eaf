import { afterEach, describe, expect, it } from 'vitest'
import { errorText } from '../../src-renderer/api/errors'
import { applyLocale } from '../../src-renderer/i18n'
import { translateCoreMessage } from '../../src-renderer/i18n/core-messages'
import { ERROR_CODES } from '../../src-shared/errors'

/**
 * The core's English sentences in the app's language (src-renderer/i18n/core-messages.ts).
 * The sources whose messages can reach the app's window are read as text: the core, the IPC
 * wrapper, the core's thread and src-shared (the CLI's own words, src-main/cli, never do).
 */
const SOURCES = import.meta.glob<string>(['../../src-main/core/**/*.ts', '../../src-main/ipc/**/*.ts', '../../src-main/worker/**/*.ts', '../../src-shared/**/*.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
})

/**
 * Messages found below that cannot reach the app, so have no Portuguese. Keep it short: a
 * message that might reach it is translated instead.
 */
const NOT_IN_APP = new Set([
  // The local agent's bare refusal to a companion that asks for what its key or pairing does not allow.
  'forbidden',
])

/** A string literal: '…', "…" or a template `…${…}…` (whose ${} may hold another template). */
const LITERAL = String.raw`'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|\x60(?:[^\x60\\$]|\\.|\$(?!\{)|\$\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*\x60`

interface Literal {
  file: string
  /** Its text without quotes, escapes undone; a template's ${…} kept. */
  text: string
  template: boolean
}

const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')

function literal(file: string, quoted: string): Literal {
  const template = quoted.startsWith('`') && quoted.includes('${')
  return { file: file.replace(/^(\.\.\/)+/, ''), text: template ? quoted.slice(1, -1) : quoted.slice(1, -1).replace(/\\(.)/g, '$1'), template }
}

/** Every literal caught by group 1 of `expression` (built around LITERAL) in the files `where` picks. */
function find(expression: (literal: string) => string, where: (file: string) => boolean = () => true): Literal[] {
  const found: Literal[] = []
  for (const [file, source] of Object.entries(SOURCES))
    if (where(file)) for (const m of withoutComments(source).matchAll(new RegExp(expression(`(${LITERAL})`), 'g'))) found.push(literal(file, m[1]!))
  return found
}

/** Files answering companions over the local access protocol only (their `message:` objects never reach the window). */
const protocolOnly = (file: string) => /src-main\/core\/agent\/|src-shared\/(apps|local-access)\//.test(file)
const schemaFile = (file: string) => /src-shared\/ipc\/[^/]+\.contract\.ts$|src-shared\/(text|validation)\.ts$/.test(file)

/** The messages the core writes itself: errors, the objects that carry a message, and the schemas' messages. */
const MESSAGES: Literal[] = [
  ...find((lit) => String.raw`new KeyholdError\(\s*'[A-Z_]+',\s*${lit}`),
  ...find((lit) => String.raw`\brefused\(\s*'[A-Z_]+',\s*${lit}`),
  ...find((lit) => String.raw`\b(?:message|error):\s*${lit}`, (file) => !protocolOnly(file)),
  // A schema's message is any sentence in a contract (its names are 'area:verb', never sentences).
  ...find((lit) => lit, schemaFile).filter((l) => /^[A-Z"$]/.test(l.text) && /\S \S+ \S/.test(l.text) && /\.$/.test(l.text)),
].filter((l, i, all) => all.findIndex((other) => other.text === l.text) === i)

/** Pieces the core puts into a sentence of its own: found by the helper that takes them, shown in that sentence. */
const PIECES: Array<{ helper: string; sentence: (piece: string) => string }> = [
  { helper: 'corrupt', sentence: (p) => `The vault file is damaged (${p}). Keyhold did not change it; restore it from its .bak copy or a backup.` },
  {
    helper: 'unsafe',
    sentence: (p) => `The local access folder /run/user/1000/keyhold ${p}, so other programs could reach the agent. Remove it (Keyhold makes it again with mode 0700), then try again.`,
  },
  { helper: 'keychainUnavailable', sentence: (p) => `The system keychain is not available, so ${p}. Unlock with your master password.` },
  { helper: 'problems.push', sentence: (p) => `Invalid KDF parameters: ${p}.` },
]
const pieces = (helper: string) =>
  find((lit) => String.raw`\b${helper.replace('.', '\\.')}\(\s*(?:folder,\s*)?${lit}`).map((l) => (l.template ? l.text.replace(/\$\{(?:[^{}]|\{[^{}]*\})*\}/g, '7') : l.text))

/** A template's sentence as an expression its examples must match: each ${…} any text. */
function templateExpression(template: string): RegExp {
  let out = ''
  for (let i = 0; i < template.length; ) {
    if (template.startsWith('${', i)) {
      let depth = 0
      let j = i + 1
      for (; j < template.length; j++) if (template[j] === '{') depth++
      else if (template[j] === '}' && --depth === 0) break
      out += '[\\s\\S]*?'
      i = j + 1
    } else out += template[i++]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${out}$`)
}

/** Messages with variable parts (and the core's sentences read from elsewhere), and their Portuguese: user data kept as is. */
const EXAMPLES: Array<[string, string]> = [
  // App keys and roles: keys and role names kept
  ['There is no application key "kh_9f3a" in this vault. Check the key on the Application Keys or My Keys page.',
    'Não há chave de aplicação "kh_9f3a" neste cofre. Confira a chave na página Chaves de aplicação ou Minhas chaves.'],
  ['kh_9f3a is an internal key of this vault, not a third-party key. Edit it on the My Keys page.',
    'kh_9f3a é uma chave interna deste cofre, não uma chave de terceiros. Edite-a na página Minhas chaves.'],
  ['partner-key is already added. Use Edit to change its roles.', 'partner-key já foi adicionada. Use Editar para alterar as funções dela.'],
  ['kh_partner_7 already has another public key, which never changes. Add the key under a new name to use a new public key.',
    'kh_partner_7 já tem outra chave pública, que nunca muda. Adicione a chave com um novo nome para usar uma nova chave pública.'],
  ['partner-key was removed. Add it again with + Add 3rd Party Key to give it roles.',
    'partner-key foi removida. Adicione-a de novo com + Adicionar chave de terceiros para dar funções a ela.'],
  ['partner-key is a third-party key: third-party keys are removed, not deactivated. Use Remove.',
    'partner-key é uma chave de terceiros: chaves de terceiros são removidas, não desativadas. Use Remover.'],
  ['partner-key is a third-party key: to restore a removed one, add it again with its roles.',
    'partner-key é uma chave de terceiros: para restaurar uma chave removida, adicione-a de novo com as funções dela.'],
  ['kh_9f3a is an internal key: internal keys are deactivated, not removed. Use Deactivate.',
    'kh_9f3a é uma chave interna: chaves internas são desativadas, não removidas. Use Desativar.'],
  ['kh_9f3a is already deactivated. Nothing changed.', 'kh_9f3a já está desativada. Nada foi alterado.'],
  ['partner-key is already removed. Nothing changed.', 'partner-key já está removida. Nada foi alterado.'],
  ['Keyhold could not write /home/ana/keys.csv. Check that the folder exists and that you may write to it.',
    'O Keyhold não conseguiu gravar /home/ana/keys.csv. Confira se a pasta existe e se você pode gravar nela.'],
  ['A role named "Deploy bot" already exists. Choose another name.', 'Já existe uma função chamada "Deploy bot". Escolha outro nome.'],
  ['"API secrets reader" is a built-in role and cannot be deleted.', '"API secrets reader" é uma função nativa e não pode ser excluída.'],
  ['"Deploy bot" is held by 1 key. Remove it from that key first.', '"Deploy bot" está atribuída a 1 chave. Remova-a dessa chave primeiro.'],
  ['"Deploy; bot" is held by 3 keys. Remove it from those keys first.', '"Deploy; bot" está atribuída a 3 chaves. Remova-a dessas chaves primeiro.'],
  ['There is no role "Auditors". See the roles in the + Add Roles dialog.', 'Não há função "Auditors". Veja as funções na janela + Adicionar funções.'],

  // My apps: application names kept
  [`"Ana's phone" was revoked, which is final, so it cannot be edited. Generate a new key instead.`,
    `"Ana's phone" foi revogado, o que é definitivo, então não pode ser editado. Gere uma nova chave.`],
  [`"Ana's phone" has expired, which is final, so its expiration cannot be changed. Create a new key with + New key instead.`,
    `"Ana's phone" expirou, o que é definitivo, então a expiração dele não pode ser alterada. Crie uma nova chave com + Nova chave.`],
  [`"Ana's phone" was already revoked on 2026-03-05T22:29:00.000Z. Nothing changed.`, `"Ana's phone" já foi revogado em 2026-03-05T22:29:00.000Z. Nada foi alterado.`],
  ['This code can no longer be copied: Keyhold shows it only once and does not keep it. If you did not note it, revoke the application and create a new key.',
    'Este código não pode mais ser copiado: o Keyhold o mostra uma única vez e não o guarda. Se você não o anotou, revogue o aplicativo e crie uma nova chave.'],

  // API secrets
  ['The Identifier is already used by another API secret (Identifiers are compared ignoring case and surrounding spaces). Choose a different Identifier, or leave it empty. Nothing was saved.',
    'O Identificador já é usado por outro segredo de API (os Identificadores são comparados sem diferenciar maiúsculas de minúsculas e sem os espaços nas pontas). Escolha outro Identificador ou deixe-o vazio. Nada foi salvo.'],
  ['Row 4: The Identifier is the same as in row 2 (Identifiers are compared ignoring case and surrounding spaces). Nothing was added.',
    'Linha 4: O Identificador é igual ao da linha 2 (os Identificadores são comparados sem diferenciar maiúsculas de minúsculas e sem os espaços nas pontas). Nada foi adicionado.'],
  ['3 API secrets are named "Stripe": 0f5c1a2b (Identifier stripe-live), 1a2b3c4d. Give the id or the Identifier of the one you mean.',
    '3 segredos de API se chamam "Stripe": 0f5c1a2b (Identificador stripe-live), 1a2b3c4d. Informe o id ou o Identificador do que você quer.'],
  ['More than 10 API secrets have an id starting with "0f5c1a2b": 0f5c1a2b-1, 0f5c1a2b-2. Give the id or the Identifier of the one you mean.',
    'Mais de 10 segredos de API têm um id que começa com "0f5c1a2b": 0f5c1a2b-1, 0f5c1a2b-2. Informe o id ou o Identificador do que você quer.'],

  // The vault file, its folder and the file system: paths kept
  ['This vault was saved by a newer Keyhold (schema 12; this one knows up to 9). Update Keyhold to open it; the file was not changed.',
    'Este cofre foi salvo por um Keyhold mais novo (esquema 12; este conhece até o 9). Atualize o Keyhold para abri-lo; o arquivo não foi alterado.'],
  ['This vault was saved by a newer Keyhold (file format 1.3), and this Keyhold reads format 1.2. Update Keyhold to open it; the file was not changed.',
    'Este cofre foi salvo por um Keyhold mais novo (formato de arquivo 1.3), e este Keyhold lê o formato 1.2. Atualize o Keyhold para abri-lo; o arquivo não foi alterado.'],
  ['This vault uses file format 3, and this Keyhold reads format 2. Update Keyhold to open it; the file was not changed.',
    'Este cofre usa o formato de arquivo 3, e este Keyhold lê o formato 2. Atualize o Keyhold para abri-lo; o arquivo não foi alterado.'],
  ['The vault file is damaged (it has 12 bytes more than its header declares). Keyhold did not change it; restore it from its .bak copy or a backup.',
    'O arquivo do cofre está danificado (ele tem 12 bytes a mais do que o cabeçalho declara). O Keyhold não o alterou; restaure-o da cópia .bak ou de um backup.'],
  ['/home/ana/photo.jpg is not a Keyhold vault (it does not start like one). Keyhold did not change it; check that the path names your vault file.',
    '/home/ana/photo.jpg não é um cofre do Keyhold (não começa como um). O Keyhold não o alterou; confira se o caminho aponta para o seu arquivo de cofre.'],
  ['This file is not a Keyhold vault (it does not start like one). Keyhold did not change it; check that the path names your vault file.',
    'Este arquivo não é um cofre do Keyhold (não começa como um). O Keyhold não o alterou; confira se o caminho aponta para o seu arquivo de cofre.'],
  ['Invalid KDF parameters: iterations must be between 2 and 64; lanes must be between 1 and 16.',
    'Parâmetros de KDF inválidos: as iterações devem ficar entre 2 e 64; as vias (lanes) devem ficar entre 1 e 16.'],
  ['The vault header asks for unsafe key-derivation settings (memory x iterations must be at most 16384 MiB (such as 256 MiB x 64 or 2048 MiB x 8), and 2048 MiB x 64 is 131072 MiB). The file is damaged or was tampered with; restore it from its .bak copy or a backup.',
    'O cabeçalho do cofre pede configurações inseguras de derivação de chave (memória x iterações deve ser no máximo 16384 MiB (como 256 MiB x 64 ou 2048 MiB x 8), e 2048 MiB x 64 dá 131072 MiB). O arquivo está danificado ou foi adulterado; restaure-o da cópia .bak ou de um backup.'],
  ['Other users can write to the folder /tmp, so they could replace your vault or plant files next to it. Nothing was changed. Keep the vault in a folder only you can write to (for example, run chmod go-w on it), then try again.',
    'Outros usuários podem gravar na pasta /tmp, então poderiam substituir o seu cofre ou colocar arquivos ao lado dele. Nada foi alterado. Mantenha o cofre em uma pasta em que só você possa gravar (por exemplo, execute chmod go-w nela) e tente novamente.'],
  ['There is no vault at /home/ana/vault.keyhold. Create one first (keyhold init), or pass --vault with the right path.',
    'Não há cofre em /home/ana/vault.keyhold. Crie um primeiro (keyhold init) ou passe --vault com o caminho certo.'],
  ['A vault already exists at /home/ana/My Vault.keyhold. Unlock it, or choose another path.', 'Já existe um cofre em /home/ana/My Vault.keyhold. Desbloqueie-o ou escolha outro caminho.'],
  ['/home/ana/link.keyhold is a symbolic link to a file that does not exist. Keyhold did not create a vault through it: give the path where the vault should be, or remove the link.',
    '/home/ana/link.keyhold é um link simbólico para um arquivo que não existe. O Keyhold não criou um cofre por meio dele: informe o caminho onde o cofre deve ficar ou remova o link.'],
  ['The system keychain is not available, so the device key could not be read. Unlock with your master password.',
    'O chaveiro do sistema não está disponível, então a chave do dispositivo não pôde ser lida. Desbloqueie com sua senha mestra.'],
  ['/home/ana/keyhold-activity.csv already exists. Choose another file, or add --force to replace it.',
    '/home/ana/keyhold-activity.csv já existe. Escolha outro arquivo ou adicione --force para substituí-lo.'],
  ['/home/ana/Exports is a folder. Give the path of the file to write.', '/home/ana/Exports é uma pasta. Informe o caminho do arquivo a ser gravado.'],
  ['The folder /home/ana/gone does not exist. Create it, or choose another path. Nothing was written.', 'A pasta /home/ana/gone não existe. Crie-a ou escolha outro caminho. Nada foi gravado.'],
  ['The disk that holds the folder /home/ana/Keyhold is full, so the change could not be saved. Nothing was changed. Free some space on it, then try again.',
    'O disco que contém a pasta /home/ana/Keyhold está cheio, então a alteração não pôde ser salva. Nada foi alterado. Libere espaço nele e tente novamente.'],
  ['Your disk quota on the folder /home/ana/Keyhold is used up, so the change could not be saved. Nothing was changed. Free some space, then try again.',
    'Sua cota de disco na pasta /home/ana/Keyhold acabou, então a alteração não pôde ser salva. Nada foi alterado. Libere espaço e tente novamente.'],
  ['The folder /media/usb is on a read-only file system, so Keyhold cannot save there. Nothing was changed. Make it writable, or keep the vault in another folder.',
    'A pasta /media/usb está em um sistema de arquivos somente leitura, então o Keyhold não pode salvar ali. Nada foi alterado. Permita a gravação ali ou mantenha o cofre em outra pasta.'],
  ['Keyhold is not allowed to write to the folder /srv/vaults. Nothing was changed. Check that you own it or may write to it, or keep the vault in another folder.',
    'O Keyhold não tem permissão para gravar na pasta /srv/vaults. Nada foi alterado. Confira se você é o dono ou se pode gravar ali, ou mantenha o cofre em outra pasta.'],
  ["Keyhold is not allowed to read /srv/vaults/team.keyhold. Check the file's owner and permissions.",
    'O Keyhold não tem permissão para ler /srv/vaults/team.keyhold. Confira o dono e as permissões do arquivo.'],
  ['Keyhold could not open a file in /home/ana/vault.keyhold: too many files are open on this computer. Keyhold did not change it. Close some programs, then try again.',
    'O Keyhold não conseguiu abrir um arquivo em /home/ana/vault.keyhold: há arquivos demais abertos neste computador. O Keyhold não o alterou. Feche alguns programas e tente novamente.'],
  ['Part of the path /home/ana/notes.txt/vault.keyhold is a file, not a folder. Check the path.',
    'Parte do caminho /home/ana/notes.txt/vault.keyhold é um arquivo, não uma pasta. Confira o caminho.'],
  ['The path /home/ana/very/long/path is too long for this file system. Use a shorter one.', 'O caminho /home/ana/very/long/path é longo demais para este sistema de arquivos. Use um mais curto.'],
  ['The path /home/ana/loop is a loop of symbolic links. Check the path.', 'O caminho /home/ana/loop é um ciclo de links simbólicos. Confira o caminho.'],
  ["The folder /home/ana/gone no longer exists. Nothing was changed. Check the vault's path.", 'A pasta /home/ana/gone não existe mais. Nada foi alterado. Confira o caminho do cofre.'],
  ["/home/ana/vault.keyhold disappeared while Keyhold was reading it. Check the vault's path, then try again.",
    '/home/ana/vault.keyhold desapareceu enquanto o Keyhold o lia. Confira o caminho do cofre e tente novamente.'],
  ['The file system reported an error (EIO) while Keyhold was saving to the folder /home/ana. Nothing was changed. Check the disk, then try again.',
    'O sistema de arquivos informou um erro (EIO) enquanto o Keyhold salvava na pasta /home/ana. Nada foi alterado. Verifique o disco e tente novamente.'],
  ['/home/ana/Keyhold is a folder, not a vault file. Give the path of the vault file itself (for example /home/ana/Keyhold/vault.keyhold). Keyhold did not change anything there.',
    '/home/ana/Keyhold é uma pasta, não um arquivo de cofre. Informe o caminho do próprio arquivo do cofre (por exemplo /home/ana/Keyhold/vault.keyhold). O Keyhold não alterou nada ali.'],
  ['/dev/null is a device, not a vault file. Give the path of a vault file. Keyhold did not change anything there.',
    '/dev/null é um dispositivo, não um arquivo de cofre. Informe o caminho de um arquivo de cofre. O Keyhold não alterou nada ali.'],

  // Activity log: where the chain breaks (ActivityVerification.problem)
  ['Entry 41 was changed or moved: it does not follow the entry before it.', 'A entrada 41 foi alterada ou movida: ela não segue a entrada anterior.'],
  ['Entry 41 is missing: it was removed.', 'A entrada 41 está faltando: ela foi removida.'],
  ['Entries 41 to 57 are missing: they were removed.', 'As entradas 41 a 57 estão faltando: elas foram removidas.'],
  ['The log ends at entry 40, but the vault says it reached 57: entries were removed from the end.',
    'O registro termina na entrada 40, mas o cofre diz que ele chegou à entrada 57: entradas foram removidas do final.'],
  ['The vault file is older than the activity log this computer saw: its log ends at entry 40, but entry 57 was written here before. An older copy of the vault was put back.',
    'O arquivo do cofre é mais antigo que o registro de atividades que este computador viu: o registro dele termina na entrada 40, mas a entrada 57 já tinha sido gravada aqui. Uma cópia mais antiga do cofre foi restaurada.'],
  ['The vault file is older than the activity log this computer saw: entry 41 is not the one written here before, so an older copy of the vault was put back and used since (or someone with the master password rewrote the log).',
    'O arquivo do cofre é mais antigo que o registro de atividades que este computador viu: a entrada 41 não é a que foi gravada aqui antes, então uma cópia mais antiga do cofre foi restaurada e usada desde então (ou alguém com a senha mestra reescreveu o registro).'],

  // Local access (AgentStatus.problem, NetworkStatus.problem) and browser integration (BrowserIntegration.problem)
  ['The local access folder /run/user/1000/keyhold has mode 755 instead of 700, so other programs could reach the agent. Remove it (Keyhold makes it again with mode 0700), then try again.',
    'A pasta de acesso local /run/user/1000/keyhold tem o modo 755 em vez de 700, então outros programas poderiam alcançar o agente. Remova-a (o Keyhold a cria de novo com o modo 0700) e tente novamente.'],
  ["This vault's agent is already running in `keyhold agent` (process 4242, since 2026-03-05T22:29:00.000Z). Use that one, or stop it first.",
    'O agente deste cofre já está em execução em `keyhold agent` (processo 4242, desde 2026-03-05T22:29:00.000Z). Use esse ou encerre-o primeiro.'],
  ["Keyhold's agent could not be reached (EACCES). Start it, then try again.", 'Não foi possível alcançar o agente do Keyhold (EACCES). Inicie-o e tente novamente.'],
  ['The event must be one of secret.added, secret.edited.', 'O evento deve ser um destes: secret.added, secret.edited.'],
  ['This computer is on no private network, so no phone can reach it. Connect to your Wi-Fi or local network, then turn it on again.',
    'Este computador não está em nenhuma rede privada, então nenhum celular consegue alcançá-lo. Conecte-se ao seu Wi-Fi ou à rede local e ative de novo.'],
  ['Port 47201 was taken, so Keyhold now listens on port 47202. Phones paired before must be paired again.',
    'A porta 47201 estava ocupada, então o Keyhold agora aguarda na porta 47202. Celulares pareados antes precisam ser pareados de novo.'],
  ['Keyhold could not listen for phones: The vault is locked. Unlock it to continue.', 'O Keyhold não conseguiu aguardar celulares: O cofre está bloqueado. Desbloqueie-o para continuar.'],
  ['Keyhold runs from a temporary folder (/tmp/.mount_Keyhold/keyhold), so browsers could not start it later. Install Keyhold, then turn this on.',
    'O Keyhold está sendo executado de uma pasta temporária (/tmp/.mount_Keyhold/keyhold), então os navegadores não conseguiriam iniciá-lo depois. Instale o Keyhold e depois ative esta opção.'],
  ['This Keyhold cannot start a host for browsers.', 'Este Keyhold não consegue iniciar um host para navegadores.'],
  ['Browser integration is set up from the app, or with `keyhold browser install`.', 'A integração com navegadores é configurada pelo app ou com `keyhold browser install`.'],
  ['Keyhold cannot reach its vault. Close this window and start Keyhold again.', 'O Keyhold não consegue alcançar o cofre. Feche esta janela e abra o Keyhold de novo.'],
  ['This token can no longer be copied: Keyhold shows it only once and does not keep it. If you did not save it, deactivate the key and generate a new one.',
    'Este token não pode mais ser copiado: o Keyhold o mostra uma única vez e não o guarda. Se você não o guardou, desative a chave e gere uma nova.'],

  // Schemas: the one-line fields, bounds and lists of allowed values
  ['The name is required.', 'O nome é obrigatório.'],
  ['The URL is required.', 'A URL é obrigatória.'],
  ['The role name cannot be empty.', 'O nome da função não pode ficar vazio.'],
  ['The tag cannot be empty.', 'A tag não pode ficar vazia.'],
  ['The tag can have at most 50 characters.', 'A tag pode ter no máximo 50 caracteres.'],
  ['The client secret can have at most 4096 characters.', 'O segredo do cliente pode ter no máximo 4096 caracteres.'],
  ['The Identifier must be a single line without control characters.', 'O Identificador deve ser uma única linha, sem caracteres de controle.'],
  ['The number of days is at most 365.', 'O número de dias deve ser no máximo 365.'],
  ['The permission must be one of secrets:read, secrets:write, apps:read, audit:read.', 'A permissão deve ser uma destas: secrets:read, secrets:write, apps:read, audit:read.'],
  ['A key can have at most 200 characters.', 'Uma chave pode ter no máximo 200 caracteres.'],
  ['A key can have at most 50 roles.', 'Uma chave pode ter no máximo 50 funções.'],
  ['A role can be limited to at most 20 tags.', 'Uma função pode ser limitada a no máximo 20 tags.'],
  ['The browser must be one of chrome, chromium, edge, brave, firefox.', 'O navegador deve ser um destes: chrome, chromium, edge, brave, firefox.'],
  ['The sort must be one of name, url, updated.', 'A ordenação deve ser uma destas: name, url, updated.'],
  ['The method must be one of GET, POST.', 'O método deve ser um destes: GET, POST.'],
  ['The tags can be at most 30.', 'São permitidas no máximo 30 tags.'],
  ['The notes can have at most 10000 characters.', 'As notas podem ter no máximo 10000 caracteres.'],
  ['The search can have at most 200 characters.', 'A pesquisa pode ter no máximo 200 caracteres.'],
  ['The page size can be at most 500.', 'O tamanho da página pode ser no máximo 500.'],
  ['Keyhold clears the clipboard after at least 5 seconds.', 'O Keyhold limpa a área de transferência após pelo menos 5 segundos.'],
  ['Keyhold clears the clipboard after at most 600 seconds (10 minutes).', 'O Keyhold limpa a área de transferência após no máximo 600 segundos (10 minutos).'],
  ['Keyhold locks after at least 1 minute without activity.', 'O Keyhold bloqueia após pelo menos 1 minuto sem atividade.'],
  ['Keyhold locks after at most 240 minutes (4 hours) without activity.', 'O Keyhold bloqueia após no máximo 240 minutos (4 horas) sem atividade.'],
  ['The master password can have at most 1024 characters.', 'A senha mestra pode ter no máximo 1024 caracteres.'],
  ['The master password must have at least 8 characters.', 'A senha mestra deve ter pelo menos 8 caracteres.'],

  // validation.ts describeIssues: field names kept, each part translated
  ['Invalid input: The name is required.; tags.2 A tag cannot be empty.', 'Dados inválidos: O nome é obrigatório.; tags.2 Uma tag não pode ficar vazia.'],
  ['Invalid input: unexpected field "admin"; roleIds has the wrong type.', 'Dados inválidos: campo inesperado "admin"; roleIds tem o tipo errado.'],
  ['Invalid input: unexpected fields "a", "b"; the request has the wrong shape; scope is not valid.',
    'Dados inválidos: campos inesperados "a", "b"; a solicitação tem o formato errado; scope não é válido.'],
  ['Invalid input: id The application id is not valid (ids look like 8f14e45f-ceea-4e7a-9f1b-3c4d5e6f7a8b; see `keyhold app list`).',
    'Dados inválidos: id O id do aplicativo não é válido (os ids são como 8f14e45f-ceea-4e7a-9f1b-3c4d5e6f7a8b; veja `keyhold app list`).'],
  ['Invalid input: days Too big: expected number to be <=3650.', 'Dados inválidos: days Grande demais: o número deve ser no máximo 3650.'],
]

describe('the core\'s messages in the app\'s language', () => {
  afterEach(() => applyLocale('en'))

  it('finds the core\'s messages in its sources', () => {
    // A guard on the reading itself: far fewer would mean the expressions above stopped matching.
    expect(MESSAGES.filter((m) => !m.template).length).toBeGreaterThan(100)
    expect(MESSAGES.filter((m) => m.template).length).toBeGreaterThan(40)
  })

  it('has Portuguese for every message the core writes as one sentence', () => {
    applyLocale('pt-BR')
    const missing = MESSAGES.filter((m) => !m.template && !NOT_IN_APP.has(m.text) && translateCoreMessage(m.text) === m.text)
    expect(missing.map((m) => `${m.file}: ${m.text}`)).toEqual([])
  })

  it('has a tested example for every message with variable parts', () => {
    const untested = MESSAGES.filter((m) => m.template && !EXAMPLES.some(([english]) => templateExpression(m.text).test(english)))
    expect(untested.map((m) => `${m.file}: ${m.text}`)).toEqual([])
  })

  it('has Portuguese for every piece the core puts into a sentence of its own', () => {
    applyLocale('pt-BR')
    for (const { helper, sentence } of PIECES) {
      const found = pieces(helper)
      expect(found.length, helper).toBeGreaterThan(0)
      for (const piece of found) expect(translateCoreMessage(sentence(piece)), `${helper}: ${piece}`).not.toBe(sentence(piece))
    }
  })

  it('translates messages with variable parts, keeping names, paths and numbers as they are', () => {
    applyLocale('pt-BR')
    for (const [english, portuguese] of EXAMPLES) expect(translateCoreMessage(english)).toBe(portuguese)
  })

  it('leaves a message it does not know in English, whole', () => {
    applyLocale('pt-BR')
    expect(translateCoreMessage('A message Keyhold never wrote.')).toBe('A message Keyhold never wrote.')
    // One unknown part keeps the whole summary English rather than half translated.
    expect(translateCoreMessage('Invalid input: The name is required.; tags.0 Something new.')).toBe('Invalid input: The name is required.; tags.0 Something new.')
    expect(translateCoreMessage('The vault file is damaged (a reason not known). Keyhold did not change it; restore it from its .bak copy or a backup.')).toBe(
      'The vault file is damaged (a reason not known). Keyhold did not change it; restore it from its .bak copy or a backup.',
    )
  })

  it('gives every message unchanged in English', () => {
    applyLocale('en')
    for (const text of [...MESSAGES.map((m) => m.text), ...EXAMPLES.map(([english]) => english)]) expect(translateCoreMessage(text)).toBe(text)
  })
})

describe('errorText', () => {
  afterEach(() => applyLocale('en'))

  it('words a code main sent no message for, in Portuguese in pt-BR', () => {
    applyLocale('pt-BR')
    expect(errorText({ code: 'VAULT_LOCKED', message: '' })).toBe('O cofre está bloqueado. Desbloqueie-o com sua senha mestra para continuar.')
    expect(errorText({ code: 'DISK_FULL', message: '  ' })).toBe('O disco está cheio, então nada foi salvo. Libere espaço e tente novamente.')
    expect(errorText({ code: 'NO_SUCH_CODE' as never, message: '' })).toBe(
      'Algo deu errado dentro do Keyhold. Seu cofre não foi alterado; tente novamente e reinicie o Keyhold se o problema continuar.',
    )
    const english = (code: (typeof ERROR_CODES)[number]) => (applyLocale('en'), errorText({ code, message: '' }))
    for (const code of ERROR_CODES) {
      const words = english(code)
      applyLocale('pt-BR')
      expect(errorText({ code, message: '' }), code).not.toBe(words)
      expect(errorText({ code, message: '' }), code).not.toMatch(/^errors\./)
    }
  })

  it('gives main\'s message in the app\'s language, and its words for a code in English as before', () => {
    applyLocale('pt-BR')
    expect(errorText({ code: 'NOT_FOUND', message: 'There is no application key "kh_9f3a" in this vault. Check the key on the Application Keys or My Keys page.' })).toBe(
      'Não há chave de aplicação "kh_9f3a" neste cofre. Confira a chave na página Chaves de aplicação ou Minhas chaves.',
    )
    applyLocale('en')
    expect(errorText({ code: 'NOT_FOUND', message: ' There is no vault yet. Create one first. ' })).toBe('There is no vault yet. Create one first.')
    expect(errorText({ code: 'AGENT_NOT_RUNNING', message: '' })).toBe('Keyhold is not accepting connections for this vault. Turn them on in Settings > Connected apps.')
    expect(errorText({ code: 'VAULT_FOLDER_UNSAFE', message: '' })).toBe("Other users can write to the vault's folder. Move the vault to a folder only you can write to.")
  })
})
