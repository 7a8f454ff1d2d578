import { readFileSync } from 'node:fs'
import type { FlJobSpec } from '@agentmesh/protocol'
import type { FlStreamEvent } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { CliError } from './cli-error.js'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'

/** A spec file is small; anything larger is not one. */
const MAX_SPEC_BYTES = 256 * 1024

function readSpec(file: string): FlJobSpec {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new CliError(`Cannot read "${file}": ${(error as Error).message}`, 2)
  }
  if (text.length > MAX_SPEC_BYTES) {
    throw new CliError(`"${file}" is larger than ${MAX_SPEC_BYTES} bytes: not a job spec`, 2)
  }
  try {
    return JSON.parse(text) as FlJobSpec
  } catch (error) {
    throw new CliError(`"${file}" is not valid JSON: ${(error as Error).message}`, 2)
  }
}

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`)

/** A line for each round that ended, and one for the job's start. */
function progress(event: FlStreamEvent): string | undefined {
  switch (event.event) {
    case 'snapshot': {
      const job = event.data
      const escrowed = `${job.escrowed.amount} ${job.escrowed.currency}`
      return `job ${job.id}: ${job.spec.rounds} rounds, ${job.validators.length} validators (f=${job.f}), ${escrowed} escrowed`
    }
    case 'round': {
      const r = event.data
      if (r.state === 'training' || r.state === 'validating') return undefined
      const detail = r.error ? `  ${r.error.message}` : ''
      return `  round ${String(r.round).padStart(3)}  ${r.state.padEnd(8)}  accuracy ${percent(r.accuracy).padStart(6)}  accepted ${r.accepted}/${r.trainers}${detail}`
    }
    case 'job':
      return undefined
  }
}

/**
 * `agentmesh fl run FILE`: starts the job a JSON spec describes and follows it, a line per round
 * on stderr; prints the ended job as JSON on stdout. Exits 0 when the job completed, 1 when it
 * failed or was canceled (its reason on stderr), 2 for a file that is no JSON.
 */
export function flCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const fl = program.command('fl').description('federated learning jobs')
  withClientOptions(
    fl
      .command('run <file>')
      .description('run a federated-learning job from a JSON spec, with a line per round'),
  ).action(async (file: string, flags: ClientFlags) => {
    const spec = readSpec(file)
    const mesh = await connect(flags, env)
    try {
      let started = false
      const job = await mesh.fl.run(spec, {
        onEvent: (event) => {
          // The first snapshot announces the job; the stream's own snapshot repeats it.
          if (event.event === 'snapshot' && started) return
          started = true
          const line = progress(event)
          if (line) process.stderr.write(`${line}\n`)
        },
      })
      console.log(JSON.stringify(job, null, 2))
      const model = `model of round ${job.currentModel.round} (${job.currentModel.hash.slice(0, 16)}…)`
      process.stderr.write(
        `job ${job.state}: ${model}, paid ${job.paid.amount} ${job.paid.currency}\n`,
      )
      if (job.state !== 'completed') {
        throw new CliError(`Job ${job.id} ${job.state}: ${job.error?.message ?? 'no reason given'}`)
      }
    } finally {
      await mesh.close()
    }
  })
}
