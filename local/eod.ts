import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm run eod [-- --seed 1000] [--split carrier] [--account default] [--api http://127.0.0.1:3000]`
 * Runs an end-of-day batch against the running local stack (`npm start`): optionally posts N end-of-day
 * orders first, starts the batch, shows its progress, downloads the merged files to .local/batches/<id>/.
 */
const { values } = parseArgs({
  options: {
    api: { type: 'string', default: process.env.API_URL ?? 'http://127.0.0.1:3000' },
    account: { type: 'string', default: 'default' },
    seed: { type: 'string', default: '0' },
    split: { type: 'string', default: 'none' },
  },
});
const api = values.api;
const root = join(import.meta.dirname, '..');
const example = JSON.parse(readFileSync(join(root, 'docs/examples/order.json'), 'utf8')) as Record<
  string,
  unknown
>;

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${api}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  if (!response.ok && response.status !== 207)
    throw new Error(
      `${init.method ?? 'GET'} ${path} → ${response.status}: ${(await response.text()).slice(0, 300)}`,
    );
  return (await response.json()) as T;
}

function bar(fraction: number, width = 40): string {
  const filled = Math.round(fraction * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

const seed = Number(values.seed);
if (seed > 0) {
  const stamp = Date.now();
  const countries = [
    { country: 'NL', postalCode: '1012AB', city: 'Amsterdam' },
    { country: 'BE', postalCode: '2000', city: 'Antwerpen' },
    { country: 'DE', postalCode: '10115', city: 'Berlin' },
  ];
  for (let i = 0; i < seed; i += 500) {
    const orders = Array.from({ length: Math.min(500, seed - i) }, (_, j) => {
      const where = countries[(i + j) % 10 < 7 ? 0 : (i + j) % 10 < 9 ? 1 : 2] ?? countries[0];
      return {
        ...example,
        orderId: `EOD-${stamp}-${i + j}`,
        dispatch: 'end_of_day',
        packingStation: `station-${(i + j) % 3}`,
        recipient: { ...(example.recipient as object), ...where },
      };
    });
    await call('/orders/batch', { method: 'POST', body: JSON.stringify({ orders }) });
    process.stdout.write(`\r  seeding end-of-day orders ${bar(Math.min(1, (i + orders.length) / seed))}`);
  }
  process.stdout.write('\n');
}

const started = Date.now();
const batch = await call<{ batchId: string; status: string }>('/batches', {
  method: 'POST',
  body: JSON.stringify({ account: values.account, splitBy: values.split }),
});
console.log(`  batch ${batch.batchId}: ${batch.status} (the ready orders are taken in the background)`);
interface View {
  status: string;
  done: number;
  failed: number;
  total: number | null;
  assigned: number;
  progress: number;
  files: Array<{ split: string; format: string; part: number; parts: number; labels: number; href: string }>;
  failures: Array<{ orderId: string; reason: string }>;
}
let view: View;
for (;;) {
  view = await call<View>(`/batches/${batch.batchId}`);
  process.stdout.write(
    `\r  ${bar(view.progress)} ${view.done + view.failed}/${view.total ?? `${view.assigned}+`} (${view.failed} failed) ${view.status === 'merging' ? 'merging…' : ''}   `,
  );
  if (view.status === 'completed') break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}
process.stdout.write('\n');
const out = join(root, '.local', 'batches', batch.batchId);
mkdirSync(out, { recursive: true });
for (const file of view.files) {
  const response = await fetch(`${api}${file.href}`);
  const name = `${file.split}-part${file.part}-${file.format}.${file.format === 'zpl' ? 'zpl' : 'pdf'}`;
  writeFileSync(join(out, name), Buffer.from(await response.arrayBuffer()));
}
console.log(`
  done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${view.done} shipped, ${view.failed} failed of ${view.total}
  files (${out}):`);
for (const f of view.files)
  console.log(
    `    ${f.split.padEnd(14)} ${f.format.padEnd(4)} part ${f.part}/${f.parts}  ${String(f.labels).padStart(5)} labels`,
  );
for (const failure of view.failures.slice(0, 10))
  console.log(`  failed: ${failure.orderId} — ${failure.reason}`);
