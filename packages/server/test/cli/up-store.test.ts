import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { postgresSkipReason, postgresUrl } from '../helpers/postgres.js'

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Runs `agentmesh up --store URL` and checks it fails in one line, with exit 1. */
async function upFails(url: string): Promise<string> {
  const result = await runCli(['up', '--port', '0', '--memory', '--store', url])
  expect(result.code).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  return lines[0]!
}

const skip = await postgresSkipReason()

describe('agentmesh up --store with a bad URL', () => {
  it('says the connection was refused', async () => {
    const line = await upFails(`postgres://postgres:s3cret@127.0.0.1:${await closedPort()}/test`)
    expect(line).toMatch(
      /^agentmesh: Migrating the store failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    )
    expect(line).not.toContain('s3cret')
  })

  describe.skipIf(skip !== undefined)(
    `against PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      const server = new URL(postgresUrl)

      it('says the database does not exist', async () => {
        const url = new URL(server)
        url.pathname = '/agentmesh_no_such_database'
        expect(await upFails(url.toString())).toBe(
          'agentmesh: Migrating the store failed: database "agentmesh_no_such_database" does not exist',
        )
      })

      it('says the role cannot sign in', async () => {
        const url = new URL(server)
        url.username = 'agentmesh_no_such_role'
        url.password = 's3cret'
        const line = await upFails(url.toString())
        expect(line).toMatch(
          /^agentmesh: Migrating the store failed: (role "agentmesh_no_such_role" does not exist|password authentication failed for user "agentmesh_no_such_role")$/,
        )
        expect(line).not.toContain('s3cret')
      })
    },
  )
})
