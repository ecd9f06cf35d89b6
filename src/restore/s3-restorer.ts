import type { ObjectRef } from '../domain/object-ref';
import type { RestoreTier } from '../domain/restore-tier';

/** What HeadObject says about an object's archive and restore state (S3 API Reference, HeadObject, Response Syntax). */
export interface ObjectRestoreState {
  /** `x-amz-storage-class`; S3 omits it for STANDARD, reported here as 'STANDARD'. */
  readonly storageClass: string;
  /** `x-amz-archive-status` of Intelligent-Tiering objects: ARCHIVE_ACCESS | DEEP_ARCHIVE_ACCESS. */
  readonly archiveStatus: string | null;
  /** Parsed `x-amz-restore`; null when absent (never restored, or not archived). */
  readonly restore: { readonly ongoing: boolean; readonly expiryDate: string | null } | null;
  readonly size: number | null;
}

/** Outcome of RestoreObject, every S3 answer mapped to one of these (or a thrown S3Error). */
export type RestoreOutcome =
  /** 202: a new restore started; S3 will send ObjectRestore:Post. */
  | 'started'
  /** 200: the object was already restored (S3 extended the copy's life). */
  | 'already-restored'
  /** 409 RestoreAlreadyInProgress: join the running restore. */
  | 'in-progress'
  /** ObjectAlreadyInActiveTierError, or InvalidObjectState for a non-archived class: downloadable now. */
  | 'not-archived'
  /** 503 GlacierExpeditedRetrievalNotAvailable (after the adapter's own retries). */
  | 'expedited-unavailable';

export interface RestoreCommand {
  readonly tier: RestoreTier;
  /** Days the restored copy lives; must be null for Intelligent-Tiering (S3 answers 400 otherwise). */
  readonly days: number | null;
}

/** thaw's narrow view of S3; the SDK adapter translates every SDK error into S3Error. */
export interface S3Restorer {
  head(object: ObjectRef): Promise<ObjectRestoreState>;
  restore(object: ObjectRef, command: RestoreCommand): Promise<RestoreOutcome>;
}
