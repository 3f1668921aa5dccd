// Worker entry when segmint runs from its TypeScript sources (vitest, tsx): registers tsx's
// loader in this thread, then loads worker.ts. Built code uses dist/segmint-worker.js instead.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./worker.ts');
export default worker.default;
