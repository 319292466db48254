export { scaffoldConnector } from './scaffold.js';
export type { ScaffoldOptions } from './scaffold.js';
