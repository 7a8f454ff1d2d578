/**
 * The lint rules that keep the core's shape: `npm run lint` refuses an import cycle (type-only
 * imports included) and the core importing an adapter or the aggregate store. Probe files are
 * written into a temporary folder inside `src/core`, linted with the project's own ESLint config,
 * and removed. The folder's name starts with a dot, so `tsc` does not pick the probes up; its own
 * tsconfig.json gives the type-checked lint a small project of its own.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const core = join(root, 'packages/server/src/core')

const probes: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    extends: join(root, 'tsconfig.base.json'),
    compilerOptions: { composite: false, noEmit: true, types: ['node'] },
    include: ['*.ts'],
  }),
  // A cycle of types only, like the one that ran through core/ports.ts.
  'type-a.ts': "import type { B } from './type-b.js'\nexport interface A {\n  b?: B\n}\n",
  'type-b.ts': "import type { A } from './type-a.js'\nexport interface B {\n  a?: A\n}\n",
  // A cycle of values.
  'value-c.ts': "import { d } from './value-d.js'\nexport const c = (): number => d() + 1\n",
  'value-d.ts': "import { c } from './value-c.js'\nexport const d = (): number => c() - 1\n",
  // Imports the files above without closing a cycle: nothing to say.
  'acyclic.ts':
    "import type { A } from './type-a.js'\nimport { c } from './value-c.js'\nexport const e = (a: A): number => (a.b ? c() : 0)\n",
  'edge.ts':
    "import { systemClock } from '../../adapters/system/system-clock.js'\nexport const now = (): number => systemClock.now()\n",
  'whole-store.ts':
    "import type { Store } from '../store.js'\nexport const dialect = (store: Store): string => store.dialect\n",
}

/** Lints the probes with the project's config; answers each file's rule ids and messages. */
async function lintProbes(): Promise<Map<string, { ruleId: string | null; message: string }[]>> {
  const dir = await mkdtemp(join(core, '.lint-probe-'))
  try {
    for (const [name, text] of Object.entries(probes)) await writeFile(join(dir, name), text)
    const eslint = new ESLint({ cwd: root })
    const files = Object.keys(probes).filter((name) => name.endsWith('.ts'))
    const results = await eslint.lintFiles(files.map((name) => join(dir, name)))
    return new Map(
      results.map((result) => [
        relative(dir, result.filePath),
        result.messages.map(({ ruleId, message }) => ({ ruleId, message })),
      ]),
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe('lint rules', () => {
  it('refuses import cycles and the core importing the edge, and passes the rest', async () => {
    const found = await lintProbes()

    for (const file of ['type-a.ts', 'type-b.ts', 'value-c.ts', 'value-d.ts']) {
      expect(found.get(file), file).toEqual([
        { ruleId: 'agentmesh/no-import-cycle', message: expect.stringMatching(/^Import cycle: /) },
      ])
    }
    expect(found.get('type-a.ts')?.[0]?.message).toMatch(
      /\.lint-probe-\w+\/type-a\.ts → .*\/type-b\.ts → .*\/type-a\.ts/,
    )
    expect(found.get('acyclic.ts')).toEqual([])
    expect(found.get('edge.ts')).toEqual([
      {
        ruleId: 'no-restricted-imports',
        message: expect.stringContaining('The core never imports the edge'),
      },
    ])
    expect(found.get('whole-store.ts')).toEqual([
      {
        ruleId: 'no-restricted-imports',
        message: expect.stringContaining('the aggregate Store is for node.ts and adapters'),
      },
    ])
  }, 180_000)
})
