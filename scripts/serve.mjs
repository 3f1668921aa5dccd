// `npm run serve [-- --port 8080 --dev]`: the segmentation endpoint on its own (needs `npm run build`).
import { serveCommand } from '../dist/http.js';

await serveCommand(process.argv.slice(2));
