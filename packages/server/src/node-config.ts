import { homedir } from 'node:os'
import { join } from 'node:path'
import type { DestinationStream } from 'pino'
import { MeshError, parseAmount, parseCurrency, isDid } from '@agentmesh/protocol'
import type { StoreLocation } from './adapters/store/open-store.js'
import type { OutboundPolicy } from './adapters/http/guarded-fetch.js'
import { defaultAlertOptions } from './core/alerts/alert-evaluator.js'
import { defaultAnomalyOptions } from './core/anomalies/anomaly-detector.js'
import type { RateLimitOptions } from './api/rate-limit.js'
import { defaultScoring } from './core/reputation/score.js'
import type { RankingWeights, RelevanceWeights } from './core/discovery/ranking.js'
import type { ObservabilityConfig } from './observability.js'
import type { HostedPolicy } from './core/hosted/hosted-policy.js'
import type { KnowledgeLimits } from './core/knowledge/knowledge-service.js'
import type { FederationConfig } from './node/federation-host.js'
import { resolveFederationConfig } from './node/federation-config.js'
import { clusterConfig, type ClusterConfig } from './cluster-config.js'
/* The node's configuration: flags, then AGENTMESH_* variables, then defaults. */

/** Everything a node needs to start. `resolveNodeConfig` fills it from flags, environment and defaults. */
export interface NodeConfig {
  host: string
  port: number
  /** Where the node keeps its key, its admin token and (for SQLite) its database; undefined with --memory. */
  dataDir: string | undefined
  store: StoreLocation
  demo: boolean
  /** With `demo`: whether the demo client keeps a steady flow of tasks going. */
  demoTraffic: boolean
  dashboard: boolean
  /** Credit minted to every principal that registers itself (applied once the ledger exists). */
  grant: { amount: string; currency: string }
  closed: boolean
  /** A bearer token that reads `/metrics`; with it (or `closed`) `/metrics` is not public. */
  metricsToken: string | undefined
  logLevel: string
  prettyLogs: boolean
  /** Where log lines go instead of stdout (tests read them); none from flags or environment. */
  logDestination?: DestinationStream
  sessionTtlMs: number
  nonceTtlMs: number
  bodyLimitBytes: number
  /**
   * How long a client has to send a whole request, headers and body (`AGENTMESH_REQUEST_TIMEOUT_MS`,
   * 30 s): a body trickled in slower is cut off with 408. Answers may take longer (long polls,
   * streams), and WebSockets are not requests once upgraded.
   */
  requestTimeoutMs: number
  /** Requests per window per principal (authenticated routes) and per address (public ones). */
  rateLimit: RateLimitOptions
  /** How long until reputation evidence counts half (`AGENTMESH_REPUTATION_HALF_LIFE_MS`). */
  reputationHalfLifeMs: number
  /** Sign an audit tree head once this many entries are uncovered… */
  auditHeadEveryEntries: number
  /** …or once this long has passed with any entry uncovered. */
  auditHeadEveryMs: number
  ledger: {
    /** Group commit window: transfers arriving within it share one transaction (0: none). */
    groupCommitMs: number
    /** Platform fee on settlements, in basis points. */
    feeBps: number
    /** Price reduction when a call misses its SLA latency, in basis points. */
    latencyPenaltyBps: number
    /** How often pending transfers past their timeout are voided. */
    expiryIntervalMs: number
    /** How long after a task's deadline its bonus waits for a rating (`AGENTMESH_BONUS_WINDOW_MS`). */
    bonusWindowMs: number
  }
  /** An agent is online this long after its last heartbeat. */
  presenceTtlMs: number
  /** Search ranking weights over the defaults (`AGENTMESH_RANKING_WEIGHTS="price=0.3,load=0.1"`). */
  rankingWeights: Partial<RankingWeights>
  /**
   * How long sign-ins, permissions, search matches and reputation summaries serve from memory
   * (`AGENTMESH_CACHE_MS`, 1 s; 0 turns the caches off): changes drop them on every node at once
   * (a bus message), so this only bounds how stale one can be when a message is lost.
   */
  cacheMs: number
  /**
   * How relevance mixes text and meaning (`AGENTMESH_RELEVANCE_WEIGHTS="text=0.1,vector=0.9"`);
   * `vector=0` ranks by text alone and loads no word vectors.
   */
  relevanceWeights: Partial<RelevanceWeights>
  /** Traces, metrics labels, alert windows, integrity checks. */
  observability: ObservabilityConfig
  /** Calls to imported A2A agents: which addresses, how long, how much. */
  outbound: OutboundPolicy
  /** Proof across operators: witness nodes asked to cosign this node's tree heads, and how often. */
  witnesses: { urls: string[]; dids: string[]; intervalMs: number }
  /** Hosted agents: code size, limits, the node's resource rate (`AGENTMESH_SANDBOX_PRICE_*`). */
  hosted: HostedPolicy
  /** Peering with other operators' nodes over libp2p; undefined without `--p2p-listen`. */
  federation: FederationConfig | undefined
  /** Cluster mode (`--bus nats://…`): undefined for an embedded node. */
  cluster?: ClusterConfig | undefined
  /** Limits of the knowledge graph over its defaults (facts per agent, what a read may cost). */
  knowledge?: Partial<KnowledgeLimits> | undefined
}

