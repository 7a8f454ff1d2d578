import { readFileSync } from 'node:fs'
import type { PipelineRunView } from '@agentmesh/sdk'
import type { Command } from 'commander'
import { parse as parseYaml } from 'yaml'
import { CliError } from './cli-error.js'
import { connect, withClientOptions, type ClientFlags } from './client-options.js'
import { parseJsonArgument } from './json-argument.js'

const marks: Record<string, string> = {
  pending: '·',
  running: '▶',
  completed: '✔',
  failed: '✖',
  skipped: '↷',
  canceled: '■',
}

/** A step as a `step` event (or a snapshot's step) tells it. */
interface StepEvent {
  step?: string
  state?: string
  taskId?: string | null
  error?: { message: string } | null
}

function readDefinition(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new CliError(`Cannot read "${file}": ${(error as Error).message}`, 2)
  }
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    throw new CliError(
      `"${file}" is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      2,
    )
  }
}

/** `agentmesh pipeline run FILE`: run a YAML or JSON definition, showing each step as it moves. */
export function pipelineCommand(program: Command, env: NodeJS.ProcessEnv): void {
  const pipeline = program.command('pipeline').description('run pipelines of capabilities')
  withClientOptions(
    pipeline
      .command('run <file>')
      .description('run a pipeline definition (YAML or JSON) with live progress'),
  )
    .option('--input <json>', 'the pipeline input, as JSON')
    .option('--json', 'print the finished run as JSON')
    .action(async (file: string, flags: ClientFlags & { input?: string; json?: boolean }) => {
      const definition = readDefinition(file)
      const input = parseJsonArgument(flags.input, '--input')
      const mesh = await connect(flags, env)
      try {
        const started = await mesh.runPipeline(definition, input)
        process.stderr.write(`run ${started.id}: ${started.steps.length} steps\n`)
        let finalRun: PipelineRunView = started
        // What each step was last shown as: the snapshot and the events may tell the same move.
        const shown = new Map<string, string>()
        const show = (step: StepEvent) => {
          if (!step.step || !step.state || step.state === 'pending') return
          const key = `${step.state} ${step.taskId ?? ''}`
          if (shown.get(step.step) === key) return
          shown.set(step.step, key)
          const detail = step.error
            ? `  ${step.error.message}`
            : step.taskId && step.state === 'running'
              ? `  task ${step.taskId}`
              : ''
          process.stderr.write(
            `  ${marks[step.state] ?? '?'} ${step.step.padEnd(20)} ${step.state}${detail}\n`,
          )
        }
        for await (const event of mesh.pipelineEvents(started.id)) {
          if (event.event === 'snapshot') {
            // Steps that moved before the stream opened, in the definition's order; a step an
            // event already showed is left to its events (the snapshot may be older than them).
            for (const s of (event.data as PipelineRunView).steps) {
              if (!shown.has(s.id)) show({ ...s, step: s.id })
            }
          } else if (event.event === 'step') show(event.data as StepEvent)
        }
        finalRun = await mesh.pipelineRun(started.id)
        if (flags.json) console.log(JSON.stringify(finalRun, null, 2))
        else {
          const last = finalRun.steps.filter((s) => s.state === 'completed').at(-1)
          if (last) console.log(JSON.stringify(last.output, null, 2))
          process.stderr.write(
            `run ${finalRun.state}, spent ${finalRun.spent.amount} ${finalRun.spent.currency}\n`,
          )
        }
        if (finalRun.state !== 'completed')
          throw new Error(`Pipeline run ${finalRun.id} ${finalRun.state}`)
      } finally {
        await mesh.close()
      }
    })
}
