/* Child process for the kill -9 test: rebuilds in a loop until killed. */
import { rebuild } from '../src/index.js';
import { testPolicy } from './fixtures.js';

const [extractsDir, target] = process.argv.slice(2);
for (;;) await rebuild({ extractsDir: extractsDir!, target: target!, remote: testPolicy });