/** The flags of `agentmesh up`; each may also come from an `AGENTMESH_*` variable. */
export interface NodeFlags {
  port?: number | undefined
  host?: string | undefined
  data?: string | undefined
  memory?: boolean | undefined
  store?: string | undefined
  bus?: string | undefined
  /** The cluster's name: its NATS subjects, streams and buckets (`AGENTMESH_CLUSTER`). */
  cluster?: string | undefined
  demo?: boolean | undefined
  demoTraffic?: boolean | undefined
  dashboard?: boolean | undefined
  grant?: string | undefined
  closed?: boolean | undefined
  metricsToken?: string | undefined
  logLevel?: string | undefined
  p2pListen?: string[] | undefined
  bootstrap?: string[] | undefined
}

export const DEFAULT_PORT = 7420

const truthy = (value: string | undefined): boolean | undefined =>
  value === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(value.toLowerCase())

/** The home of a user's agentmesh files: `AGENTMESH_HOME`, else `~/.agentmesh`. */
export function agentmeshHome(env: NodeJS.ProcessEnv): string {
  return env.AGENTMESH_HOME ?? join(homedir(), '.agentmesh')
}

/**
 * Applies the defaults: flags win over `AGENTMESH_*` variables, which win over defaults. This is
 * the only place that picks them. Throws a MeshError (INVALID_INPUT) for a bad value.
 */
