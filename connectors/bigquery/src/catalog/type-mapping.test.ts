import { DataType } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { arrowField } from './type-mapping.js';

describe('arrowField', () => {
  it('maps REQUIRED to not null, REPEATED to a non-null list and RECORD to a struct of nullable children', () => {
    const f = arrowField({
      name: 'items',
      type: 'RECORD',
      mode: 'REPEATED',
      fields: [
        { name: 'sku', type: 'STRING', mode: 'REQUIRED' },
        { name: 'price', type: 'NUMERIC' },
      ],
    });
    expect(f.nullable).toBe(false);
    expect(DataType.isList(f.type)).toBe(true);
    expect(String(f.type)).toBe('List<Struct<{sku:Utf8, price:Decimal[38e+9]}>>');
    expect(arrowField({ name: 'id', type: 'INT64', mode: 'REQUIRED' }).nullable).toBe(false);
  });

  it('keeps BIGNUMERIC, JSON, GEOGRAPHY and unknown types as exact text', () => {
    for (const type of ['BIGNUMERIC', 'BIGDECIMAL', 'JSON', 'GEOGRAPHY', 'INTERVAL', 'RANGE', 'SOMETHING_NEW']) {
      expect(String(arrowField({ name: 'x', type }).type)).toBe('Utf8');
    }
  });
});
