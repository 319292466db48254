#!/usr/bin/env node
import { loadEnv } from './config.js';
import { processRuntime, run } from './program.js';
import { VERSION } from './version.js';

const code = await run(process.argv.slice(2), processRuntime(loadEnv(), VERSION));
// Let stdout drain before leaving (a pipe may still hold the result).
process.exitCode = code;