export function resolveNodeConfig(flags: NodeFlags, env: NodeJS.ProcessEnv): NodeConfig {
  const port =
    flags.port ?? (env.AGENTMESH_PORT === undefined ? DEFAULT_PORT : Number(env.AGENTMESH_PORT))
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MeshError('INVALID_INPUT', `Port "${port}" is not a number from 0 to 65535`)
  }
  const memory = flags.memory ?? truthy(env.AGENTMESH_MEMORY) ?? false
  const storeUrl = flags.store ?? env.AGENTMESH_STORE
  const dataFlag = flags.data ?? env.AGENTMESH_DATA
  if (memory && dataFlag) throw new MeshError('INVALID_INPUT', 'Give --data or --memory, not both')
  const dataDir = memory ? undefined : (dataFlag ?? join(agentmeshHome(env), 'data'))
  let store: StoreLocation
  if (storeUrl && /^postgres(ql)?:\/\//.test(storeUrl)) {
    // `?schema=NAME` (or AGENTMESH_STORE_SCHEMA) keeps co-hosted nodes and test runs apart.
    const url = new URL(storeUrl)
    const schema = url.searchParams.get('schema') ?? env.AGENTMESH_STORE_SCHEMA
    url.searchParams.delete('schema')
    store = { kind: 'postgres', url: url.toString(), ...(schema ? { schema } : {}) }
  } else if (storeUrl) {
    throw new MeshError('INVALID_INPUT', `Store "${storeUrl}" is not a postgres:// URL`)
  } else {
    store = { kind: 'sqlite', filename: dataDir ? join(dataDir, 'agentmesh.db') : ':memory:' }
  }
  const given = {
    bus: flags.bus ?? env.AGENTMESH_BUS,
    cluster: flags.cluster ?? env.AGENTMESH_CLUSTER,
  }
  const cluster = clusterConfig(given, store.kind, (name, fallback, min, max) =>
    integerEnv(env, name, fallback, min, max),
  )
  const demo = flags.demo ?? truthy(env.AGENTMESH_DEMO) ?? false
  const grantText = flags.grant ?? env.AGENTMESH_GRANT ?? (demo ? '100 USD' : '0 USD')
  const [amount = '', currency = 'USD', ...rest] = grantText.trim().split(/\s+/)
  if (rest.length > 0)
    throw new MeshError('INVALID_INPUT', `Grant "${grantText}" is not "AMOUNT [CURRENCY]"`)
  parseAmount(amount)
  parseCurrency(currency)
  const reputationHalfLifeMs = Number(
    env.AGENTMESH_REPUTATION_HALF_LIFE_MS ?? defaultScoring.halfLifeMs,
  )
  if (!(reputationHalfLifeMs > 0)) {
    throw new MeshError(
      'INVALID_INPUT',
      `Reputation half-life "${env.AGENTMESH_REPUTATION_HALF_LIFE_MS}" is not a positive number of milliseconds`,
    )
  }
  const metricsToken = flags.metricsToken ?? (env.AGENTMESH_METRICS_TOKEN || undefined)
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,256}$/.test(metricsToken)) {
    throw new MeshError(
      'INVALID_INPUT',
      'The metrics token must be 16 to 256 printable characters without spaces',
    )
  }
  return {
    host: flags.host ?? env.AGENTMESH_HOST ?? '127.0.0.1',
    port,
    dataDir,
    store,
    demo,
    demoTraffic: flags.demoTraffic ?? truthy(env.AGENTMESH_DEMO_TRAFFIC) ?? true,
    dashboard: flags.dashboard ?? !(truthy(env.AGENTMESH_NO_DASHBOARD) ?? false),
    grant: { amount, currency },
    closed: flags.closed ?? truthy(env.AGENTMESH_CLOSED) ?? false,
    metricsToken,
    logLevel: flags.logLevel ?? env.AGENTMESH_LOG_LEVEL ?? 'info',
    prettyLogs: process.stdout.isTTY,
    sessionTtlMs: Number(env.AGENTMESH_SESSION_TTL_MS ?? 3_600_000),
    nonceTtlMs: 60_000,
    bodyLimitBytes: 1024 * 1024,
    requestTimeoutMs: integerEnv(env, 'AGENTMESH_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    rateLimit: {
      principalMax: integerEnv(env, 'AGENTMESH_RATE_LIMIT_PRINCIPAL', 6000, 1, 1e9),
      ipMax: integerEnv(env, 'AGENTMESH_RATE_LIMIT_IP', 1200, 1, 1e9),
      windowMs: integerEnv(env, 'AGENTMESH_RATE_LIMIT_WINDOW_MS', 60_000, 100, 86_400_000),
      syncMs: integerEnv(env, 'AGENTMESH_RATE_LIMIT_SYNC_MS', 100, 10, 60_000),
    },
    reputationHalfLifeMs,
    auditHeadEveryEntries: Number(env.AGENTMESH_AUDIT_HEAD_EVERY_ENTRIES ?? 1000),
    auditHeadEveryMs: Number(env.AGENTMESH_AUDIT_HEAD_EVERY_MS ?? 10_000),
    ledger: {
      groupCommitMs: integerEnv(env, 'AGENTMESH_LEDGER_GROUP_COMMIT_MS', 1, 0, 1000),
      feeBps: integerEnv(env, 'AGENTMESH_FEE_BPS', 0, 0, 10_000),
      latencyPenaltyBps: integerEnv(env, 'AGENTMESH_LATENCY_PENALTY_BPS', 0, 0, 10_000),
      expiryIntervalMs: integerEnv(env, 'AGENTMESH_LEDGER_EXPIRY_INTERVAL_MS', 1000, 10, 3_600_000),
      bonusWindowMs: integerEnv(env, 'AGENTMESH_BONUS_WINDOW_MS', 86_400_000, 1000, 2_592_000_000),
    },
    presenceTtlMs: Number(env.AGENTMESH_PRESENCE_TTL_MS ?? 30_000),
    rankingWeights: parseRankingWeights(env.AGENTMESH_RANKING_WEIGHTS ?? ''),
    cacheMs: integerEnv(env, 'AGENTMESH_CACHE_MS', 1000, 0, 3_600_000),
    relevanceWeights: parseWeights(
      'AGENTMESH_RELEVANCE_WEIGHTS',
      env.AGENTMESH_RELEVANCE_WEIGHTS ?? '',
      ['text', 'vector'],
    ),
    outbound: {
      allowPrivate: truthy(env.AGENTMESH_ALLOW_PRIVATE_IMPORTS) ?? false,
      timeoutMs: integerEnv(env, 'AGENTMESH_OUTBOUND_TIMEOUT_MS', 60_000, 100, 600_000),
      maxResponseBytes: integerEnv(
        env,
        'AGENTMESH_OUTBOUND_MAX_BYTES',
        1024 * 1024,
        1024,
        64 * 1024 * 1024,
      ),
    },
    observability: observabilityConfig(env),
    witnesses: {
      ...witnessList(env.AGENTMESH_WITNESSES ?? ''),
      intervalMs: integerEnv(env, 'AGENTMESH_WITNESS_INTERVAL_MS', 5000, 10, 3_600_000),
    },
    hosted: hostedPolicy(env, currency),
    federation: resolveFederationConfig(flags, env),
    cluster,
  }
}

