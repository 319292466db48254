import { describe, expect, it } from 'vitest';
import { publishedName } from './discover.js';

describe('publishedName', () => {
  it('drops the public schema, prefixes others and sanitises to the identifier rule', () => {
    expect(publishedName('public', 'orders')).toBe('orders');
    expect(publishedName('sales', 'Orders-2024')).toBe('sales_orders_2024');
    expect(publishedName('public', '2024 Sales')).toBe('t_2024_sales');
    expect(publishedName('Ünïcode', 'tbl')).toBe('_n_code_tbl');
  });
});
