export type { BackendKind, ReleaseLock } from './backends/session.js';
export { isSystemDbError, SystemDbError, type SystemDbErrorCode, type SystemDbErrorOptions } from './errors/system-db-error.js';
export { type LogFields, type Logger, silentLogger } from './logging/logger.js';
export { CURRENT_SCHEMA_VERSION } from './migrations/migrate.js';
export { type OpenSystemDbOptions, openSystemDb, type SystemDb } from './open-system-db.js';
export { ADMIN_GROUP_ID, EVERYONE_GROUP_ID } from './repositories/admins.js';
export type { AuditEntry, AuditRepository, ListAuditOptions, NewAuditEntry } from './repositories/audit.js';
export type { Grant, GrantKey, GrantsRepository } from './repositories/grants.js';
export type { Group, GroupMember, GroupsRepository, MembershipSource } from './repositories/groups.js';
export type {
  KnowledgeItem,
  KnowledgeRepository,
  KnowledgeStatus,
  KnowledgeVote,
  NewKnowledgeItem,
} from './repositories/knowledge.js';
export type { ProfilesRepository, TableProfile } from './repositories/profiles.js';
export type {
  NewRegisteredTable,
  QueryMode,
  RegisteredTable,
  RegisteredTableChanges,
  RegistryRepository,
  SyncStrategy,
} from './repositories/registry.js';
export type { Repositories } from './repositories/repositories.js';
export type { SessionsRepository } from './repositories/sessions.js';
export type { NewSource, Source, SourceChanges, SourcesRepository } from './repositories/sources.js';
export type { Subscription, SubscriptionsRepository } from './repositories/subscriptions.js';
export type { NewSyncRun, SyncOutcome, SyncRepository, SyncRun, SyncState } from './repositories/sync.js';
export { type AccessToken, hashToken, type TokenUse, type TokensRepository } from './repositories/tokens.js';
export {
  type ListUsersOptions,
  type NewUser,
  normalizeEmail,
  type User,
  type UsersRepository,
  type UserTokenKind,
} from './repositories/users.js';
