/** One line of CLUSTER NODES: how one node sees another (or itself, flag `myself`). */
export interface ClusterNodeView {
  id: string;
  port: number;
  flags: string[];
  /** The primary's id for a replica, undefined for a primary. */
  primaryId: string | undefined;
  connected: boolean;
  /** Inclusive slot ranges served (primaries only; importing/migrating entries left out). */
  slots: [number, number][];
}

/**
 * Parses CLUSTER NODES. The address field is `ip:port@busport[,hostname]`; with tls-cluster the
 * port shown is the TLS port, so it is the port clients (and our RedisNode) know the node by.
 */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id = '', address = '', flags = '', primary = '-', , , , link = '', ...slots] = line.split(' ');
      const port = Number(address.split('@')[0]?.split(':').pop());
      return {
        id,
        port,
        flags: flags.split(','),
        primaryId: primary === '-' ? undefined : primary,
        connected: link === 'connected',
        slots: slots
          .filter((slot) => !slot.startsWith('['))
          .map((slot): [number, number] => {
            const [from, to = from] = slot.split('-');
            return [Number(from), Number(to)];
          }),
      };
    });
}

/** A node believed to be a primary that serves slots and is not marked failed. */
export function isServingPrimary(view: ClusterNodeView): boolean {
  return (
    view.flags.includes('master') &&
    !view.flags.includes('fail') &&
    !view.flags.includes('fail?') &&
    view.slots.length > 0
  );
}