/** `AGENTMESH_SANDBOX_PRICE_CPU_SECOND`, `AGENTMESH_SANDBOX_PRICE_MB_SECOND`, `AGENTMESH_HOSTED_MAX_CODE_BYTES`. */
function hostedPolicy(env: NodeJS.ProcessEnv, currency: string): HostedPolicy {
  const MB = 1024 * 1024
  return {
    maxCodeBytes: integerEnv(env, 'AGENTMESH_HOSTED_MAX_CODE_BYTES', 256 * 1024, 1024, 16 * MB),
    defaultLimits: { memoryBytes: 64 * MB, cpuMs: 1000, wallMs: 5000 },
    maxLimits: { memoryBytes: 256 * MB, cpuMs: 10_000, wallMs: 60_000 },
    stackBytes: 512 * 1024,
    price: {
      currency,
      cpuSecondMicros: parseAmount(env.AGENTMESH_SANDBOX_PRICE_CPU_SECOND ?? '0.0001'),
      mbSecondMicros: parseAmount(env.AGENTMESH_SANDBOX_PRICE_MB_SECOND ?? '0.000001'),
    },
    logLines: 200,
  }
}

/**
 * `AGENTMESH_WITNESSES`, separated by commas or spaces: witness nodes by base URL (asked over
 * HTTP), or by node DID (federation peers, asked over libp2p).
 */
function witnessList(text: string): { urls: string[]; dids: string[] } {
  // Not a type guard here: a string that is no DID is still a string.
  const isDidKey = (entry: string): boolean => isDid(entry)
  const entries = text.split(/[\s,]+/).filter((entry) => entry !== '')
  const urls = new Set<string>()
  const dids = new Set<string>()
  for (const entry of entries) {
    if (entry.startsWith('did:')) {
      if (!isDidKey(entry)) {
        throw new MeshError(
          'INVALID_INPUT',
          `AGENTMESH_WITNESSES entry "${entry}" is not a did:key`,
        )
      }
      dids.add(entry)
    } else if (/^https?:\/\/[^\s/]+(\/\S*)?$/.test(entry)) urls.add(entry.replace(/\/+$/, ''))
    else {
      throw new MeshError(
        'INVALID_INPUT',
        `AGENTMESH_WITNESSES entry "${entry}" is neither an http(s) URL nor a did:key`,
      )
    }
  }
  return { urls: [...urls], dids: [...dids] }
}

