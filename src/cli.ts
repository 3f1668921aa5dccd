#!/usr/bin/env node
/**
 * The command line: `segmint segment FILE`, `segmint serve`, `segmint bench`, `segmint help`.
 * Commands live in src/cli/ (segment) or beside their layer (serve in src/http); this file
 * is the dispatch table and the one place exit codes are decided: 0 done, 1 the data
 * could not be read or segmented, 2 bad usage. Errors are one line on stderr, ending with
 * where to find help, never the whole usage.
 */
import { UsageError } from './cli/args';
import { BENCH_HELP, MAIN_HELP, SEGMENT_HELP } from './cli/help';
import { DataFailure } from './cli/segment';
import { SegmentationError } from './errors';

/** Result formatting, for callers that render a response themselves. */
export { formatTable, formatMarkdown, assignmentsCsv } from './cli/output';

/** main()'s answer for a command that keeps running (serve): do not exit. */
export const KEEP_RUNNING = -1;

type Command = (argv: string[]) => Promise<number>;

/** Commands by name. A new command is one entry here (lazily imported, so `--help` stays instant). */
const COMMANDS: Record<string, Command> = {
  segment: async (argv) => (await import('./cli/segment')).segmentCommand(argv),
  serve: async (argv) => {
    const { serveCommand } = await import('./http/server');
    const running = await serveCommand(argv);
    // Running: the server keeps the process alive and handles SIGINT/SIGTERM itself.
    if (running) return KEEP_RUNNING;
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  },
  worker: async (argv) => {
    const { workerCommand } = await import('./jobs/worker-command');
    // Running: the worker keeps the process alive and handles SIGINT/SIGTERM itself.
    return (await workerCommand(argv)) ? KEEP_RUNNING : typeof process.exitCode === 'number' ? process.exitCode : 0;
  },
  bench: async (argv) => benchCommand(argv),
  help: async (argv) => {
    const topic = argv[0];
    if (topic === undefined) {
      process.stdout.write(MAIN_HELP);
      return 0;
    }
    if (topic === 'segment') {
      process.stdout.write(SEGMENT_HELP);
      return 0;
    }
    if (topic === 'bench') {
      process.stdout.write(BENCH_HELP);
      return 0;
    }
    if (Object.hasOwn(COMMANDS, topic)) return COMMANDS[topic](['--help']);
    throw new UsageError(`no help on '${topic}': the commands are ${Object.keys(COMMANDS).join(', ')}`);
  },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) throw new UsageError(`no command given: the commands are ${Object.keys(COMMANDS).join(', ')}`);
    if (command === '--help' || command === '-h') {
      process.stdout.write(MAIN_HELP);
      return 0;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${SEGMINT_VERSION}\n`);
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command '${command}': the commands are ${Object.keys(COMMANDS).join(', ')}`);
    return await COMMANDS[command](rest);
  } catch (err) {
    if (err instanceof UsageError) {
      const where = err.help ? `segmint ${err.help} --help` : 'segmint --help';
      process.stderr.write(`segmint: ${err.message}\nTry '${where}'.\n`);
      return 2;
    }
    if (err instanceof DataFailure) {
      process.stderr.write(`segmint: ${err.message}\n`);
      return 1;
    }
    if (err instanceof SegmentationError) {
      const reason = typeof err.details.reason === 'string' ? ` (${err.details.reason})` : '';
      process.stderr.write(`segmint: ${err.code}: ${err.message}${reason}\n`);
      return 1;
    }
    throw err;
  }
}

/** `segmint bench`: the benchmark needs the repository (peers are dev dependencies). */
async function benchCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(BENCH_HELP);
    return 0;
  }
  const { existsSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const runner = new URL('../bench/run.mjs', import.meta.url);
  if (!existsSync(runner)) {
    throw new UsageError('the benchmark runs from a checkout of segmint (git clone, npm install, then segmint bench or npm run bench)', 'bench');
  }
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', runner.pathname, ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}

declare const SEGMINT_VERSION: string;

// Run when executed directly (the bin), not when imported by tests.
const invoked = process.argv[1] ?? '';
if (/(^|[\\/])(cli\.(c?js|ts|mjs)|segmint)$/.test(invoked)) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== KEEP_RUNNING) process.exit(code);
    },
    (err) => {
      process.stderr.write(`segmint: internal error: ${(err as Error).stack ?? err}\n`);
      process.exit(70);
    },
  );
}
