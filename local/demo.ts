import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kgToGrams, type SendcloudClient } from '../shared/sendcloud';

export interface DemoResult {
  readonly parcelId: number;
  readonly trackingNumber: string;
  readonly files: readonly string[];
}

/**
 * A walk through the client: the order example from the README becomes a parcel on PostNL, its A6 label,
 * A4 sheet and ZPL are written to `outDir`, and the parcel is read back by its external reference.
 * With `announce: false` (real SendCloud) the parcel is created without a label and deleted again, so the
 * demo costs nothing.
 */
export async function runDemo(
  client: SendcloudClient,
  options: { readonly outDir: string; readonly announce: boolean; readonly log: (line: string) => void },
): Promise<DemoResult> {
  const { log } = options;
  const methods = await client.catalog.shippingMethods({ toCountry: 'NL' });
  const postnl = methods.find(
    (m) => m.carrier === 'postnl' && m.service_point_input === 'none' && kgToGrams(m.max_weight) >= 1200,
  );
  log(
    `shipping methods to NL: ${methods.length}; using ${postnl ? `${postnl.name} (#${postnl.id})` : 'none found'}`,
  );
  const externalReference = `demo:WEB-10001:${Date.now()}`;
  const { parcel } = await client.parcels.create({
    externalReference,
    orderNumber: 'WEB-10001',
    recipient: {
      name: 'Sanne Jansen',
      street: 'Damrak',
      houseNumber: '1',
      postalCode: '1012AB',
      city: 'Amsterdam',
      country: 'NL',
    },
    weightGrams: 1200,
    dimensionsCm: { length: 30, width: 20, height: 10 },
    ...(postnl ? { shippingMethodId: postnl.id } : {}),
    requestLabel: options.announce && postnl !== undefined,
  });
  log(
    `parcel ${parcel.id}: ${parcel.status.message} (${parcel.status.id}), tracking ${parcel.tracking_number || '—'}, weight ${parcel.weight} kg`,
  );
  const found = await client.parcels.findByExternalReference(externalReference);
  log(`found again by external_reference: parcel ${found?.id}`);

  const files: string[] = [];
  if (options.announce && parcel.tracking_number) {
    mkdirSync(options.outDir, { recursive: true });
    const write = (name: string, bytes: Uint8Array) => {
      const file = join(options.outDir, name);
      writeFileSync(file, bytes);
      files.push(file);
      log(`  ${file} (${bytes.byteLength} bytes)`);
    };
    write(`${parcel.id}-a6.pdf`, await client.labels.labelPrinterPdf(parcel.id));
    write(`${parcel.id}-a4.pdf`, await client.labels.normalPrinterPdf(parcel.id, 0));
    write(`${parcel.id}.zpl`, await client.labels.document(parcel.id, { format: 'zpl' }));
  } else {
    const cancel = await client.parcels.cancel(parcel.id);
    log(`cancelled the unannounced demo parcel: ${cancel.outcome} — ${cancel.message}`);
  }
  return { parcelId: parcel.id, trackingNumber: parcel.tracking_number ?? '', files };
}
