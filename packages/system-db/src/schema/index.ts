export { groupMembers, resourceGrants, userGroups } from './access.js';
export { auditLog } from './audit.js';
export { knowledgeItems, knowledgeVotes } from './knowledge.js';
export { tableProfiles, tableRegistry, userSyncSettings } from './registry.js';
export { schemaVersion } from './schema-version.js';
export { sources } from './sources.js';
export { syncHistory, syncState } from './sync.js';
export { personalAccessTokens } from './tokens.js';
export { users } from './users.js';
