import { readFileSync } from 'node:fs';

/** The webhook fixtures, in the order Jira would send them for one issue's life. */
export const FIXTURE_NAMES = ['issue_created', 'issue_updated', 'comment_created', 'comment_updated', 'comment_deleted', 'issue_deleted'] as const;

/** A fixture's parsed JSON body, as the API server hands it over. */
export function fixture(name: (typeof FIXTURE_NAMES)[number]): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** The payloads as the async iterable `runStream` takes. */
export async function* events(...payloads: unknown[]): AsyncGenerator<unknown> {
  yield* payloads;
}
