import type { Template, TemplateRating } from './hosted-types.js'

/** How templates are listed. */
export interface TemplateQuery {
  q?: string
  category?: string
  /** Most deployed, newest, or best rated (mean stars, then how many rated) first. */
  sort: 'popular' | 'newest' | 'rating'
  limit: number
  /** The offset to start from (the cursor of the page before). */
  offset: number
}

/** Where templates live, with who deployed each and the deployers' ratings. */
export interface TemplateStore {
  putTemplate(template: Template): Promise<void>
  template(id: string): Promise<Template | undefined>
  templates(query: TemplateQuery): Promise<Template[]>
  /** Counts one more deployment of a template, and remembers that `deployer` deployed it. */
  countDeployment(id: string, deployer: string, atMs: number): Promise<void>
  /** Whether `deployer` has deployed the template (at any time). */
  hasDeployed(id: string, deployer: string): Promise<boolean>
  /**
   * Keeps the rater's rating of a template (replacing its earlier one, whose creation time stays)
   * and brings the template's sum and count of ratings up to date; answers the rating as stored.
   */
  rate(rating: TemplateRating): Promise<TemplateRating>
  /** A template's ratings, the latest change first. */
  ratings(id: string, limit: number, offset: number): Promise<TemplateRating[]>
}
