// How many server slots a backend gets. Scaling must never reload HAProxy: DNS fills the slots
// of a `server-template`, so the slot count only changes when the replicas no longer fit.

/** The fewest slots a backend ever has. */
export const MIN_SLOTS = 16;
/** The most slots a backend ever has (the schema allows at most 1000 replicas). */
export const MAX_SLOTS = 2048;

/**
 * Slots for `replicas` replicas: the next power of two at or above twice the replicas, at least
 * MIN_SLOTS. Pass the slots of the config being served as `current`: while the replicas fit in
 * them they are kept (scaling up or down within them changes nothing, so it never reloads);
 * only when the replicas exceed them do the slots grow, with room to double again.
 */
export function slotsFor(replicas: number, current?: number): number {
  if (!Number.isInteger(replicas) || replicas < 0) throw new RangeError(`replicas must be a non-negative integer, not ${replicas}`);
  if (current !== undefined && Number.isInteger(current) && current >= Math.max(replicas, MIN_SLOTS) && current <= MAX_SLOTS) return current;
  let slots = MIN_SLOTS;
  while (slots < 2 * replicas && slots < MAX_SLOTS) slots *= 2;
  return slots;
}
