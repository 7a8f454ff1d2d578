/**
 * The agentmesh benchmark suites that `agentmesh bench` runs. A workspace package of its own, so
 * the libraries it measures against (express, the official A2A server) are no dependencies of the
 * node; the CLI loads it when it is installed.
 */
export { runBench, suiteNames, type BenchFlags } from './run-bench.js'
