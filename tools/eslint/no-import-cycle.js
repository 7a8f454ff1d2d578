// @ts-check
import ts from 'typescript'

/**
 * `no-import-cycle`: refuses an import that closes a cycle among the packages' own sources
 * (`packages/<name>/src/**`), type-only imports included. `import-x/no-cycle` skips `import type`,
 * so it missed the cycle through `core/ports.ts` that this rule was written against; a cycle of
 * types is still a tangle of modules that cannot be understood, moved or split one at a time.
 *
 * It reads the TypeScript program that type-checked linting has already built, so it resolves
 * every import exactly as `tsc` does, at little extra cost.
 *
 * @type {import('eslint').Rule.RuleModule}
 */
export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Refuse import cycles, type-only imports included' },
    messages: { cycle: 'Import cycle: {{cycle}}. Move the shared types to a file both can import' },
    schema: [],
  },
  create(context) {
    const program = context.sourceCode.parserServices?.program
    if (program === undefined || program === null) return {}
    const graph = graphOf(program)
    const fileName = context.physicalFilename
    const own = graph.edges(fileName)
    return {
      Program() {
        for (const { node, target } of own) {
          const path = pathBack(graph, target, fileName)
          if (path === undefined) continue
          const cycle = [fileName, ...path].map((file) => relative(context.cwd, file)).join(' → ')
          context.report({
            loc: {
              start: context.sourceCode.getLocFromIndex(node.getStart()),
              end: context.sourceCode.getLocFromIndex(node.getEnd()),
            },
            messageId: 'cycle',
            data: { cycle },
          })
        }
      },
    }
  },
}

/** A file is ours when it is a package's source, not a declaration file or a dependency. */
const ownSource = /\/packages\/[^/]+\/src\/(?!.*\.d\.ts$).*\.tsx?$/

/** @type {WeakMap<ts.Program, { edges(file: string): { node: ts.Node, target: string }[] }>} */
const graphs = new WeakMap()

/** The import graph of one program, read lazily and kept as long as the program lives. */
function graphOf(/** @type {ts.Program} */ program) {
  const known = graphs.get(program)
  if (known !== undefined) return known
  const checker = program.getTypeChecker()
  /** @type {Map<string, { node: ts.Node, target: string }[]>} */
  const cache = new Map()
  const graph = {
    edges(/** @type {string} */ file) {
      let edges = cache.get(file)
      if (edges === undefined) {
        const source = program.getSourceFile(file)
        edges = source === undefined ? [] : importsOf(source, checker)
        cache.set(file, edges)
      }
      return edges
    },
  }
  graphs.set(program, graph)
  return graph
}

/** Every module specifier of `source` (static, re-export, dynamic, `import('…')` types) that resolves to our sources. */
function importsOf(/** @type {ts.SourceFile} */ source, /** @type {ts.TypeChecker} */ checker) {
  /** @type {{ node: ts.Node, target: string }[]} */
  const edges = []
  const add = (/** @type {ts.Node | undefined} */ node) => {
    if (node === undefined || !ts.isStringLiteralLike(node)) return
    const declaration = checker.getSymbolAtLocation(node)?.declarations?.[0]
    if (declaration === undefined || !ts.isSourceFile(declaration)) return
    if (ownSource.test(declaration.fileName)) edges.push({ node, target: declaration.fileName })
  }
  const visit = (/** @type {ts.Node} */ node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier)
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0])
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      add(node.argument.literal)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return edges
}

/** The shortest import path from `from` back to `to` (both included), or undefined. */
function pathBack(
  /** @type {{ edges(file: string): { target: string }[] }} */ graph,
  /** @type {string} */ from,
  /** @type {string} */ to,
) {
  /** @type {Map<string, string | null>} */
  const parent = new Map([[from, null]])
  const queue = [from]
  for (let i = 0; i < queue.length; i++) {
    const file = /** @type {string} */ (queue[i])
    if (file === to) {
      const path = []
      for (let at = /** @type {string | null | undefined} */ (file); at; at = parent.get(at))
        path.unshift(at)
      return path
    }
    for (const { target } of graph.edges(file)) {
      if (parent.has(target)) continue
      parent.set(target, file)
      queue.push(target)
    }
  }
  return undefined
}

function relative(/** @type {string} */ cwd, /** @type {string} */ file) {
  return file.startsWith(cwd + '/') ? file.slice(cwd.length + 1) : file
}
