/** Case- and accent-insensitive substring search: "zoe" finds "Zoë", "obrien" does not find "O'Brien" but "o'brien" does. */
const fold = (value: string) => value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export function contains(search: string | undefined | null, values: readonly (string | null | undefined)[]): boolean {
  if (!search?.trim()) return true;
  const needle = fold(search.trim());
  return values.some((value) => value != null && fold(value).includes(needle));
}
