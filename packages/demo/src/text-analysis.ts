import * as stopwords from 'stopword'

/** A keyword with its weight (1 for the most frequent) and how often it occurs. */
export interface Keyword {
  word: string
  score: number
  count: number
}

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' })
const sentenceSegmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' })

/**
 * The stop-word list for an ISO 639-3 code (franc's codes are the stopword package's), English
 * when the language is unknown or has no list.
 */
export function stopwordsFor(language: string | undefined): ReadonlySet<string> {
  const lists = stopwords as unknown as Record<string, string[] | undefined>
  const list = (language && /^[a-z]{3}$/.test(language) ? lists[language] : undefined) ?? lists.eng
  return new Set(list ?? [])
}

/** The content words of a text, lower-cased, without stop words, digits or one-letter words. */
export function contentWords(text: string, stop: ReadonlySet<string>): string[] {
  const words: string[] = []
  for (const { segment, isWordLike } of wordSegmenter.segment(text)) {
    if (!isWordLike) continue
    const word = segment.toLocaleLowerCase()
    if (word.length < 2 || /^\p{N}+$/u.test(word) || stop.has(word)) continue
    words.push(word)
  }
  return words
}

/** The sentences of a text, trimmed, empty ones left out. */
export function sentencesOf(text: string): string[] {
  return [...sentenceSegmenter.segment(text)]
    .map(({ segment }) => segment.trim())
    .filter((sentence) => sentence !== '')
}

/**
 * Keywords by term frequency: the content words that occur most, ties broken by first
 * occurrence, each scored against the most frequent (1).
 */
export function extractKeywords(text: string, language: string | undefined, limit = 5): Keyword[] {
  const counts = new Map<string, number>()
  for (const word of contentWords(text, stopwordsFor(language))) {
    counts.set(word, (counts.get(word) ?? 0) + 1)
  }
  const top = Math.max(1, ...counts.values())
  // Map order is first occurrence, and sort is stable: ties keep it.
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([word, count]) => ({ word, count, score: Math.round((count / top) * 1000) / 1000 }))
}

/** An extractive summary: the chosen sentences in their original order. */
export interface Summary {
  summary: string
  sentences: string[]
  /** Length of the summary over length of the text. */
  ratio: number
}

/**
 * Picks the `count` sentences whose content words weigh most (Luhn's method): a word weighs its
 * keyword score when keywords are given, else its frequency relative to the most frequent word.
 * Long sentences are damped by the square root of their length.
 */
export function summarize(
  text: string,
  options: { language?: string | undefined; count?: number; keywords?: Keyword[] } = {},
): Summary {
  const stop = stopwordsFor(options.language)
  const sentences = sentencesOf(text)
  const weights = new Map<string, number>(
    (options.keywords ?? extractKeywords(text, options.language, 50)).map((k) => [
      k.word.toLocaleLowerCase(),
      k.score,
    ]),
  )
  const scored = sentences.map((sentence, index) => {
    const words = contentWords(sentence, stop)
    const weight = words.reduce((sum, word) => sum + (weights.get(word) ?? 0), 0)
    return { sentence, index, score: words.length === 0 ? 0 : weight / Math.sqrt(words.length) }
  })
  const chosen = scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, options.count ?? 2)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.sentence)
  const summary = chosen.join(' ')
  const ratio = text.length === 0 ? 0 : Math.round((summary.length / text.length) * 1000) / 1000
  return { summary, sentences: chosen, ratio }
}
