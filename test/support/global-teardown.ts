export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __ledgerPostgres?: { stop: () => Promise<void> } }).__ledgerPostgres;
  await server?.stop();
}
