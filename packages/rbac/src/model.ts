/**
 * Name of the system group whose members are administrators. Roles are not stored:
 * "admin" means membership of this group; everyone else is an analyst whose reach is
 * exactly their grants.
 */
export const ADMIN_GROUP = 'Admin';

/**
 * Name of the system group every user is seeded into. It is an ordinary group here:
 * it grants nothing unless a grant row names it, and membership is whatever the caller
 * passes in {@link Principal.groups} (this package never adds it).
 */
export const EVERYONE_GROUP = 'Everyone';

/** The resource type of table grants; other types are opaque strings. */
export const TABLE_RESOURCE = 'table';

/** Kind of resource a grant covers: `'table'`, or any other type the host defines. */
// `string & {}` keeps the 'table' literal in editor completion without narrowing the type.
export type ResourceType = typeof TABLE_RESOURCE | (string & {});

/**
 * Who is asking. `groups` holds group keys: ids or names, as long as the same kind of key
 * is used in {@link Grant.groupId} and {@link AccessContext.adminGroupId}. Group keys are
 * compared exactly (case-sensitive).
 */
export interface Principal {
  readonly userId: string;
  /** A deactivated principal (`false`) is refused everything, admins included. */
  readonly active: boolean;
  readonly groups: readonly string[];
}

/** One `resource_grants` row: members of `groupId` may access `resourceType`/`resourceId`. */
export interface Grant {
  readonly groupId: string;
  readonly resourceType: ResourceType;
  readonly resourceId: string;
}

/**
 * What a decision is made against: every grant row that may apply (passing all rows is
 * fine; rows of other groups are ignored) and the key of the `Admin` group, in the same
 * key space as {@link Principal.groups} — `ADMIN_GROUP` when groups are keyed by name.
 */
export interface AccessContext {
  readonly grants: readonly Grant[];
  readonly adminGroupId: string;
}

/** A table given by id, or any object carrying its id (registry rows, manifest entries). */
export type TableRef = string | { readonly id: string };

/**
 * Outcome of {@link authorizeQuery}. On refusal, `denied` lists the referenced tables the
 * principal may not read (deduplicated, first spelling kept, in query order) and `message`
 * is safe to show to the caller. `reason` is `'inactive'` for a deactivated principal and
 * `'forbidden'` otherwise, so an edge can map it to a status without parsing the message.
 */
export type QueryDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly reason: 'inactive' | 'forbidden';
      readonly denied: string[];
      readonly message: string;
    };
