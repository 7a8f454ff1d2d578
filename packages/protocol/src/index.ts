export type {
  AuditConsistencyProof,
  AuditEntry,
  AuditInclusionProof,
  AuditPage,
  AuditTreeHead,
} from './audit.js'
export type { CertificateView } from './certificate-views.js'
export type { ClusterLeaseView, ClusterNodeView, ClusterView } from './cluster-views.js'
export type {
  HostedAgentView,
  HostedLimitsView,
  HostedLogLine,
  HostedUsageView,
  ResourcePriceView,
  TemplatePage,
  TemplateRatingPage,
  TemplateRatingView,
  TemplateView,
} from './hosted-views.js'
export type {
  ClearingBalanceView,
  ClearingStatement,
  FederatedNodeRef,
  FederationPeerView,
  FederationView,
  PeerReputationView,
} from './federation-views.js'
export type {
  FlContributionState,
  FlContributionView,
  FlJobEvent,
  FlJobSpec,
  FlJobState,
  FlJobView,
  FlModelSpec,
  FlModelView,
  FlPrivacyView,
  FlRoundDecision,
  FlRoundState,
  FlRoundView,
  FlSecureAggregationSpec,
  FlStrategySpec,
  FlTrainConfig,
  FlValidatorReport,
} from './fl-views.js'
export {
  FL_TRAIN,
  FL_VALIDATE,
  type FlAcceptance,
  type FlEvaluation,
  type FlSignature,
  type FlTrainInput,
  type FlTrainOutput,
  type FlValidateInput,
} from './fl-tasks.js'
export { canonicalBytes, canonicalize } from './canonical-json.js'
export { base58, fromBase64url, fromHex, toBase64url, toHex, utf8 } from './encoding.js'
export {
  errorCatalogue,
  isErrorCode,
  MeshError,
  type ErrorCode,
  type ErrorSpec,
  type WireError,
} from './errors.js'
export {
  didFromPublicKey,
  generateKeyPair,
  isDid,
  keyPairFromSecret,
  publicKeyFromDid,
  signBytes,
  verifyBytes,
  type KeyPair,
} from './identity.js'
export { authChallengeBytes, signJws, verifyJws, type JwsHeader } from './jws.js'
export {
  auditEntryBytes,
  EMPTY_ROOT,
  leafHash,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from './merkle.js'
export {
  formatAmount,
  MAX_MONEY_MICROS,
  MICROS_PER_UNIT,
  parseAmount,
  parseCurrency,
  parseMoney,
  toMoney,
  type Money,
} from './money.js'
export {
  agentCardSchema,
  amountSchema,
  capabilityIdSchema,
  capabilitySchema,
  currencySchema,
  didSchema,
  moneySchema,
  pricingSchema,
  roles,
  selfServiceRoles,
  slaSchema,
  type AgentCard,
  type Capability,
  type Pricing,
  type PricingModel,
  type Role,
  type Sla,
} from './schemas.js'
export { cryptoImplementation, randomBytes, sha256 } from './crypto.js'
export {
  addSignature,
  CERTIFICATE_TYPE,
  certificateStatement,
  createCertificate,
  MAX_VALIDATORS,
  quorumThreshold,
  signCertificate,
  verifyCertificate,
  type CertificateSignature,
  type CertificateVerdict,
  type QuorumCertificate,
} from './quorum-certificate.js'
export {
  cosignRequestSchema,
  COSIGNATURE_TYPE,
  signCosignature,
  verifyCosignature,
  verifyTreeHead,
  type CosignedTreeHead,
  type CosignRequest,
  type Cosignature,
} from './witness.js'
export {
  FACT_TYPE,
  factAssertionSchema,
  factStatement,
  MAX_FACTS_PER_ASSERTION,
  signFact,
  verifyFact,
  type Fact,
  type FactAssertion,
} from './knowledge.js'
export type {
  AssertedFacts,
  FactView,
  KnowledgePage,
  KnowledgePaths,
  PathHop,
} from './knowledge-views.js'
export { isTerminal, terminalStates, type TaskState } from './task-states.js'
export type {
  AccountBalance,
  AlertView,
  AlertsView,
  LedgerTransfer,
  NodeInfo,
  NodeStats,
  PermissionView,
  PrincipalView,
} from './node-views.js'
export type {
  AgentInfo,
  AgentReputation,
  AnomalyView,
  CapabilityListing,
  CapabilityPage,
  OracleReputationView,
  RegistryChange,
  RegistryChangeType,
  ScorePart,
  ScorePartName,
  SearchPage,
  SearchResult,
} from './registry-views.js'
export type {
  ContractTermsView,
  ContractView,
  IntentView,
  OracleVerify,
  OracleView,
  PipelineRunPage,
  PipelineRunView,
  SubscriptionView,
  TaskView,
} from './task-views.js'
export {
  agentFrameSchemas,
  MAX_FRAME_UNITS,
  nodeFrameSchemas,
  type AgentToNodeFrame,
  type AuthFrame,
  type CancelFrame,
  type ChallengeFrame,
  type HeartbeatFrame,
  type HelloFrame,
  type IntentFrame,
  type InputFrame,
  type InputRequestFrame,
  type NodeErrorFrame,
  type DrainingFrame,
  type NodeToAgentFrame,
  type OfferFrame,
  type ProgressFrame,
  type ReadyFrame,
  type ResultFrame,
  type TaskErrorFrame,
  type TaskFrame,
} from './agent-frames.js'
