import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueI18n from '@intlify/eslint-plugin-vue-i18n'
import globals from 'globals'

/**
 * Layering, by import path. SECURITY: only the shell (SHELL_FILES) imports electron. Inside
 * main, the core never imports what calls it (ipc/, cli/, worker/); the CLI calls the core,
 * never the Electron side's ipc/; a feature in core/<feature>/ uses another only through its
 * *.service.ts or *.types.ts; the vault layer (core/vault) imports no feature and, of the core
 * above it, only ports.ts (core/schema.ts hands it the features' migrations). Imports are
 * relative, so the patterns read them as written: `../ipc` from cli/, `../../ipc` from core/<feature>/.
 */
const ELECTRON = {
  paths: [{ name: 'electron', message: 'Only the Electron shell files may import electron (see eslint.config.mjs). Put the need behind a port in src-main/core/ports.ts.' }],
  patterns: [{ group: ['electron/*'], message: 'Only the Electron shell files may import electron (see eslint.config.mjs).' }],
}
const CORE_CALLS_NOTHING_ABOVE = {
  regex: '^(\\.\\./)+(ipc|cli|worker)(/|$)',
  message: 'The core never imports src-main/ipc, cli or worker: they call the core. Move what both need into the core or src-shared.',
}
const FEATURE_INTERNALS = {
  regex: '^\\.\\./(?!vault/)[^./][^/]*/(?!(?:[^/]+\\.(?:service|types)|index)$)',
  message: "A feature uses another only through its *.service.ts or *.types.ts (or core/vault, core/ports.ts, src-shared): the other's repositories, migrations and helpers are its own.",
}
const VAULT_IS_THE_GROUND_FLOOR = {
  regex: '^\\.\\./(?!ports$)[^./]',
  message: 'The vault layer imports no feature and nothing of the core above it but ports.ts; features register their migrations in core/schema.ts.',
}
const CLI_SKIPS_IPC = {
  regex: '^(\\.\\./)+ipc(/|$)',
  message: "The CLI calls the core directly and never imports src-main/ipc (the Electron side's wrapper). Move what both need into the core or src-shared.",
}

const EXTENSION_STAYS_IN_THE_BROWSER = {
  regex: '^(\\.\\./)+src-(main|renderer)(/|$)|^node:',
  message: 'The browser extension bundles only its own code and src-shared (no Node, no main process, no renderer): it runs in the browser.',
}

/** `no-restricted-imports` for one part of the tree: electron, plus that part's patterns (a later config replaces a rule's options, so each lists all). */
const restrictImports = (...patterns) => ['error', { paths: ELECTRON.paths, patterns: [...ELECTRON.patterns, ...patterns] }]

/** Files allowed to import `electron`: the shell only. Everything else must run under plain Node. */
const SHELL_FILES = [
  'src-main/index.ts',
  'src-main/window.ts',
  'src-main/preload/**',
  'src-main/ipc/electron-ipc.ts',
  'src-main/adapters/**',
]

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    // vue-tsc checks names in <script lang="ts">, as tsc does for .ts files (where typescript-eslint turns no-undef off too).
    rules: { 'no-undef': 'off' },
  },
  {
    // Every word a screen shows goes through vue-i18n (src-renderer/i18n): no raw text in a
    // template or in an attribute a person reads or hears; every key used exists in English.
    files: ['src-renderer/**/*.vue'],
    plugins: { '@intlify/vue-i18n': vueI18n },
    settings: {
      'vue-i18n': {
        localeDir: { pattern: './src-renderer/i18n/locales/*/*.json', localeKey: 'path', localePattern: /^.*\/locales\/(?<locale>[A-Za-z0-9-]+)\/[^/]+\.json$/ },
        messageSyntaxVersion: '^11.0.0',
      },
    },
    rules: {
      '@intlify/vue-i18n/no-raw-text': [
        'error',
        {
          attributes: { '/.+/': ['title', 'aria-label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext', 'placeholder', 'alt', 'label'] },
          // Symbols and the product's name read the same in every language.
          ignorePattern: '^[\\s\\-#:()&+×⋮…·/|•*✓✕←→↑↓—–%.,]+$',
          ignoreText: ['Keyhold'],
        },
      ],
      '@intlify/vue-i18n/no-missing-keys': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // SECURITY: layering. The core, the CLI, the shared contract and the renderer never touch electron.
    files: ['**/*.ts', '**/*.vue', '**/*.mjs'],
    ignores: SHELL_FILES,
    rules: { 'no-restricted-imports': restrictImports() },
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports(CORE_CALLS_NOTHING_ABOVE) },
  },
  {
    files: ['src-main/core/*/**/*.ts'],
    ignores: ['src-main/core/vault/**'],
    rules: { 'no-restricted-imports': restrictImports(CORE_CALLS_NOTHING_ABOVE, FEATURE_INTERNALS) },
  },
  {
    files: ['src-main/core/vault/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports(CORE_CALLS_NOTHING_ABOVE, VAULT_IS_THE_GROUND_FLOOR) },
  },
  {
    files: ['src-main/cli/**/*.ts'],
    rules: { 'no-restricted-imports': restrictImports(CLI_SKIPS_IPC) },
  },
  {
    // SECURITY: the extension runs in the browser with its own CSP: its code and src-shared only.
    files: ['extension/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, chrome: 'readonly' } },
    rules: { 'no-restricted-imports': restrictImports(EXTENSION_STAYS_IN_THE_BROWSER) },
  },
  {
    files: ['scripts/**', 'bin/**', 'test/fakes/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Plain Node scripts: CommonJS in bin/, ES modules in scripts/.
    files: ['bin/**/*.js', 'scripts/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
