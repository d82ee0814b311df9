/**
 * What `@weft/domain` resolves to inside the worker's workflow bundle (apps/worker/src/workflow-bundle.ts):
 * the one instance of the domain's exports that domain-cache.ts keeps for the workflow thread.
 * Evaluated per run like any module, it costs a function call; the domain itself is evaluated once.
 */
import type * as Domain from '@weft/domain';
import { sharedDomain } from './domain-cache';

// webpack's require (this package has no Node types): called only the first time, for the one instance.
declare const require: (id: string) => unknown;

// The real entry, by path: the alias matches `@weft/domain` exactly, so this is not redirected.
export = sharedDomain(() => require('@weft/domain/dist/index.js') as typeof Domain);
