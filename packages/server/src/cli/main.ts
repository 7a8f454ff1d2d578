#!/usr/bin/env node
import { SdkError } from '@agentmesh/sdk'
import { Command, CommanderError } from 'commander'
import { agentCommand } from './agent-command.js'
import { templatesCommand } from './templates-command.js'
import { auditCommand } from './audit-command.js'
import { agentsCommand } from './agents-command.js'
import { benchCommand } from './bench-command.js'
import { callCommand } from './call-command.js'
import { certificateCommand } from './certificate-command.js'
import { CliError } from './cli-error.js'
import { clusterCommand } from './cluster-command.js'
import { keysCommand } from './keys-command.js'
import { knowledgeCommand } from './knowledge-command.js'
import { mcpCommand } from './mcp-command.js'
import { pipelineCommand } from './pipeline-command.js'
import { federationCommand } from './federation-command.js'
import { flCommand } from './fl-command.js'
import { ledgerCommand } from './ledger-command.js'
import { upCommand } from './up-command.js'
import { whoamiCommand } from './whoami-command.js'

/** Exit codes: 0 success, 1 failure (one line on stderr), 2 bad usage. */
function exitCodeOf(error: unknown): 1 | 2 {
  if (error instanceof CliError) return error.exitCode
  if (error instanceof SdkError && error.code === 'BAD_OPTIONS') return 2
  return 1
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const program = new Command('agentmesh')
    .description('agentmesh: an open network for AI agents')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
  upCommand(program, env)
  keysCommand(program, env)
  whoamiCommand(program, env)
  callCommand(program, env)
  pipelineCommand(program, env)
  auditCommand(program, env)
  certificateCommand(program, env)
  ledgerCommand(program, env)
  agentsCommand(program, env)
  clusterCommand(program, env)
  federationCommand(program, env)
  flCommand(program, env)
  agentCommand(program, env)
  templatesCommand(program, env)
  knowledgeCommand(program, env)
  mcpCommand(program, env)
  benchCommand(program)
  try {
    await program.parseAsync(argv)
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2
    }
    process.stderr.write(`agentmesh: ${(error as Error).message}\n`)
    return exitCodeOf(error)
  }
}

process.exitCode = await main(process.argv, process.env)
