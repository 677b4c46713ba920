/** Countries the simulated account ships to, with SendCloud's country ids (as in real responses). */
export interface Country {
  readonly id: number;
  readonly iso_2: string;
  readonly iso_3: string;
  readonly name: string;
  readonly eu: boolean;
}

export const COUNTRIES: readonly Country[] = [
  { id: 1, iso_2: 'BE', iso_3: 'BEL', name: 'Belgium', eu: true },
  { id: 2, iso_2: 'NL', iso_3: 'NLD', name: 'Netherlands', eu: true },
  { id: 3, iso_2: 'DE', iso_3: 'DEU', name: 'Germany', eu: true },
  { id: 4, iso_2: 'FR', iso_3: 'FRA', name: 'France', eu: true },
  { id: 5, iso_2: 'LU', iso_3: 'LUX', name: 'Luxembourg', eu: true },
  { id: 6, iso_2: 'AT', iso_3: 'AUT', name: 'Austria', eu: true },
  { id: 7, iso_2: 'ES', iso_3: 'ESP', name: 'Spain', eu: true },
  { id: 8, iso_2: 'IT', iso_3: 'ITA', name: 'Italy', eu: true },
  { id: 9, iso_2: 'DK', iso_3: 'DNK', name: 'Denmark', eu: true },
  { id: 10, iso_2: 'PL', iso_3: 'POL', name: 'Poland', eu: true },
  { id: 11, iso_2: 'GB', iso_3: 'GBR', name: 'United Kingdom', eu: false },
  { id: 12, iso_2: 'CH', iso_3: 'CHE', name: 'Switzerland', eu: false },
  { id: 13, iso_2: 'NO', iso_3: 'NOR', name: 'Norway', eu: false },
  { id: 14, iso_2: 'US', iso_3: 'USA', name: 'United States', eu: false },
  { id: 15, iso_2: 'CA', iso_3: 'CAN', name: 'Canada', eu: false },
  { id: 16, iso_2: 'AU', iso_3: 'AUS', name: 'Australia', eu: false },
];

export const countryByIso = (iso2: string): Country | undefined =>
  COUNTRIES.find((c) => c.iso_2 === iso2.toUpperCase());
