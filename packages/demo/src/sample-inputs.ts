/** Short English reviews for `text.sentiment`, some glad, some not. */
export const reviews = [
  'I love this coffee grinder. It is quiet, fast and the grind is perfectly even.',
  'Terrible support. I waited two weeks for a reply and the problem is still not fixed.',
  'The hotel was fine: clean rooms, friendly staff, nothing special about the breakfast.',
  'What a wonderful concert! The band was brilliant and the crowd was amazing.',
  'The update broke my workflow and the new menus are confusing and slow.',
  'Great value for the price, although the battery could last longer.',
  'I am disappointed. The package arrived damaged and one part was missing.',
  'Absolutely fantastic service, thank you so much for the quick help!',
]

/** Sentences in several languages for `text.language`. */
export const sentences = [
  'Le chat dort sur le canapé pendant que la pluie tombe sur les toits de Paris.',
  'Der Zug nach München hat heute wieder zwanzig Minuten Verspätung, wie fast jeden Tag.',
  'El mercado abre temprano los sábados y las frutas llegan frescas desde el campo.',
  'Il museo resterà chiuso per lavori di restauro fino alla fine del mese prossimo.',
  'O navio partiu do porto de Lisboa ao amanhecer, carregado de café e especiarias.',
  'De fietsenmaker op de hoek repareert ook oude lampen en klokken voor de buren.',
  'The library extended its opening hours so that students can study late before exams.',
  'Кошка сидит на окне и смотрит, как падает снег во дворе старого дома.',
]

/** Paragraphs for `text.keywords`, `text.summary` and the demo pipeline. */
export const articles = [
  'Solar panels on city roofs are changing how neighbourhoods use energy. ' +
    'Families with panels sell spare energy back to the grid on sunny afternoons. ' +
    'Batteries in basements store energy for the evening, when demand peaks. ' +
    'Critics say the grid was not built for so many small producers. ' +
    'Engineers answer that smarter meters let the grid balance local energy in real time.',
  'The small bakery on Elm Street opened in 1952 and still bakes bread before dawn. ' +
    'Its sourdough bread uses a starter older than most of its customers. ' +
    'Tourists queue for the cinnamon rolls, but locals come for the bread. ' +
    'The owner plans to train two apprentices so the bakery outlives her. ' +
    'Rent has doubled, yet she says she would rather bake less than close.',
  'Les abeilles sauvages disparaissent des campagnes françaises à un rythme inquiétant. ' +
    'Les pesticides et la perte des haies privent les abeilles de nourriture et d’abri. ' +
    'Des agriculteurs replantent des haies fleuries au bord des champs. ' +
    'Les premiers résultats montrent le retour de plusieurs espèces d’abeilles en deux ans.',
  'Remote work has reshaped how teams collaborate across time zones. ' +
    'Teams now write more and meet less, which suits deep work. ' +
    'Yet new hires say they learn slower without sitting next to experienced colleagues. ' +
    'Some companies answer with a week together every quarter, where teams plan and celebrate.',
]

/** Expressions for `math.evaluate`, with the numbers a generator fills in. */
export function expression(random: () => number): string {
  const n = () => 1 + Math.floor(random() * 99)
  const forms = [
    () => `${n()} + ${n()} * ${n()}`,
    () => `(${n()} + ${n()}) / ${n()}`,
    () => `sqrt(${n() ** 2})`,
    () => `${n()} ^ 2 - ${n()}`,
    () => `round(${n()} * pi, 2)`,
    () => `${n()} % ${n()}`,
    () => `log10(${n()} * 1000)`,
  ]
  return forms[Math.floor(random() * forms.length)]!()
}

/** Conversions for `units.convert`. */
export const conversions: { value: number; from: string; to: string }[] = [
  { value: 5, from: 'km', to: 'mi' },
  { value: 100, from: 'degF', to: 'degC' },
  { value: 1, from: 'lb', to: 'kg' },
  { value: 60, from: 'mi/h', to: 'km/h' },
  { value: 2, from: 'l', to: 'cup' },
  { value: 1, from: 'ft', to: 'cm' },
  { value: 3.5, from: 'hour', to: 'minute' },
  { value: 1, from: 'acre', to: 'm^2' },
]
