import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The `data/` folder of the installed vega-datasets package (its exports hide package.json). */
export function vegaDataDir(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('vega-datasets'));
  while (!existsSync(join(dir, 'data', 'airports.csv'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('vega-datasets is installed but its data/ folder was not found');
    dir = up;
  }
  return join(dir, 'data');
}
