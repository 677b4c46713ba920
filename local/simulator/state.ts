import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SimParcel } from './parcels';
import type { Simulator } from './Simulator';
import type { V3Snapshot, V3Store } from './v3/store';

/** Keeps the simulator's parcels and returns (and v3's records of them) in a JSON file between runs of the local stack. */
interface Snapshot {
  readonly parcels: Array<
    Omit<SimParcel, 'dateCreated' | 'dateUpdated' | 'dateAnnounced'> & {
      dateCreated: string;
      dateUpdated: string;
      dateAnnounced: string | null;
    }
  >;
  readonly returns: Array<{ id: number; parcelId: number; accountId: string; createdAt: string }>;
  readonly created: Array<[string, number]>;
  /** Absent in files written before multicollo: then one collo per creation. */
  readonly colli?: Array<[string, number]>;
  /** Absent in files written before the v3 mode. */
  readonly v3?: V3Snapshot;
  /** Methods taken out of each account's catalogue; absent in files written before that control. */
  readonly removedMethods?: Record<string, number[]>;
}

export function saveState(sim: Simulator, file: string, v3?: V3Store): void {
  const snapshot: Snapshot = {
    parcels: [...sim.parcels.values()].map((p) => ({
      ...p,
      dateCreated: p.dateCreated.toISOString(),
      dateUpdated: p.dateUpdated.toISOString(),
      dateAnnounced: p.dateAnnounced?.toISOString() ?? null,
    })),
    returns: sim.returns.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    created: [...sim.createdByReference.entries()],
    colli: [...sim.colliByReference.entries()],
    ...(v3 ? { v3: v3.snapshot() } : {}),
    removedMethods: Object.fromEntries(
      [...sim.accounts.values()].map((account) => [account.id, [...account.removedMethods]]),
    ),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
  renameSync(`${file}.tmp`, file);
}

export function loadState(sim: Simulator, file: string, v3?: V3Store): void {
  if (!existsSync(file)) return;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  for (const p of snapshot.parcels) {
    sim.parcels.set(p.id, {
      ...p,
      // Parcels saved before multicollo are single colli.
      colloNr: p.colloNr ?? 0,
      colloCount: p.colloCount ?? 1,
      colliTrackingNumber: p.colliTrackingNumber ?? '',
      dateCreated: new Date(p.dateCreated),
      dateUpdated: new Date(p.dateUpdated),
      dateAnnounced: p.dateAnnounced ? new Date(p.dateAnnounced) : null,
    });
  }
  for (const r of snapshot.returns) sim.returns.push({ ...r, createdAt: new Date(r.createdAt) });
  for (const [key, count] of snapshot.created) sim.createdByReference.set(key, count);
  for (const [key, count] of snapshot.colli ?? snapshot.created) sim.colliByReference.set(key, count);
  if (v3 && snapshot.v3) v3.restore(snapshot.v3);
  for (const [id, removed] of Object.entries(snapshot.removedMethods ?? {}))
    for (const method of removed) sim.accounts.get(id)?.removedMethods.add(method);
  sim.restoreCounters();
}
