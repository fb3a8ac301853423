/**
 * Follow mode's one decision, kept apart from OpenLayers so it is tested on
 * its own: was a change of my map view made by the follow itself, or by me
 * (a drag, the wheel, the keyboard, a zoom button, a "zoom to" click)? Mine
 * stops following.
 *
 * The follow moves the view with short animations. OpenLayers reports every
 * animation frame as a view change and calls an animation's callback later
 * (in a timeout), so "a follow animation is running" is tracked by id, and any
 * input of mine forgets them all: from then on a change is mine.
 */
export class FollowGuard {
  #animations = new Set<number>();
  #next = 1;

  /** A follow animation starts; returns the id to pass to {@link ended}. */
  started(): number {
    const id = this.#next++;
    this.#animations.add(id);
    return id;
  }

  /** A follow animation finished or was cancelled. */
  ended(id: number): void {
    this.#animations.delete(id);
  }

  /** The person used the map (pointer down, wheel, a key, a zoom button): what follows is theirs. */
  input(): void {
    this.#animations.clear();
  }

  /**
   * The view changed. True when the person moved it themselves: they are
   * dragging or pinching (`interacting`), or no follow animation is running.
   */
  isOwnMove(interacting: boolean): boolean {
    return interacting || this.#animations.size === 0;
  }
}

/** Two views the same to the eye: ~1 m at the equator and a hundredth of a zoom level. */
export function sameView(
  a: { center: [number, number]; zoom: number } | null,
  b: { center: [number, number]; zoom: number } | null,
): boolean {
  if (!a || !b) return a === b;
  return (
    Math.abs(a.center[0] - b.center[0]) < 1e-5 &&
    Math.abs(a.center[1] - b.center[1]) < 1e-5 &&
    Math.abs(a.zoom - b.zoom) < 0.01
  );
}
