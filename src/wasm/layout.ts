/**
 * Header slots, index kinds and codes shared with the kernels. The values are defined
 * once, in assembly/layout.ts, a file that is valid TypeScript and AssemblyScript alike,
 * so the host and the kernels cannot disagree on them.
 */
export * from '../../assembly/layout';
