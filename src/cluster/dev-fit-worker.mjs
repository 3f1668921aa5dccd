// Whole-task worker entry when segmint runs from its TypeScript sources (vitest, tsx):
// registers tsx's loader in this thread, then loads fitWorker.ts. Built code uses
// dist/fit-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./fitWorker.ts');
