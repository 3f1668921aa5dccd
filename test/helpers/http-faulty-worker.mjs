// A worker with a bug: every segmentation throws a plain Error (the handler must answer 500
// without internals). Pings succeed, so the server starts.
export default function faultyWorker(task) {
  if (task.kind === 'ping') return { status: 200, json: '{}', workMs: 0 };
  throw new Error('internal detail: /secret/path/segment.ts:42 must not reach the client');
}
