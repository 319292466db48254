import type { Session } from '../backends/session.js';
import { type AuditRepository, auditRepository } from './audit.js';
import { type GrantsRepository, grantsRepository } from './grants.js';
import { type GroupsRepository, groupsRepository } from './groups.js';
import { type KnowledgeRepository, knowledgeRepository } from './knowledge.js';
import { type ProfilesRepository, profilesRepository } from './profiles.js';
import { type RegistryRepository, registryRepository } from './registry.js';
import { type SessionsRepository, sessionsRepository } from './sessions.js';
import { type SourcesRepository, sourcesRepository } from './sources.js';
import { type SubscriptionsRepository, subscriptionsRepository } from './subscriptions.js';
import { type SyncRepository, syncRepository } from './sync.js';
import { type TokensRepository, tokensRepository } from './tokens.js';
import { type UsersRepository, usersRepository } from './users.js';

/** Every repository of the system database; the same API on both backends. */
export interface Repositories {
  readonly users: UsersRepository;
  readonly groups: GroupsRepository;
  readonly grants: GrantsRepository;
  readonly tokens: TokensRepository;
  readonly sources: SourcesRepository;
  readonly registry: RegistryRepository;
  readonly sessions: SessionsRepository;
  readonly sync: SyncRepository;
  readonly subscriptions: SubscriptionsRepository;
  readonly profiles: ProfilesRepository;
  readonly audit: AuditRepository;
  readonly knowledge: KnowledgeRepository;
}

/** Builds every repository on one session (the shared handle or one transaction). */
export function buildRepositories(session: Session): Repositories {
  return {
    users: usersRepository(session),
    groups: groupsRepository(session),
    grants: grantsRepository(session),
    tokens: tokensRepository(session),
    sources: sourcesRepository(session),
    registry: registryRepository(session),
    sessions: sessionsRepository(session),
    sync: syncRepository(session),
    subscriptions: subscriptionsRepository(session),
    profiles: profilesRepository(session),
    audit: auditRepository(session),
    knowledge: knowledgeRepository(session),
  };
}