/** `AGENTMESH_OTLP_URL`, `AGENTMESH_VERIFY_INTERVAL_MS`, `AGENTMESH_ALERT_WINDOW_MS`, `AGENTMESH_ALERT_ERROR_RATE`. */
function observabilityConfig(env: NodeJS.ProcessEnv): ObservabilityConfig {
  const otlpUrl = env.AGENTMESH_OTLP_URL || undefined
  if (otlpUrl !== undefined && !/^https?:\/\/\S+$/.test(otlpUrl)) {
    throw new MeshError('INVALID_INPUT', `AGENTMESH_OTLP_URL "${otlpUrl}" is not an http(s) URL`)
  }
  const windowMs = integerEnv(env, 'AGENTMESH_ALERT_WINDOW_MS', 300_000, 1000, 86_400_000)
  const rateText = env.AGENTMESH_ALERT_ERROR_RATE
  const errorRate = rateText ? Number(rateText) : defaultAlertOptions.errorRateThreshold
  if (!(errorRate >= 0 && errorRate < 1)) {
    throw new MeshError(
      'INVALID_INPUT',
      `AGENTMESH_ALERT_ERROR_RATE "${rateText}" is not a fraction from 0 to 1`,
    )
  }
  return {
    otlpUrl,
    otlpExportDelayMs: 5000,
    verifyIntervalMs: integerEnv(env, 'AGENTMESH_VERIFY_INTERVAL_MS', 600_000, 1000, 86_400_000),
    alertEvaluateIntervalMs: 15_000,
    alerts: {
      ...defaultAlertOptions,
      errorRateThreshold: errorRate,
      errorRateWindowMs: windowMs,
      agentUnresponsiveMs: windowMs,
      budgetWindowMs: windowMs,
    },
    anomalies: anomalyConfig(env),
    maxLabelValues: 200,
    maxAgentSeries: 1000,
  }
}

/** `AGENTMESH_ANOMALY_SENSITIVITY` (standard deviations, default 6), `AGENTMESH_ANOMALY_RANKING_PENALTY` (0–1, default 0.5). */
function anomalyConfig(env: NodeJS.ProcessEnv): ObservabilityConfig['anomalies'] {
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    const value = Number(text)
    if (!(value >= min && value <= max))
      throw new MeshError(
        'INVALID_INPUT',
        `${name} "${text}" is not a number from ${min} to ${max}`,
      )
    return value
  }
  return {
    ...defaultAnomalyOptions,
    sensitivity: number('AGENTMESH_ANOMALY_SENSITIVITY', defaultAnomalyOptions.sensitivity, 1, 100),
    rankingPenalty: number('AGENTMESH_ANOMALY_RANKING_PENALTY', 0.5, 0, 1),
  }
}

const RANKING_PARTS = ['relevance', 'price', 'latency', 'reputation', 'liveness', 'load']

/** Reads `text=0.3,vector=0.7` (the names in `names`); the names not given keep their default. */
function parseWeights<K extends string>(
  variable: string,
  text: string,
  names: K[],
): Partial<Record<K, number>> {
  const weights: Partial<Record<K, number>> = {}
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const [name = '', value = ''] = pair.split('=').map((p) => p.trim())
    const weight = Number(value)
    if (!(names as string[]).includes(name) || value === '' || !(weight >= 0)) {
      throw new MeshError(
        'INVALID_INPUT',
        `${variable} entry "${pair}" is not NAME=NUMBER with NAME one of ${names.join(', ')}`,
      )
    }
    weights[name as K] = weight
  }
  return weights
}

/** Reads `relevance=0.4,price=0.2`; the parts not named keep their default weight. */
function parseRankingWeights(text: string): Partial<RankingWeights> {
  const weights: Partial<RankingWeights> = {}
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const [name = '', value = ''] = pair.split('=').map((p) => p.trim())
    const weight = Number(value)
    if (!RANKING_PARTS.includes(name) || value === '' || !(weight >= 0)) {
      throw new MeshError(
        'INVALID_INPUT',
        `Ranking weight "${pair}" is not NAME=NUMBER with NAME one of ${RANKING_PARTS.join(', ')}`,
      )
    }
    weights[name as keyof RankingWeights] = weight
  }
  return weights
}

function integerEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max)
    throw new MeshError(
      'INVALID_INPUT',
      `${name} "${text}" is not a whole number from ${min} to ${max}`,
    )
  return value
}
