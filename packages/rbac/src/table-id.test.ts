import { describe, it, expect } from 'vitest';
import { normalizeTableId } from './table-id.js';

describe('normalizeTableId', () => {
  it('folds ASCII letters so spellings DuckDB treats as one table compare equal', () => {
    expect(normalizeTableId('Sales_2024')).toBe('sales_2024');
    expect(normalizeTableId('ORDERS')).toBe(normalizeTableId('orders'));
  });

  it('leaves non-ASCII letters alone so two tables the engine keeps apart never merge', () => {
    expect(normalizeTableId('É')).toBe('É');
    expect(normalizeTableId('É')).not.toBe(normalizeTableId('é'));
  });
});
