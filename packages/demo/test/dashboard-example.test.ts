import { describe, expect, it } from 'vitest'
import { examplePipeline } from '../../dashboard/src/example-pipeline.js'
import { demoPipeline } from '../src/demo-pipeline.js'

describe("the dashboard's example pipeline", () => {
  it('is the demo pipeline, so "Run pipeline" works against npm start', () => {
    expect(examplePipeline).toEqual(demoPipeline)
  })
})
