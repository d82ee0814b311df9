// The bare-Temporal baseline of `npm run bench:api`: a workflow that does nothing, in a bundle of its own.
export async function emptyWorkflow(): Promise<void> {}
