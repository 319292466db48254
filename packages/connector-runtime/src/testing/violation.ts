const BRAND = Symbol.for('@agnes/connector-runtime/ContractViolation');

/**
 * A connector broke the contract. `check` names the check (`discover`, `pipeline`, …);
 * the message says what is wrong and how to fix it. Recognise it with
 * {@link isContractViolation}, which also works across duplicate package copies.
 *
 * @example
 * await expect(checkDiscover(broken)).rejects.toThrow(ContractViolation);
 */
export class ContractViolation extends Error {
  /** The name of the check that failed. */
  readonly check: string;
  readonly [BRAND] = true;
  constructor(check: string, message: string, options?: { cause?: unknown }) {
    super(`[${check}] ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ContractViolation';
    this.check = check;
  }
}

/** True for a {@link ContractViolation}, by brand rather than `instanceof`. */
export function isContractViolation(error: unknown): error is ContractViolation {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** A short description of something a connector threw, for a violation message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
