/// <reference types="electron-vite/node" />
// `import path from './x?modulePath'`: electron-vite builds x as a file of its own and gives
// its path (vitest.config.ts does the same for tests).
