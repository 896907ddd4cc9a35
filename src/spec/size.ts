/**
 * Sizes in Kubernetes quantity notation: binary suffixes Ki, Mi, Gi, Ti (powers of 1024)
 * and decimal k, M, G, T (powers of 1000), e.g. "512Mi", "1Gi", "1.5Gi". A unit is required
 * so that "512" (bytes? megabytes?) is never guessed.
 */
const UNIT_BYTES: Record<string, number> = {
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
  k: 1e3, M: 1e6, G: 1e9, T: 1e12,
};
const SIZE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)$/;

/** Bytes, or undefined when the text is not a size or is not a whole number of bytes. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text);
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNIT_BYTES[m[2]!]!;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** A likely intended size for common mistakes ("512MB" → "512Mi", "1gb" → "1Gi"). */
export function suggestSize(text: string): string | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt])i?b?$/i.exec(text.trim());
  if (!m) return undefined;
  return `${m[1]}${m[2]!.toUpperCase()}i`;
}

export function formatSize(bytes: number): string {
  for (const unit of ['Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const size = UNIT_BYTES[unit]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}`;
}
