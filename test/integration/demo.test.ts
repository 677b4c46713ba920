import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../local/demo';
import { type RunningSimulator, startSimulator } from '../../local/simulator';
import { SendcloudClient } from '../../shared/sendcloud';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(() => sim.stop());

const client = () =>
  new SendcloudClient({
    credentials: { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' },
    baseUrl: sim.baseUrl,
    servicePointsBaseUrl: sim.servicePointsBaseUrl,
  });

describe('the npm start demo', () => {
  it('turns the example order into a PostNL parcel and writes its A6, A4 and ZPL labels', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'demo-'));
    const lines: string[] = [];
    const result = await runDemo(client(), { outDir, announce: true, log: (line) => lines.push(line) });
    expect(result.trackingNumber).toMatch(/^3SCLDB/);
    expect(result.files.map((f) => f.slice(outDir.length + 1))).toEqual([
      `${result.parcelId}-a6.pdf`,
      `${result.parcelId}-a4.pdf`,
      `${result.parcelId}.zpl`,
    ]);
    const [a6, a4, zpl] = result.files.map((f) => readFileSync(f));
    expect((await PDFDocument.load(a6 ?? Buffer.alloc(0))).getPageCount()).toBe(1);
    expect((await PDFDocument.load(a4 ?? Buffer.alloc(0))).getPage(0).getSize().width).toBeCloseTo(595.28);
    expect(zpl?.toString()).toMatch(/^\^XA/);
    expect(lines.join('\n')).toContain('PostNL Standard');
  });

  it('in real-SendCloud mode creates no label and deletes the parcel again', async () => {
    const result = await runDemo(client(), {
      outDir: mkdtempSync(join(tmpdir(), 'demo-')),
      announce: false,
      log: () => undefined,
    });
    expect(result.files).toEqual([]);
    await expect(client().parcels.get(result.parcelId)).rejects.toMatchObject({ status: 404 });
  });
});
