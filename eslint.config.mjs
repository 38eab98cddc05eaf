import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import globals from 'globals'

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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Only the Electron shell files may import electron (see eslint.config.mjs). Put the need behind a port in src-main/core/ports.ts.' }],
          patterns: [{ group: ['electron/*'], message: 'Only the Electron shell files may import electron (see eslint.config.mjs).' }],
        },
      ],
    },
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
