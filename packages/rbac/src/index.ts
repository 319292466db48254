export { ADMIN_GROUP, EVERYONE_GROUP, TABLE_RESOURCE } from './model.js';
export type { AccessContext, Grant, Principal, QueryDecision, ResourceType, TableRef } from './model.js';
export { normalizeTableId } from './table-id.js';
export { admitsTable, canAccess, isAdmin, resolveTableAccess, visibleTables } from './access.js';
export type { TableAccess } from './access.js';
export { accessDeniedMessage, authorizeQuery, INACTIVE_MESSAGE } from './query.js';
