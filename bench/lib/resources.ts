/**
 * Everything the bench starts (child processes, servers, connections, Redis keys) is registered
 * here with a way to release it. Releasers run once, in reverse order, whether the run ends
 * normally, a figure breaks, or the operator presses Ctrl-C (the pattern of thaw's own shutdown).
 */
export type Releaser = () => Promise<unknown> | unknown;

export interface Resources {
  /** Registers a releaser; returns a function that releases this one resource early (once). */
  add(name: string, release: Releaser): () => Promise<void>;
  /** Releases everything still held, newest first; errors are reported, never thrown. */
  releaseAll(): Promise<void>;
}

export function createResources(onError: (name: string, error: unknown) => void): Resources {
  const held: { name: string; release: Releaser }[] = [];

  async function releaseOne(entry: { name: string; release: Releaser }): Promise<void> {
    const index = held.indexOf(entry);
    if (index === -1) return;
    held.splice(index, 1);
    try {
      await entry.release();
    } catch (error) {
      onError(entry.name, error);
    }
  }

  return {
    add(name, release) {
      const entry = { name, release };
      held.push(entry);
      return () => releaseOne(entry);
    },
    async releaseAll() {
      while (held.length > 0) {
        const newest = held[held.length - 1];
        if (newest) await releaseOne(newest);
      }
    },
  };
}
