import type { IngestPools } from '../figures/ingest';
import type { LoadRequest } from './http-load';
import type { FigureName, Sizes } from './options';
import { registrationRequests } from './pipeline-run';
import type { PipelinePools } from './pipeline-run';
import { archivedObject, ingestSpecs, peerSpecs, pipelineSpecs, signMessages } from './sns-pool';
import type { SignedMessage, SnsWorld } from './sns-pool';

/** Every request the figures send, made before any of them runs. */
export interface Pools {
  readonly peer: readonly SignedMessage[];
  readonly ingest: IngestPools;
  readonly pipeline: PipelinePools;
  readonly footprintRegistrations: readonly LoadRequest[];
  /** Average signed SNS body, bytes. */
  readonly averageBodyBytes: number;
}

/**
 * Signs every SNS message up front, on all cores, so no signing competes with a measurement,
 * and only for the figures that run.
 */
export async function preparePools(
  world: SnsWorld,
  sizes: Sizes,
  figures: readonly FigureName[],
  progress: (message: string) => void,
): Promise<Pools> {
  const wanted = (figure: FigureName) => figures.includes(figure);
  const pipelineObjects = Array.from({ length: sizes.pipelineRequests }, (_, index) =>
    archivedObject('pipeline', index),
  );
  const groups = {
    peer: wanted('peer') ? peerSpecs(world, sizes.peerPool) : [],
    warmup:
      wanted('ingest') || wanted('replicas') ? ingestSpecs(world, 'ingest-warmup', sizes.ingestWarmup) : [],
    measured: wanted('ingest') || wanted('replicas') ? ingestSpecs(world, 'ingest', sizes.ingestPool) : [],
    events: ['pipeline', 'scale', 'footprint', 'cluster'].some((name) => wanted(name as FigureName))
      ? pipelineSpecs(world, pipelineObjects)
      : [],
  };
  const specs = Object.values(groups).flat();
  progress(`signing ${specs.length.toLocaleString('en-US')} SNS notifications (RSA-2048, SigV1 and SigV2)`);
  const signed = await signMessages(world, specs);
  let offset = 0;
  const take = (length: number) => signed.slice(offset, (offset += length));
  const peer = take(groups.peer.length);
  const warmup = take(groups.warmup.length);
  const measured = take(groups.measured.length);
  const events = take(groups.events.length);
  const averageBodyBytes =
    signed.reduce((sum, message) => sum + message.body.length, 0) / Math.max(signed.length, 1);
  progress(`signed; average body ${Math.round(averageBodyBytes)} bytes`);
  const footprintObjects = wanted('footprint')
    ? Array.from({ length: sizes.footprintRequests }, (_, index) => archivedObject('footprint', index))
    : [];
  return {
    peer,
    ingest: { warmup, measured },
    // Pipeline requests skip the `expiring` reminder: it would be scheduled days ahead, never sent.
    pipeline: { registrations: registrationRequests(pipelineObjects, false), events },
    footprintRegistrations: registrationRequests(footprintObjects, true),
    averageBodyBytes,
  };
}
