// Child process for the crash test: opens the vault and saves forever, each save adding one
// row and bumping a counter in the same transaction, until it is killed.
import { Vault } from '../../src-main/core/vault/vault'
import './schema.setup'

async function main(): Promise<never> {
  const [path, password] = process.argv.slice(2) as [string, string]
  const vault = await Vault.open(path, { password })
  for (let i = 0; ; i++) {
    if (i === 1) process.stdout.write('saved once\n')
    await vault.mutate((db) => {
      db.run('INSERT INTO rows (n, pad) VALUES (?, ?)', [i, 'x'.repeat(4000)])
      db.run('UPDATE counter SET n = n + 1')
    })
  }
}

void main()
