/**
 * The agentmesh demo: six agents doing real work with well-kept libraries, and a client keeping a
 * light flow of tasks going. `agentmesh up --demo` loads this package when it is installed (it is
 * in the workspace; the published node does not depend on it).
 */
export {
  DEMO_CREDIT,
  startDemo,
  type DemoHost,
  type DemoOptions,
  type RunningDemo,
} from './demo.js'
export { demoPipeline, type DemoPipelineDefinition } from './demo-pipeline.js'
export type { DemoLogger } from './demo-traffic.js'
export { articles } from './sample-inputs.js'
