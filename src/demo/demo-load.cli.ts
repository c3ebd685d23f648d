import { loadDemo } from './load-demo.js';

// `npm run demo:load`: puts the worked example into a running service. A client of the
// API, not part of the service, so it reads its own two variables rather than config/.

async function main(): Promise<void> {
  const baseUrl = (process.env.LEDGER_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const apiKey = process.env.LEDGER_API_KEY;
  if (!apiKey) {
    throw new Error(
      'LEDGER_API_KEY is not set: give an editor or admin API key. Without API_KEYS, the service prints its admin key once, on its first start.',
    );
  }

  const { steps, recorded, unchanged } = await loadDemo({ baseUrl, apiKey, log: console.log });

  const counts = new Map<string, number>();
  for (const { path } of steps) {
    const collection = path.slice(path.lastIndexOf('/') + 1);
    counts.set(collection, (counts.get(collection) ?? 0) + 1);
  }
  const incidents = steps.filter(({ path }) => path === '/incidents').map(({ body }) => ({ id: String(body.id), title: String(body.title) }));

  console.log(`\nTinzaouaten 2024 demo loaded into ${baseUrl}: ${recorded} recorded, ${unchanged} already there.`);
  console.log(`  ${[...counts].map(([collection, count]) => `${collection}: ${count}`).join(', ')}`);
  for (const { id, title } of incidents) {
    console.log(`\n${title} (${id})`);
    console.log(`  view      ${baseUrl}/incidents/${id}`);
    console.log(`  timeline  ${baseUrl}/incidents/${id}/timeline`);
    console.log(`  events    ${baseUrl}/incidents/${id}/events (auditor)`);
  }
  console.log(`\nThe whole ledger: ${baseUrl}/ledger (auditor). API docs: ${baseUrl}/docs`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
