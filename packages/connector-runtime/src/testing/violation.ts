/** A connector broke the contract: `check` names the check, the message says what and how to fix it. */
export class ContractViolation extends Error {
  readonly check: string;
  constructor(check: string, message: string) {
    super(`[${check}] ${message}`);
    this.name = 'ContractViolation';
    this.check = check;
  }
}

/** Throws a ContractViolation unless `condition` holds. */
export function expectContract(condition: unknown, check: string, message: () => string): asserts condition {
  if (!condition) throw new ContractViolation(check, message());
}
