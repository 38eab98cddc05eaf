import { SCHEMA } from '../../src-main/core/schema'
import { useSchema } from '../../src-main/core/vault/database'

// Tests that open vaults without createServices (the vault engine's own) use the app's schema,
// as createServices sets it (see useSchema).
useSchema(SCHEMA)
