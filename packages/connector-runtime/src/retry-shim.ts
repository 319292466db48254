import { isConnectorError } from '@agnes/connector-kit';
export async function withRetry<T>(fn: (a: number) => Promise<T>, o: { retries?: number; signal?: AbortSignal; logger?: unknown }): Promise<T> {
  for (let a = 0; ; a++) {
    try { return await fn(a); } catch (e) {
      if (!(isConnectorError(e) && e.code === 'transient') || a >= (o.retries ?? 3)) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
